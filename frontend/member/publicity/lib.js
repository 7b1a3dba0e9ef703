// The member's 公示 pages: the window in words, the appeal's body, and which field an error belongs to.
import { photoKeys } from '../lib/photos.js'

export const APPEAL_STATUS = { open: '待处理', pending: '待审批', corrected: '已更正', refused: '不予更正' }
export const MAX_PHOTOS = 6

/** 公示中，还剩2天 / 公示中，今天17:00截止 / 公示已结束. */
export function windowText(pub, now = new Date()) {
  const closes = new Date(pub.closes_at)
  if (closes <= now) return '公示已结束，本期积分已定稿'
  const hours = (closes - now) / 3600000
  const at = `${closes.getMonth() + 1}月${closes.getDate()}日 ${String(closes.getHours()).padStart(2, '0')}:${String(closes.getMinutes()).padStart(2, '0')}`
  return hours < 24 ? `公示中，${at}截止，如有异议请尽快申诉` : `公示中，还剩${Math.ceil(hours / 24)}天（${at}截止）`
}

export const isOpen = (pub, now = new Date()) => new Date(pub.closes_at) > now

/** The request body: an entry of mine, or a rule for a missing award; the photos' storage keys. */
export function appealBody(form, files) {
  const body = { reason: form.reason.trim(), photos: photoKeys(files) }
  if (form.kind === 'entry') body.entry_id = form.entry_id
  else body.rule_id = form.rule_id
  return body
}

/** Which field of the form shows an error the API answered with (the rest shows above the button). */
export function fieldOf(code) {
  return { unknown_entry: 'entry', entry_not_in_period: 'entry', invalid_appeal: 'choice', unknown_rule: 'choice',
    invalid_photos: 'photos', duplicate_appeal: 'choice' }[code] || null
}
