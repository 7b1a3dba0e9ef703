// The declarations inbox (申报审核): names, tags and the sentences the organizer reads. Pure, for Vitest.

export const STATUSES = [
  { key: 'submitted', name: '待审核', tag: 'warning' },
  { key: 'returned', name: '已退回', tag: 'info' },
  { key: 'approved', name: '已通过', tag: 'success' },
  { key: 'rejected', name: '未通过', tag: 'danger' },
]
const BY_KEY = Object.fromEntries(STATUSES.map((s) => [s.key, s]))

export const statusName = (key) => (BY_KEY[key] || {}).name || key
export const statusTag = (key) => (BY_KEY[key] || {}).tag || 'info'

const DIMENSIONS = { study: '学习', service: '服务', performance: '业绩', morality: '道德', integrity: '廉洁' }
export const dimensionName = (d) => DIMENSIONS[d] || d || ''

/** The tab's label with its count: 待审核 (3); the "all" tab adds every status up. */
export function tabLabel(key, counts) {
  if (key === 'all') return `全部 (${STATUSES.reduce((n, s) => n + ((counts || {})[s.key] || 0), 0)})`
  return `${statusName(key)} (${(counts || {})[key] || 0})`
}

/** What the organizer is told after approving: the points posted, and why fewer when the cap cut them. */
export function approvedMessage(d) {
  const who = d.member_name || '党员'
  if (d.points != null && d.rule_points != null && Math.abs(d.points) < Math.abs(d.rule_points)) {
    return `已批准，${who}记入${d.points}分（细则${d.rule_points}分，本期上限只剩${d.points}分）`
  }
  return `已批准，${who}记入${d.points}分`
}

/** The reason is required to reject or return: the member reads it. Empty string when fine. */
export function reasonError(note) {
  return String(note || '').trim() ? '' : '请填写原因，党员会看到它'
}

/** 2026-11-22 → 2026年11月22日 */
export function dayName(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ''))
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : ''
}
