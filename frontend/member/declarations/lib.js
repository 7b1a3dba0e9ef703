// The member's declarations (我的申报): names, tags and the form's own checks. Pure, for Vitest.

const STATUS = {
  submitted: { name: '待审核', tag: 'warning' },
  returned: { name: '已退回，待补充', tag: 'primary' },
  approved: { name: '已通过', tag: 'success' },
  rejected: { name: '未通过', tag: 'danger' },
}
export const statusName = (s) => (STATUS[s] || {}).name || s
export const statusTag = (s) => (STATUS[s] || {}).tag || 'default'
export const MAX_PHOTOS = 6

const pad = (n) => String(n).padStart(2, '0')

/** A local day as the API's YYYY-MM-DD. */
export function isoDay(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** 2026-11-02 → 11月2日 (the year only when it is not this year). */
export function dayLabel(iso, now = new Date()) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ''))
  if (!m) return ''
  const day = `${Number(m[2])}月${Number(m[3])}日`
  return Number(m[1]) === now.getFullYear() ? day : `${m[1]}年${day}`
}

/** A rule as the picker lists it: 志愿服务（服务 +5分） */
const DIMENSIONS = { study: '学习', service: '服务', performance: '业绩', morality: '道德', integrity: '廉洁' }
export function ruleLabel(rule) {
  if (!rule) return ''
  const points = rule.points > 0 ? `+${rule.points}` : `${rule.points}`
  return `${rule.name}（${DIMENSIONS[rule.dimension] || rule.dimension} ${points}分）`
}

/** What the form says before sending: {field: message}; empty when it may go. The API checks again. */
export function checkForm(form, now = new Date()) {
  const errors = {}
  if (!form.rule_id) errors.rule_id = '请选择积分细则'
  if (!form.occurred_on) errors.occurred_on = '请选择日期'
  else if (form.occurred_on > isoDay(now)) errors.occurred_on = '事项日期不能晚于今天，请重新选择'
  else if (!form.occurred_on.startsWith(String(now.getFullYear()))) errors.occurred_on = `只能申报本年度（${now.getFullYear()}年）内的事项，请重新选择日期`
  if (!String(form.title || '').trim()) errors.title = '请写下做了什么'
  if ((form.photos || []).length > MAX_PHOTOS) errors.photos = `最多上传${MAX_PHOTOS}张照片`
  return errors
}

// API codes that belong to one field of the form, so the message shows beside it.
const FIELD_OF_CODE = {
  not_declarable: 'rule_id', duplicate_declaration: 'occurred_on', invalid_date: 'occurred_on',
  date_out_of_range: 'occurred_on', unknown_photo: 'photos', too_many_photos: 'photos',
}

/** {field: message} from an API error: its field errors, or the field its code belongs to; else {}. */
export function fieldErrorsOf(err) {
  const fields = typeof err.fieldErrors === 'function' ? err.fieldErrors() : {}
  if (Object.keys(fields).length) return fields
  const field = FIELD_OF_CODE[err.code]
  return field ? { [field]: err.message } : {}
}
