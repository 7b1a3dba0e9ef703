// The 积分公示 page's plain logic: labels, the period a picked day stands for, and the print heading.
export const DIMENSIONS = [
  ['study', '学习'], ['service', '服务'], ['performance', '业绩'], ['morality', '道德'], ['integrity', '廉洁'],
]
export const PERIODS = [['month', '月度'], ['quarter', '季度'], ['year', '年度']]
export const STATUS = { open: '公示中', closed: '已结束' }
export const APPEAL_STATUS = { open: '待处理', pending: '待审批', corrected: '已更正', refused: '不予更正' }

const pad = (n) => String(n).padStart(2, '0')
const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`

/** The first day of last month: the period an organizer usually publishes. */
export function lastMonth(today = new Date()) {
  return iso(new Date(today.getFullYear(), today.getMonth() - 1, 1))
}

/** The first day of the month / quarter / year holding day (YYYY-MM-DD), as the API reads it. */
export function periodStart(period, day) {
  const [y, m] = day.split('-').map(Number)
  if (period === 'year') return `${y}-01-01`
  if (period === 'quarter') return `${y}-${pad(Math.floor((m - 1) / 3) * 3 + 1)}-01`
  return `${y}-${pad(m)}-01`
}

/** "1月5日 18:00" in local time. */
export function shortMoment(isoText) {
  const d = new Date(isoText)
  return `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`
}

/** A member's time on the sheet: 全期, or the dates they belonged (transferred mid-period). */
export function belonged(row) {
  return row.belonged_from ? `${row.belonged_from} 至 ${row.belonged_to}` : '全期'
}

/** The heading a printed sheet carries: title, period and, for a 公示, its window. */
export function printHeading(sheet, publicity) {
  const title = publicity ? publicity.title : `${sheet.org}${sheet.label}积分汇总表`
  const lines = [`统计期间：${sheet.start} 至 ${sheet.end}（${sheet.period_name}）`]
  if (publicity) lines.push(`公示期：${shortMoment(publicity.opens_at)} 至 ${shortMoment(publicity.closes_at)}（${STATUS[publicity.status]}）`)
  lines.push(`共 ${sheet.members} 人`)
  return { title, lines }
}

/** What the correction dialog starts with: an entry appeal needs a delta; a missing award the rule's points. */
export function correctionDefaults(appeal) {
  return { delta: appeal.kind === 'missing' ? null : 1, resolution: '' }
}

/** The score sheet's columns, for the table on screen and the printed one alike. num: figures, right-aligned;
 *  wide: left out on a phone (the printed sheet keeps it). */
export const SHEET_COLUMNS = [
  { key: 'rank', label: '名次', width: 60 },
  { key: 'name', label: '姓名', minWidth: 80 },
  { key: 'org', label: '所在组织', minWidth: 130, wide: true },
  ...DIMENSIONS.map(([d, label]) => ({ key: d, label, width: 58, num: true, value: (row) => row.by_dimension[d] })),
  { key: 'total', label: '合计', width: 64, num: true },
  { key: 'belonged', label: '在册期间', minWidth: 110, value: belonged },
]

/** What one column shows for one row. */
export const cell = (row, column) => (column.value ? column.value(row) : row[column.key])

/** A score change as members read it: +3, -2, 0. */
export const signed = (n) => `${n > 0 ? '+' : ''}${n}`
