// Reading codes at a laptop or phone: a USB scanner types the code and presses Enter; a camera is
// read with the browser's BarcodeDetector where there is one (Chrome, Edge, Android), else the
// text field is the way in. Kept apart from the components so the rules are unit-tested.

/** Whether this browser can read a QR code from the camera. */
export function cameraScanAvailable(win = globalThis) {
  return typeof win.BarcodeDetector === 'function' && !!(win.navigator && win.navigator.mediaDevices && win.navigator.mediaDevices.getUserMedia)
}

/** What a pickup-code field holds after typing or a scan: digits only, at most 8 (a scanner may send
 *  spaces or a prefix; a QR of the code is just the digits). */
export function cleanPickupCode(raw) {
  return String(raw || '').replace(/\D/g, '').slice(0, 8)
}

/** Whether a pickup code is complete (8 digits), so the counter may look it up by itself. */
export function pickupCodeComplete(code) {
  return /^\d{8}$/.test(code)
}

/** Start reading QR codes from the camera into `video`; calls onCode(text) once per new code.
 *  Returns stop(). Throws a Chinese message when the camera cannot be opened. */
export async function startCamera(video, onCode, win = globalThis) {
  let stream
  try {
    stream = await win.navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
  } catch (e) {
    throw new Error('无法打开摄像头：请在浏览器地址栏允许使用摄像头，或改用扫码枪、手工输入')
  }
  video.srcObject = stream
  await video.play()
  const detector = new win.BarcodeDetector({ formats: ['qr_code'] })
  let last = ''
  let running = true
  async function tick() {
    if (!running) return
    try {
      const found = await detector.detect(video)
      const text = found.length ? found[0].rawValue : ''
      if (text && text !== last) { last = text; onCode(text) }
    } catch (e) { /* a frame that could not be read; the next one may */ }
    if (running) setTimeout(tick, 250)
  }
  tick()
  return () => {
    running = false
    stream.getTracks().forEach((t) => t.stop())
    video.srcObject = null
  }
}
