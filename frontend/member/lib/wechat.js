// WeChat's JS-SDK (scanQRCode, getLocation) when the page runs in WeChat, the browser's own means
// elsewhere. The SDK is loaded only when a page needs it, so it never weighs on the first page.
import { jsapiConfig } from '@shared/api/auth.js'

export const inWechat = () => typeof navigator !== 'undefined' && /MicroMessenger/i.test(navigator.userAgent)
const isIOS = () => /iPhone|iPad|iPod/i.test(navigator.userAgent)

// iOS WeChat signs a single-page app by the address it was entered at, Android by the current one.
const entryUrl = typeof location !== 'undefined' ? location.href.split('#')[0] : ''
const configured = new Map()

function bridgeSoon(ms) {
  if (window.WeixinJSBridge) return Promise.resolve(true)
  return new Promise((resolve) => {
    const done = () => resolve(true)
    document.addEventListener('WeixinJSBridgeReady', done, { once: true })
    setTimeout(() => resolve(!!window.WeixinJSBridge), ms)
  })
}

/** The configured wx object, or null when WeChat's bridge is not there (a desktop browser, a test). */
export async function wechat() {
  if (!inWechat() || !(await bridgeSoon(1500))) return null
  const url = isIOS() ? entryUrl : location.href.split('#')[0]
  if (!configured.has(url)) {
    configured.set(url, (async () => {
      const wx = (await import('weixin-js-sdk')).default
      const config = await jsapiConfig(url)
      wx.config({ debug: false, ...config, jsApiList: ['scanQRCode', 'getLocation'] })
      await new Promise((resolve, reject) => { wx.ready(resolve); wx.error(reject) })
      return wx
    })().catch((e) => { configured.delete(url); throw e }))
  }
  return configured.get(url)
}

/** {latitude, longitude}: WeChat's getLocation, else the browser's geolocation. */
export async function locate() {
  const wx = await wechat().catch(() => null)
  if (wx) {
    return new Promise((resolve, reject) => wx.getLocation({
      type: 'wgs84', success: (r) => resolve({ latitude: r.latitude, longitude: r.longitude }), fail: reject, cancel: reject,
    }))
  }
  if (!navigator.geolocation) throw new Error('no geolocation')
  return new Promise((resolve, reject) => navigator.geolocation.getCurrentPosition(
    (p) => resolve({ latitude: p.coords.latitude, longitude: p.coords.longitude }), reject,
    { enableHighAccuracy: true, timeout: 15000 }))
}

/** The text of a QR code scanned with WeChat's scanner; null where there is no WeChat to scan with. */
export async function scanWithWechat() {
  const wx = await wechat().catch(() => null)
  if (!wx) return null
  return new Promise((resolve, reject) => wx.scanQRCode({
    needResult: 1, scanType: ['qrCode'], success: (r) => resolve(r.resultStr), fail: reject, cancel: () => resolve(''),
  }))
}
