// Scan → check-in: read a scanned link, try the check-in, fetch the location if the activity asks for
// it, and turn a refusal into what the member should do next.
import { ApiError } from '@shared/api.js'
import { webCheckin } from '@shared/api/activities.js'
import { randomId } from './login.js'

const LINK = /\/q\/(a|m)\/(\d{1,12})\?t=([0-9a-f]{16})(?:$|[&#])/

/** A scanned or pasted text → {a, t} of an activity's check-in code, or {error} saying what it is instead. */
export function parseCheckinLink(text) {
  const match = LINK.exec(String(text || '').trim())
  if (!match) return { error: '这不是活动签到二维码，请扫描活动现场屏幕上的二维码' }
  if (match[1] === 'm') return { error: '这是党员本人的二维码，请扫描活动现场屏幕上的签到码' }
  return { a: match[2], t: match[3] }
}

export function payloadOf(a, t) {
  return `/q/a/${a}?t=${t}`
}

// What to do next, beside the server's message (which says what went wrong).
const NEXT_STEP = {
  code_expired: '请扫描屏幕上最新的二维码',
  invalid_code: '请扫描活动现场屏幕上的二维码',
  not_open_yet: '签到尚未开始，请在签到时间内再扫码',
  closed: '签到已结束，如有疑问请联系组织者',
  not_eligible: '本活动不面向您所在的组织，如有疑问请联系组织者',
  full: '如有疑问请联系组织者',
  out_of_range: '请到活动地点后再扫码',
  location_required: '请允许获取位置后点“重试”',
  location_denied: '请在设置中允许微信获取位置，然后点“重试”',
  network_error: '请检查网络后点“重试”',
  rate_limited: '请稍等一分钟后再试',
}

export function refusal(error) {
  const code = error instanceof ApiError ? error.code : 'network_error'
  let message = error instanceof ApiError ? error.message : '网络连接失败'
  let next = NEXT_STEP[code]
  // "二维码已过期，请扫描…": the headline says what happened, the line below what to do, not both twice.
  const cut = message.indexOf('，请')
  if (cut > 0) {
    next = next || message.slice(cut + 1)
    message = message.slice(0, cut)
  }
  return { ok: false, code, message, next: next || '如有疑问请联系组织者', retry: ['network_error',
    'location_required', 'location_denied', 'out_of_range', 'rate_limited', 'not_open_yet'].includes(code) }
}

/** One check-in: {ok: true, result} or a refusal. locate() → {latitude, longitude}, asked only when needed. */
export async function checkIn({ send = webCheckin, payload, receipt, locate, nonce = () => randomId(12) }) {
  const body = { payload, nonce: nonce(), receipt: receipt || null }
  try {
    return { ok: true, result: await send(body) }
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'location_required' || !locate) return refusal(e)
  }
  let position
  try {
    position = await locate()
  } catch (e) {
    return refusal(new ApiError(0, 'location_denied', '无法获取您的位置'))
  }
  try {
    const located = { ...body, nonce: nonce(), latitude: position.latitude, longitude: position.longitude }
    return { ok: true, result: await send(located) }
  } catch (e) {
    return refusal(e)
  }
}
