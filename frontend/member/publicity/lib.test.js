// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { appealBody, fieldOf, windowText } from './lib.js'

describe('member publicity logic', () => {
  const now = new Date(2026, 10, 23, 9, 0)
  it('says how long the window still runs, or that the period is final', () => {
    expect(windowText({ closes_at: new Date(2026, 10, 26, 10, 0).toISOString() }, now)).toMatch(/^公示中，还剩4天（11月26日 10:00截止）$/)
    expect(windowText({ closes_at: new Date(2026, 10, 23, 17, 0).toISOString() }, now)).toMatch(/今天|11月23日 17:00截止/)
    expect(windowText({ closes_at: new Date(2026, 10, 22).toISOString() }, now)).toBe('公示已结束，本期积分已定稿')
  })
  it('sends an entry or a rule, never both, and only uploaded photos', () => {
    const files = [{ status: 'done', key: 'k1' }, { status: 'failed', key: 'k2' }, { status: 'uploading' }]
    expect(appealBody({ kind: 'entry', entry_id: 5, rule_id: 2, reason: ' 少记了 ' }, files))
      .toEqual({ reason: '少记了', photos: ['k1'], entry_id: 5 })
    expect(appealBody({ kind: 'missing', entry_id: 5, rule_id: 2, reason: 'x' }, [])).toEqual({ reason: 'x', photos: [], rule_id: 2 })
  })
  it('puts an error beside the field it concerns', () => {
    expect(fieldOf('entry_not_in_period')).toBe('entry')
    expect(fieldOf('invalid_photos')).toBe('photos')
    expect(fieldOf('appeal_window_closed')).toBe(null)
  })
})
