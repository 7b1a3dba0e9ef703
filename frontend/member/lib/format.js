// Names and numbers as a member reads them.
export const DIMENSIONS = [
  ['study', '学习'], ['service', '服务'], ['performance', '业绩'], ['morality', '道德'], ['integrity', '廉洁'],
]
const DIMENSION = Object.fromEntries(DIMENSIONS)
const KIND = { award: '奖励', deduct: '扣分', redeem: '兑换', refund: '退回', expire: '过期', adjust: '调整', reversal: '冲正' }
const ORDER_STATUS = { reserved: '待领取', fulfilled: '已领取', cancelled: '已取消', expired: '已过期' }
const LEAVE_STATUS = { pending: '请假待审批', approved: '已准假', rejected: '请假未批准' }
const OUTCOME = { present: '已签到', on_leave: '已请假', absent: '缺席' }

export const dimensionName = (d) => DIMENSION[d] || ''
export const kindName = (k) => KIND[k] || k
export const orderStatusName = (s) => ORDER_STATUS[s] || s
export const leaveStatusName = (s) => LEAVE_STATUS[s] || s
export const outcomeName = (o) => OUTCOME[o] || ''

const pad = (n) => String(n).padStart(2, '0')

/** 11月23日 14:30, with the year only when it is not this year. */
export function when(iso, now = new Date()) {
  if (!iso) return ''
  const d = new Date(iso)
  const day = `${d.getMonth() + 1}月${d.getDate()}日 ${pad(d.getHours())}:${pad(d.getMinutes())}`
  return d.getFullYear() === now.getFullYear() ? day : `${d.getFullYear()}年${day}`
}

/** +2 or −20: a signed change of points. */
export function signed(n) {
  return n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0'
}

/** What one ledger entry did to the two numbers, in words. */
export function entryEffect(entry) {
  const parts = []
  if (entry.delta_score) parts.push(`年度积分 ${signed(entry.delta_score)}`)
  if (entry.delta_spendable) parts.push(`超市积分 ${signed(entry.delta_spendable)}`)
  return parts.join('，') || '积分不变'
}

/** The 8-digit pickup code in two groups of four, easier to read out at the counter. */
export function groupedCode(code) {
  return String(code || '').replace(/^(\d{4})(\d{4})$/, '$1 $2')
}

export function stars(n) {
  return '★'.repeat(n || 0) + '☆'.repeat(Math.max(0, 5 - (n || 0)))
}

/** The server's inline QR SVG (fixed width and height) made to scale with its box. */
export function scalableSvg(svg) {
  const s = String(svg || '')
  if (!s || /viewBox=/.test(s)) return s
  const m = /<svg\b[^>]*?\swidth="(\d+)"[^>]*?\sheight="(\d+)"/.exec(s)
  if (!m) return s
  return s.replace(/<svg\b/, `<svg viewBox="0 0 ${m[1]} ${m[2]}"`).replace(/(<svg\b[^>]*?)\swidth="\d+"\s+height="\d+"/, '$1')
}
