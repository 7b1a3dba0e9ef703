// What the organizer is told after submitting an award (AwardOut from POST /api/v1/awards).
const OUTCOMES = { applied: '已记入', cap_reached: '已达上限未记', duplicate: '重复未记' }

export function awardSummary(award) {
  const n = award.lines.length
  if (award.status === 'pending') {
    return { type: 'warning', title: `已提交审批：${n}人，等待党委审批后记入`, detail: award.rule_name || '' }
  }
  if (award.status === 'rejected') return { type: 'error', title: '已被驳回', detail: award.decision_note || '' }
  const counts = {}
  for (const l of award.lines) counts[l.outcome] = (counts[l.outcome] || 0) + 1
  const detail = Object.entries(counts).map(([k, c]) => `${OUTCOMES[k] || k} ${c}人`).join('，')
  return { type: 'success', title: `已记入：${n}人`, detail }
}
