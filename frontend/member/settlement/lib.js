// The member's line about points that will lapse at the end of the year (年度结算).

/** "80分将于2027年1月1日到期", or '' when nothing will lapse. */
export function lapseLine(lapse) {
  if (!lapse || !lapse.points) return ''
  const [y, m, d] = String(lapse.lapse_on).split('-').map(Number)
  return `${lapse.points}分将于${y}年${m}月${d}日到期`
}
