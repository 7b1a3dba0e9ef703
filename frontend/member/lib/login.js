// The web OAuth round trip: where to come back to, and the state that proves it is our round trip.

/** A path inside the members' pages to return to after log-in; anything else goes home. */
export function safeNext(next) {
  if (typeof next !== 'string' || !next.startsWith('/m/') || next.includes('//') || next.includes('\\')) return '/m/'
  return next
}

/** The router path (without the /m base) for a safe next. */
export function routerPath(next) {
  return safeNext(next).slice(2) || '/'
}

export function randomId(bytes = 8) {
  const a = new Uint8Array(bytes)
  crypto.getRandomValues(a)
  return Array.from(a, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** The openid this browser logs in as where there is no WeChat (the console gateway); WeChat ignores it. */
export function devOpenid(storage) {
  let id = storage.getItem('pm.dev_openid')
  if (!id) {
    id = 'web-' + randomId(6)
    storage.setItem('pm.dev_openid', id)
  }
  return id
}

/** True in the mini-program's web-view, where the mini-program's own page can ask WeChat for the phone. */
export function inMiniProgram() {
  return typeof window !== 'undefined' && window.__wxjs_environment === 'miniprogram'
}
