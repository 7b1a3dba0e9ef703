// Small formatting rules shared by the organizer's pages; kept pure so Vitest covers them.

/** 张三明 → 张*明, 李四 → 李*: the projector and lists show no full name (as the board does). */
export function maskName(name) {
  const s = String(name || '')
  if (s.length <= 1) return s
  if (s.length === 2) return s[0] + '*'
  return s[0] + '*'.repeat(s.length - 2) + s[s.length - 1]
}

const pad = (n) => String(n).padStart(2, '0')

/** A local day key YYYY-MM-DD for a moment (ISO string or Date). */
export function dayKey(value) {
  const d = value instanceof Date ? value : new Date(value)
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
}

/** 11-23 14:30, the way a list shows a time of this year. */
export function shortTime(value) {
  if (!value) return ''
  const d = new Date(value)
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** Activities grouped by the local day they start on, each day's sorted by start: the calendar's cells. */
export function byDay(activities) {
  const days = {}
  for (const a of activities) (days[dayKey(a.starts_at)] ||= []).push(a)
  for (const list of Object.values(days)) list.sort((x, y) => new Date(x.starts_at) - new Date(y.starts_at))
  return days
}

export const STATUS_NAMES = { draft: '草稿', published: '已发布', cancelled: '已取消' }
export const KIND_NAMES = {
  branch_meeting: '支部党员大会', committee_meeting: '支委会', group_meeting: '党小组会', party_lecture: '党课',
  theme_day: '主题党日', volunteer: '志愿服务', morality_lecture: '道德讲堂', study: '学习', culture: '文体活动',
}

/** The days an el-calendar month view shows: from the Monday on or before the 1st to six weeks on,
 *  as the API's from/to (local days, both inclusive). */
export function calendarRange(monthDate) {
  const first = new Date(monthDate.getFullYear(), monthDate.getMonth(), 1)
  const start = new Date(first)
  start.setDate(first.getDate() - ((first.getDay() + 6) % 7))
  const end = new Date(start)
  end.setDate(start.getDate() + 41)
  return { from: dayKey(start), to: dayKey(end) }
}
