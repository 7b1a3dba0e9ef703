// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { belonged, correctionDefaults, lastMonth, periodStart, printHeading } from './lib.js'

describe('publicity page logic', () => {
  it('starts at the first day of last month, across a year end', () => {
    expect(lastMonth(new Date(2026, 0, 15))).toBe('2025-12-01')
    expect(lastMonth(new Date(2026, 10, 23))).toBe('2026-10-01')
  })
  it('turns a picked day into the first day of its period', () => {
    expect(periodStart('month', '2026-05-20')).toBe('2026-05-01')
    expect(periodStart('quarter', '2026-05-20')).toBe('2026-04-01')
    expect(periodStart('quarter', '2026-12-31')).toBe('2026-10-01')
    expect(periodStart('year', '2026-05-20')).toBe('2026-01-01')
  })
  it('shows the dates of a member transferred mid-period', () => {
    expect(belonged({ belonged_from: null })).toBe('全期')
    expect(belonged({ belonged_from: '2026-10-11', belonged_to: '2026-10-31' })).toBe('2026-10-11 至 2026-10-31')
  })
  it('prints the title, the period and the window', () => {
    const sheet = { org: '星联', label: '2026年10月', start: '2026-10-01', end: '2026-10-31', period_name: '月度', members: 5 }
    expect(printHeading(sheet).title).toBe('星联2026年10月积分汇总表')
    const pub = { title: '星联10月公示', opens_at: '2026-11-01T02:00:00Z', closes_at: '2026-11-06T02:00:00Z', status: 'open' }
    const h = printHeading(sheet, pub)
    expect(h.title).toBe('星联10月公示')
    expect(h.lines[1]).toMatch(/^公示期：11月1日 .* 至 11月6日 .*（公示中）$/)
  })
  it('asks a delta for an entry, the rule points for a missing award', () => {
    expect(correctionDefaults({ kind: 'entry' }).delta).toBe(1)
    expect(correctionDefaults({ kind: 'missing' }).delta).toBe(null)
  })
})
