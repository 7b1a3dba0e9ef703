// What every console page does with an answer: field errors beside the form field, other errors as a
// message, and the dates a search form starts from.
import { ElMessage } from 'element-plus'
import { ApiError } from '@shared/api.js'
import { localDay } from './labels.js'

// Domain error codes that belong to one form field, so the message shows beside it.
const FIELD_OF_CODE = {
  duplicate_phone: 'phone', invalid_phone: 'phone', invalid_name: 'name', duplicate_org: 'name',
  unknown_org: 'org_id', org_retired: 'org_id', invalid_member_type: 'member_type', duplicate_rule: 'code',
  invalid_rule: 'name', invalid_points: 'points', invalid_cap: 'cap', invalid_dimension: 'dimension',
  move_into_own_subtree: 'parent_id', unknown_user: 'username', unknown_member: 'member_id', invalid_scope: 'org_id',
}

/** {field: message} for an el-form from an ApiError; anything that is no field's is shown as a message. */
export function formErrors(err) {
  if (!(err instanceof ApiError)) {
    ElMessage.error('出错了，请稍后再试')
    return {}
  }
  const fields = err.fieldErrors()
  if (Object.keys(fields).length) return fields
  const field = FIELD_OF_CODE[err.code]
  if (field) return { [field]: err.message }
  ElMessage.error(err.message)
  return {}
}

/** {field: message} from an error, for forms that say the rest of it themselves. */
export const fieldsOf = (err) => (err instanceof ApiError ? err.fieldErrors() : {})

/** Run an action and say its API error as a message (for buttons that have no form). */
export async function attempt(fn, success) {
  try {
    const out = await fn()
    if (success) ElMessage.success(success)
    return out
  } catch (err) {
    ElMessage.error(err instanceof ApiError ? err.message : '出错了，请稍后再试')
    return undefined
  }
}

export const today = () => localDay()
export const yearStart = () => `${new Date().getFullYear()}-01-01`
