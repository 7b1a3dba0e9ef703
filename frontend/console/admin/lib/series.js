// Report answers shaped into ECharts options. Pure functions, so the shaping is tested
// without a browser and the pages only hand the result to <EChart>.
import { DIMENSIONS } from '../../shared/labels.js'

const PALETTE = ['#c0392b', '#e67e22', '#f1c40f', '#27ae60', '#2980b9', '#8e44ad', '#7f8c8d']
// The board is drawn on Party red: its series need light colours to be seen from across the hall.
const BOARD_PALETTE = ['#ffd54f', '#4fc3f7', '#81c784', '#ffab91', '#ce93d8']

/** Every month from `from` to `to` (YYYY-MM-DD) as YYYY-MM, so months without handovers show as 0. */
export function monthsBetween(from, to) {
  const out = []
  let [y, m] = from.slice(0, 7).split('-').map(Number)
  const [ty, tm] = to.slice(0, 7).split('-').map(Number)
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`)
    m += 1
    if (m > 12) { m = 1; y += 1 }
    if (out.length > 120) break // ten years is the most a report page shows
  }
  return out
}

/** Value at cost (bars) and redeemers (line) per month, gaps filled with zero. */
export function monthOption(report, from, to) {
  const months = monthsBetween(from, to)
  const byName = new Map((report.by_month || []).map((b) => [b.name, b]))
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis' },
    legend: { data: ['成本价值（元）', '兑换人数'], top: 0 },
    grid: { left: 8, right: 8, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: months },
    yAxis: [{ type: 'value' }, { type: 'value', minInterval: 1, splitLine: { show: false } }],
    series: [
      { name: '成本价值（元）', type: 'bar', data: months.map((m) => byName.get(m)?.value_at_cost ?? 0) },
      { name: '兑换人数', type: 'line', yAxisIndex: 1, data: months.map((m) => byName.get(m)?.redeemers ?? 0) },
    ],
  }
}

/** Who paid for the goods handed over: a ring of value at cost per funding organisation. */
export function fundingOption(report) {
  return {
    color: PALETTE,
    tooltip: { trigger: 'item', formatter: '{b}：{c}元（{d}%）' },
    legend: { bottom: 0, type: 'scroll' },
    series: [{
      type: 'pie', radius: ['35%', '65%'], center: ['50%', '45%'],
      data: (report.by_funding_source || []).map((f) => ({ name: f.name || '未注明', value: f.value_at_cost })),
      label: { formatter: '{b}\n{d}%' },
    }],
  }
}

/** One horizontal bar per shop or branch, largest on top, value at cost and redeemers. */
export function bucketOption(buckets) {
  const rows = [...(buckets || [])].sort((a, b) => a.value_at_cost - b.value_at_cost)
  return {
    color: PALETTE,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { data: ['成本价值（元）', '兑换人数'], top: 0 },
    grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'value' },
    yAxis: { type: 'category', data: rows.map((r) => r.name) },
    series: [
      { name: '成本价值（元）', type: 'bar', data: rows.map((r) => r.value_at_cost) },
      { name: '兑换人数', type: 'bar', data: rows.map((r) => r.redeemers) },
    ],
  }
}

/** Stock on hand per product, low ones in red. */
export function stockOption(lines) {
  return {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: lines.map((l) => l.name), axisLabel: { interval: 0, rotate: lines.length > 6 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [{ type: 'bar', name: '库存', barMaxWidth: 64, data: lines.map((l) => ({ value: l.on_hand, itemStyle: { color: l.low ? '#c0392b' : '#2980b9' } })) }],
  }
}

/** Attendance per organisation over the period: expected and present summed, the rate as a line. */
export function attendanceByOrg(rows) {
  const byOrg = new Map()
  for (const r of rows) {
    const t = byOrg.get(r.org) || { org: r.org, activities: 0, expected: 0, present: 0, on_leave: 0, absent: 0 }
    t.activities += 1
    t.expected += r.expected
    t.present += r.present
    t.on_leave += r.on_leave
    t.absent += r.absent
    byOrg.set(r.org, t)
  }
  return [...byOrg.values()].map((t) => ({ ...t, rate: t.expected ? t.present / t.expected : null }))
}

export function attendanceOption(rows) {
  const orgs = attendanceByOrg(rows)
  return {
    color: ['#27ae60', '#f1c40f', '#c0392b', '#2980b9'],
    tooltip: { trigger: 'axis' },
    legend: { data: ['实到', '请假', '缺席', '出勤率'], top: 0 },
    grid: { left: 48, right: 48, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: orgs.map((o) => o.org) },
    yAxis: [{ type: 'value', name: '人次', minInterval: 1 }, { type: 'value', name: '出勤率', max: 100, axisLabel: { formatter: '{value}%' } }],
    series: [
      { name: '实到', type: 'bar', stack: 'roll', data: orgs.map((o) => o.present) },
      { name: '请假', type: 'bar', stack: 'roll', data: orgs.map((o) => o.on_leave) },
      { name: '缺席', type: 'bar', stack: 'roll', data: orgs.map((o) => o.absent) },
      { name: '出勤率', type: 'line', yAxisIndex: 1, data: orgs.map((o) => (o.rate == null ? null : Math.round(o.rate * 1000) / 10)) },
    ],
  }
}

/** The board's branch view: average score per branch, stacked by dimension. */
export function branchBoardOption(board) {
  const rows = [...(board.rows || [])].reverse()
  return {
    color: BOARD_PALETTE,
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { top: 0, textStyle: { color: '#fff', fontSize: 16 } },
    grid: { left: 8, right: 32, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'value', axisLabel: { color: '#fde', fontSize: 14 }, splitLine: { lineStyle: { color: 'rgba(255,255,255,0.15)' } } },
    yAxis: { type: 'category', data: rows.map((r) => r.org), axisLabel: { color: '#fff', fontSize: 16 } },
    series: Object.entries(DIMENSIONS).map(([key, name]) => ({
      name, type: 'bar', stack: 'score', barMaxWidth: 36,
      data: rows.map((r) => (r.members ? Math.round(((r.by_dimension[key] || 0) / r.members) * 10) / 10 : 0)),
    })),
  }
}

/** The board's dimension view: total score per dimension. */
export function dimensionBoardOption(board) {
  return {
    color: BOARD_PALETTE,
    tooltip: { trigger: 'item' },
    series: [{
      type: 'pie', radius: ['30%', '62%'],
      label: { color: '#fff', fontSize: 18, formatter: '{b}\n{c}分' },
      // A dimension nobody scored in yet would only crowd the ring with "0分" labels; its card says 暂无.
      data: (board.rows || []).filter((r) => r.score > 0)
        .map((r) => ({ name: DIMENSIONS[r.dimension] || r.dimension, value: r.score,
          itemStyle: { color: BOARD_PALETTE[Object.keys(DIMENSIONS).indexOf(r.dimension)] } })), // as in the branch view
    }],
  }
}
