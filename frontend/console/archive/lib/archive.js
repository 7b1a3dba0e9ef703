// What the archive pages compute without the server: names for codes, the keyset pager's history,
// the query a filter form sends, the score chart's option.
export const KINDS = { award: '奖励', deduct: '扣分', redeem: '兑换', refund: '退还', expire: '清零', adjust: '调整', reversal: '冲正' }
export const DIMENSIONS = { study: '学习', service: '服务', performance: '业绩', morality: '道德', integrity: '廉洁' }
export const DECLARATION_STATUSES = { submitted: '待审核', returned: '已退回', approved: '已通过', rejected: '未通过' }
export const CHANGE_KINDS = { transfer: '组织关系转接', type: '类型变更', status: '状态变更' }

/** Keyset paging has no page numbers: remember the cursor each page was opened with, to go back. */
export function cursorPager() {
  const opened = [null] // opened[i]: the cursor page i+1 was asked with (null: the first page)
  return {
    get page() { return opened.length },
    current() { return opened[opened.length - 1] },
    next(cursor) { if (cursor) opened.push(cursor); return this.current() },
    back() { if (opened.length > 1) opened.pop(); return this.current() },
    reset() { opened.splice(1); return null },
  }
}

/** The filter form as the API's query: empty fields left out, the period split into from/to. */
export function ledgerQuery(f) {
  const q = {}
  for (const key of ['member_id', 'org_id', 'kind', 'dimension', 'rule_id']) if (f[key] !== null && f[key] !== '' && f[key] !== undefined) q[key] = f[key]
  if (f.period && f.period.length === 2) { q.from = f.period[0]; q.to = f.period[1] }
  if (f.late_only) q.late_only = true
  return q
}

/** Member search's query: the one box takes a name or a phone (all 11 digits or the last 4). */
export function memberQuery(f) {
  const q = {}
  const text = (f.text || '').trim()
  if (/^\d+$/.test(text)) q.phone = text
  else if (text) q.name = text
  for (const key of ['org_id', 'member_type', 'status', 'year']) if (f[key]) q[key] = f[key]
  return q
}

/** A bar per dimension, in the order the rules list them. */
export function dimensionChart(byDimension) {
  const keys = Object.keys(DIMENSIONS)
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 40, right: 16, top: 24, bottom: 28 },
    xAxis: { type: 'category', data: keys.map((k) => DIMENSIONS[k]) },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '年度积分', barMaxWidth: 40, data: keys.map((k) => (byDimension || {})[k] || 0),
               itemStyle: { color: '#b3261e' }, label: { show: true, position: 'top' } }],
  }
}

export const signed = (n) => (n > 0 ? `+${n}` : String(n ?? 0))
export const stars = (n) => '★'.repeat(n || 0) + '☆'.repeat(Math.max(0, 5 - (n || 0)))
