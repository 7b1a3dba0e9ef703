import { describe, expect, it } from 'vitest'
import { awardSummary } from './awards.js'

describe('what the organizer is told about an award', () => {
  it('says a pending award waits for approval', () => {
    const s = awardSummary({ status: 'pending', rule_name: '先锋岗', lines: [{}, {}, {}] })
    expect(s).toEqual({ type: 'warning', title: '已提交审批：3人，等待党委审批后记入', detail: '先锋岗' })
  })
  it('counts how each member came out when applied at once', () => {
    const s = awardSummary({ status: 'applied', lines: [{ outcome: 'applied' }, { outcome: 'applied' }, { outcome: 'cap_reached' }] })
    expect(s.title).toBe('已记入：3人')
    expect(s.detail).toBe('已记入 2人，已达上限未记 1人')
  })
})
