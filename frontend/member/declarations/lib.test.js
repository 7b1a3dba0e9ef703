import { describe, expect, it } from 'vitest'
import { checkForm, dayLabel, fieldErrorsOf, isoDay, ruleLabel, statusName, statusTag } from './lib.js'

const NOW = new Date(2026, 10, 23, 15, 0)

describe('my declarations', () => {
  it('names statuses', () => {
    expect(statusName('returned')).toBe('已退回，待补充')
    expect(statusTag('approved')).toBe('success')
  })
  it('writes days', () => {
    expect(isoDay(new Date(2026, 0, 5))).toBe('2026-01-05')
    expect(dayLabel('2026-11-02', NOW)).toBe('11月2日')
    expect(dayLabel('2025-12-31', NOW)).toBe('2025年12月31日')
  })
  it('labels a rule with its dimension and points', () => {
    expect(ruleLabel({ name: '志愿服务', dimension: 'service', points: 5 })).toBe('志愿服务（服务 +5分）')
  })
  it('checks the form as the API would', () => {
    expect(checkForm({ rule_id: 1, occurred_on: '2026-11-23', title: '植树', photos: [] }, NOW)).toEqual({})
    const bad = checkForm({ rule_id: null, occurred_on: '2026-11-24', title: ' ', photos: [1, 2, 3, 4, 5, 6, 7] }, NOW)
    expect(Object.keys(bad).sort()).toEqual(['occurred_on', 'photos', 'rule_id', 'title'])
    expect(checkForm({ rule_id: 1, occurred_on: '2025-12-30', title: 'x' }, NOW).occurred_on).toContain('2026年')
  })
  it('puts an API error beside its field', () => {
    expect(fieldErrorsOf({ code: 'duplicate_declaration', message: '已申报过', fieldErrors: () => ({}) }))
      .toEqual({ occurred_on: '已申报过' })
    expect(fieldErrorsOf({ code: 'invalid_input', message: 'x', fieldErrors: () => ({ title: '必填' }) })).toEqual({ title: '必填' })
    expect(fieldErrorsOf({ code: 'forbidden', message: 'x', fieldErrors: () => ({}) })).toEqual({})
  })
})
