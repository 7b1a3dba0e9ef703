import { describe, expect, it } from 'vitest'
import { changeErrors, describeChange, span, versionChanges } from './lifecycle.js'

const v1 = { version: 1, name: '志愿服务', points: 5, cap_period: null, cap: null, needs_approval: false, declarable: false }

describe('rule versions', () => {
  it('says what each version changed from the one before', () => {
    const v2 = { ...v1, version: 2, points: 8 }
    const v3 = { ...v2, version: 3, cap_period: 'month', cap: 16, declarable: true }
    const out = versionChanges([v3, v2, v1])
    expect(out.map((v) => v.changes)).toEqual([
      ['上限 不限 → 每月16分', '可申报 否 → 是'], ['分值 +5 → +8'], ['首次设立']])
  })
  it('a version whose fields match the last one says so', () => {
    expect(versionChanges([{ ...v1, version: 2 }, v1])[0].changes).toEqual(['无变化'])
  })
})

describe('member changes', () => {
  it('reads a change as a dated sentence, 转正 by its name', () => {
    expect(describeChange({ kind: 'transfer', effective_on: '2026-05-01', before_label: '星联', after_label: '北辰' }))
      .toBe('2026-05-01 组织关系转接：星联 → 北辰')
    expect(describeChange({ kind: 'type', effective_on: '2026-06-01', before: '预备党员', after: '党员',
      before_label: '预备党员', after_label: '党员' })).toBe('2026-06-01 转正：预备党员 → 党员')
    expect(span({ since: null, until: '2026-05-01' })).toBe('启用前 至 2026-05-01')
    expect(span({ since: '2026-05-01', until: null })).toBe('2026-05-01 至 今')
  })
  it('puts the API error beside the field it concerns', () => {
    const err = (code, message) => ({ code, message, fieldErrors: () => ({}) })
    expect(changeErrors(err('future_date', '生效日期不能晚于今天'))).toEqual({ effective_on: '生效日期不能晚于今天' })
    expect(changeErrors(err('same_org', '该党员已在'))).toEqual({ org_id: '该党员已在' })
    expect(changeErrors(err('conflict', '操作冲突'))).toEqual({})
    expect(changeErrors({ code: 'invalid_input', message: 'x', fieldErrors: () => ({ org_id: '缺少' }) }))
      .toEqual({ org_id: '缺少' })
  })
})
