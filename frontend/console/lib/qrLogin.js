// The console's WeChat QR log-in as a small state machine: ask for a ticket, show its QR code, poll it
// every 2 s; a member scans (scanned), then confirms (the first poll after brings the token, once) or
// refuses. An expired code is renewed by itself a few times, then waits for a click; a dropped network
// keeps polling. The page only renders `state` and calls start() / stop().
export const POLL_MS = 2000
export const AUTO_RENEWALS = 5

export const MESSAGES = {
  pending: '请用微信扫描二维码，在手机上确认登录',
  scanned: '已扫码，请在手机上确认登录',
  refused: '已在手机上取消登录',
  expired: '二维码已过期',
}

/**
 * tickets: {create(), get(ticket)} (the console's log-in tickets); onToken({token, roles}): the log-in succeeded.
 * state: a (reactive) object the machine writes: phase loading|pending|scanned|refused|expired|done|error,
 * qrSvg, url, message, error (a transient network message, polling goes on).
 */
export function createQrLogin({ tickets, state, onToken, interval = POLL_MS, renewals = AUTO_RENEWALS,
  setTimer = (fn, ms) => setTimeout(fn, ms), clearTimer = (t) => clearTimeout(t) }) {
  let timer = null
  let ticket = ''
  let renewed = 0
  let stopped = true
  let generation = 0 // an answer to a ticket the machine has since dropped is ignored

  function set(phase, extra = {}) {
    Object.assign(state, { phase, message: MESSAGES[phase] || '', error: '' }, extra)
  }

  function schedule(fn, ms = interval) {
    clearTimer(timer)
    if (!stopped) timer = setTimer(fn, ms)
  }

  async function renew() {
    const mine = ++generation
    set('loading', { qrSvg: '', url: '' })
    try {
      const out = await tickets.create()
      if (mine !== generation || stopped) return
      ticket = out.ticket
      set('pending', { qrSvg: scalableSvg(out.qr_svg), url: out.url })
      schedule(poll)
    } catch (e) {
      if (mine !== generation || stopped) return
      set('error', { error: e.message || '网络连接失败' })
      schedule(renew, interval * 2)
    }
  }

  async function poll() {
    const mine = generation
    let out
    try {
      out = await tickets.get(ticket)
    } catch (e) {
      if (mine !== generation || stopped) return
      if (e.status === 404) return expired() // the server forgot it: a new code
      state.error = (e.message || '网络连接失败') + '，正在重试…'
      return schedule(poll)
    }
    if (mine !== generation || stopped) return
    if (out.status === 'confirmed' && out.token) {
      stopped = true
      set('done')
      return onToken({ token: out.token, roles: out.roles || [] })
    }
    if (out.status === 'pending' || out.status === 'scanned') {
      if (state.phase !== out.status) set(out.status)
      state.error = ''
      return schedule(poll)
    }
    if (out.status === 'refused') return set('refused')
    return expired()
  }

  function expired() {
    if (renewed < renewals) {
      renewed += 1
      return renew()
    }
    set('expired')
  }

  return {
    /** Show a fresh code and start polling (again); a click on 刷新 calls this too. */
    start() {
      stopped = false
      renewed = 0
      return renew()
    },
    stop() {
      stopped = true
      generation += 1
      clearTimer(timer)
      timer = null
    },
    get ticket() { return ticket },
  }
}

/** segno's SVG has a fixed width and height: with a viewBox instead it fills its box at any size. */
export function scalableSvg(svg) {
  const s = String(svg || '')
  const m = /<svg\b[^>]*?\swidth="(\d+)"[^>]*?\sheight="(\d+)"/.exec(s)
  if (!m || /viewBox=/.test(s)) return s
  return s.replace(/<svg\b/, `<svg viewBox="0 0 ${m[1]} ${m[2]}"`).replace(/(<svg\b[^>]*?)\swidth="\d+"\s+height="\d+"/, '$1')
}
