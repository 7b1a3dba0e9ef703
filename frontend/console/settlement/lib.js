// What the settlement pages say about a policy, a preview and a run: plain functions, tested with Vitest.

export const MODES = { keep: '保留', clear_all: '年末清零', clear_older: '清除较早的积分' }

/** One line for a policy: 保留 / 年末清零 / 清除6个月前获得的积分, and the notice. */
export function policyText(p) {
  if (!p) return '未设置'
  const what = p.mode === 'clear_older' ? `清除${p.months}个月前获得的积分` : MODES[p.mode] || p.mode
  return p.mode === 'keep' ? what : `${what}，提前${p.notice_days}天通知`
}

/** Where the policy in force comes from, for an organisation without its own. */
export function inheritedText(row) {
  const e = row.effective
  if (row.own) return ''
  if (!e.from_org_id) return '未设置，默认保留'
  return `沿用“${e.from_org}”：${policyText(e)}`
}

/** A year may be settled once it has ended (the API refuses otherwise). */
export function canSettle(year, now = new Date()) {
  return Number.isInteger(year) && year < now.getFullYear()
}

/** The confirmation before a run: how many members lose how many points, and that it cannot be undone. */
export function confirmText(year, totals, orgName) {
  const scope = orgName ? `“${orgName}”及其下级组织` : '全部组织'
  if (!totals.lapse) return `${year}年度：${scope}没有到期的积分。仍要执行结算并记录吗？`
  return `${year}年度结算：将清除${scope}${totals.lapsing_members}名党员共${totals.lapse}分超市积分（年度积分不受影响），` +
    '并通知本人。已结算的党员不会重复清除。结算后不能撤销，确定执行吗？'
}

/** A run's outcome in words. */
export function runText(run) {
  if (run.status === 'failed') return '执行失败，请重试（已清除的不会重复清除）'
  if (run.status === 'running') return '执行中'
  if (!run.members_expired) return `检查${run.members_checked}人，没有需要清除的积分`
  return `检查${run.members_checked}人，${run.members_expired}人共${run.points_expired}分到期`
}

export const TRIGGERS = { job: '定时任务', cli: '命令行', console: '工作台' }
