import { describe, expect, it } from 'vitest'
import { cursorPager, dimensionChart, ledgerQuery, memberQuery, signed, stars } from './archive.js'

describe('the keyset pager', () => {
  it('goes forward with the next cursor and back to the cursor each page was opened with', () => {
    const p = cursorPager()
    expect(p.page).toBe(1)
    expect(p.next('c2')).toBe('c2')
    expect(p.next('c3')).toBe('c3')
    expect(p.page).toBe(3)
    expect(p.back()).toBe('c2')
    expect(p.back()).toBe(null)
    expect(p.back()).toBe(null)
    expect(p.page).toBe(1)
  })
  it('stays on the last page when there is no next cursor, and starts over on reset', () => {
    const p = cursorPager()
    p.next('c2')
    expect(p.next(null)).toBe('c2')
    expect(p.reset()).toBe(null)
    expect(p.page).toBe(1)
  })
})

describe('the queries the forms send', () => {
  it('leaves empty filters out and splits the period', () => {
    expect(ledgerQuery({ member_id: null, org_id: 3, kind: '', dimension: 'study', rule_id: undefined,
                         period: ['2026-01-01', '2026-03-31'], late_only: false }))
      .toEqual({ org_id: 3, dimension: 'study', from: '2026-01-01', to: '2026-03-31' })
    expect(ledgerQuery({ late_only: true, period: null })).toEqual({ late_only: true })
  })
  it('reads digits as a phone and anything else as a name', () => {
    expect(memberQuery({ text: ' 0001 ' })).toEqual({ phone: '0001' })
    expect(memberQuery({ text: '张明', org_id: 5, status: '' })).toEqual({ name: '张明', org_id: 5 })
    expect(memberQuery({ text: '' })).toEqual({})
  })
})

describe('figures', () => {
  it('draws one bar per dimension, zero where there is no score', () => {
    const option = dimensionChart({ study: 4, integrity: -3 })
    expect(option.xAxis.data).toEqual(['学习', '服务', '业绩', '道德', '廉洁'])
    expect(option.series[0].data).toEqual([4, 0, 0, 0, -3])
  })
  it('signs points and draws five stars', () => {
    expect([signed(5), signed(-3), signed(0)]).toEqual(['+5', '-3', '0'])
    expect(stars(2)).toBe('★★☆☆☆')
  })
})
