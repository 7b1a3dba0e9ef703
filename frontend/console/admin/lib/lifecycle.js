// Rule versions and member changes as the admin reads them: what changed from one version to the next,
// each dated change of a member in a sentence, and which form field an API error belongs to.
import { CAP_PERIODS } from '../../shared/labels.js'

const yesNo = (v) => (v ? '是' : '否')
const cap = (v) => (v.cap_period ? `${CAP_PERIODS[v.cap_period] || v.cap_period}${v.cap}分` : '不限')
const signed = (n) => `${n > 0 ? '+' : ''}${n}`

// What a version holds, in the order the admin reads it.
const VERSION_FIELDS = [
  ['points', '分值', (v) => signed(v.points)],
  ['cap', '上限', cap],
  ['name', '名称', (v) => v.name],
  ['needs_approval', '需审批', (v) => yesNo(v.needs_approval)],
  ['declarable', '可申报', (v) => yesNo(v.declarable)],
]

/** Each version (newest first, as the API gives them) with what it changed from the one before:
 *  [{...version, changes: ['分值 +5 → +8']}]; version 1 says 首次设立. */
export function versionChanges(versions) {
  const byNumber = new Map(versions.map((v) => [v.version, v]))
  return versions.map((v) => {
    const before = byNumber.get(v.version - 1)
    if (!before) return { ...v, changes: ['首次设立'] }
    const changes = VERSION_FIELDS.filter(([, , show]) => show(before) !== show(v))
      .map(([, label, show]) => `${label} ${show(before)} → ${show(v)}`)
    return { ...v, changes: changes.length ? changes : ['无变化'] }
  })
}

export const CHANGE_KINDS = { transfer: '组织关系转接', type: '类型变更', status: '状态变更' }

/** One dated change of a member as a line: 2026-05-01 组织关系转接：星联电子党支部 → 北辰软件党支部. */
export function describeChange(c) {
  const kind = c.kind === 'type' && c.before === '预备党员' && c.after === '党员' ? '转正' : (CHANGE_KINDS[c.kind] || c.kind)
  return `${c.effective_on} ${kind}：${c.before_label} → ${c.after_label}`
}

/** A membership's time as 2026-05-01 至今 / 启用前 至 2026-05-01. */
export function span(m) {
  return `${m.since || '启用前'} 至 ${m.until || '今'}`
}

// Domain error codes that belong to a field of the member change forms.
const CHANGE_FIELDS = {
  same_org: 'org_id', org_retired: 'org_id', unknown_org: 'org_id', out_of_scope: 'org_id',
  future_date: 'effective_on', before_membership: 'effective_on',
  same_type: 'member_type', invalid_member_type: 'member_type',
}

/** {field: message} from an API error of a change form; {} when it belongs to no field. */
export function changeErrors(err) {
  if (!err || !err.code) return {}
  const fields = typeof err.fieldErrors === 'function' ? err.fieldErrors() : {}
  if (Object.keys(fields).length) return fields
  const field = CHANGE_FIELDS[err.code]
  return field ? { [field]: err.message } : {}
}
