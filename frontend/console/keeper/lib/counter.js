// How the counter words an order; pure, for Vitest.
export const STATUS = { reserved: '待领取', fulfilled: '已交付', cancelled: '已取消', expired: '已过期' }

const pad = (n) => String(n).padStart(2, '0')

/** "14:05 张*明 · 毛巾×2、大米5kg×1": a handover of today, with its time. */
export function handoverLine(order) {
  const d = new Date(order.closed_at || order.created_at)
  const items = order.lines.map((l) => `${l.name}×${l.qty}`).join('、')
  return `${pad(d.getHours())}:${pad(d.getMinutes())} ${order.member_name} · ${items}`
}
