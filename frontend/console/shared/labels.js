// Chinese names for the API's codes, in one place for every admin page.
export const DIMENSIONS = { study: '学习', service: '服务', performance: '业绩', morality: '道德', integrity: '廉洁' }
export const MEMBER_TYPES = ['党员', '预备党员', '入党积极分子', '群众志愿者']
export const STATUSES = { active: '正常', inactive: '停用', transferred: '已转出' }
export const ROLES = { admin: '党委管理员', organizer: '支部书记/党务工作者', shopkeeper: '超市管理员' }
export const ORG_KINDS = { committee: '党委', general_branch: '党总支', branch: '党支部', group: '党小组' }
export const CAP_PERIODS = { day: '每日', month: '每月', year: '每年' }
export const OUTBOX_STATUSES = { pending: '待发送', sending: '发送中', sent: '已发送', dead: '发送失败' }
export const MOVEMENTS = { purchase: '进货', adjustment: '盘点调整', loss: '报损', redemption: '兑换', return: '退回' }

export const yuan = (v) => Number(v || 0).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 })
export const percent = (r) => (r == null ? '—' : `${Math.round(r * 1000) / 10}%`)

const pad = (n) => String(n).padStart(2, '0')
/** A moment from the API (ISO, with zone) as the admin's wall-clock time: 2026-07-01 09:30[:05]. */
export function when(iso, seconds = false) {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return String(iso)
  const day = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
  return `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}${seconds ? `:${pad(d.getSeconds())}` : ''}`
}
/** Today's date where the admin is (not UTC's: before 8 a.m. in Beijing UTC is still yesterday). */
export const localDay = (d = new Date()) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`
