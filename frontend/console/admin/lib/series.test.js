import { describe, expect, it } from 'vitest'
import { attendanceByOrg, bucketOption, branchBoardOption, dimensionBoardOption, fundingOption, monthOption, monthsBetween } from './series.js'
import { nextStep, pages, rowsThatFit } from './pager.js'

const report = {
  headline: '3人兑换物品，价值120.00元',
  by_month: [{ name: '2026-01', redeemers: 2, value_at_cost: 80 }, { name: '2026-03', redeemers: 1, value_at_cost: 40 }],
  by_funding_source: [{ name: '综合党委', value_at_cost: 90 }, { name: '', value_at_cost: 30 }],
  by_shop: [{ name: '小站', value_at_cost: 20, redeemers: 1 }, { name: '中心', value_at_cost: 100, redeemers: 2 }],
}

describe('report series', () => {
  it('lists every month of the period, across a year end', () => {
    expect(monthsBetween('2025-11-15', '2026-02-01')).toEqual(['2025-11', '2025-12', '2026-01', '2026-02'])
  })

  it('fills months without handovers with zero', () => {
    const o = monthOption(report, '2026-01-01', '2026-03-31')
    expect(o.xAxis.data).toEqual(['2026-01', '2026-02', '2026-03'])
    expect(o.series[0].data).toEqual([80, 0, 40])
    expect(o.series[1].data).toEqual([2, 0, 1])
  })

  it('names an unnamed funder and puts the largest shop on top', () => {
    expect(fundingOption(report).series[0].data.map((d) => d.name)).toEqual(['综合党委', '未注明'])
    expect(bucketOption(report.by_shop).yAxis.data).toEqual(['小站', '中心'])
  })

  it('sums attendance per organisation and computes its rate', () => {
    const rows = [
      { org: 'A', expected: 10, present: 8, on_leave: 1, absent: 1 },
      { org: 'A', expected: 10, present: 6, on_leave: 0, absent: 4 },
      { org: 'B', expected: 0, present: 0, on_leave: 0, absent: 0 },
    ]
    const [a, b] = attendanceByOrg(rows)
    expect(a).toMatchObject({ org: 'A', activities: 2, expected: 20, present: 14, absent: 5, rate: 0.7 })
    expect(b.rate).toBeNull()
  })

  it('stacks the branch board by dimension as averages per member', () => {
    const o = branchBoardOption({ rows: [{ org: 'A', members: 4, by_dimension: { study: 10, service: 2 } }] })
    expect(o.series.map((s) => s.name)).toEqual(['学习', '服务', '业绩', '道德', '廉洁'])
    expect(o.series[0].data).toEqual([2.5])
    expect(o.series[2].data).toEqual([0])
  })
})

it('leaves dimensions nobody scored in out of the board ring', () => {
  const o = dimensionBoardOption({ rows: [{ dimension: 'study', score: 0 }, { dimension: 'service', score: 15 }] })
  expect(o.series[0].data.map((d) => [d.name, d.value])).toEqual([['服务', 15]])
  expect(o.series[0].data[0].itemStyle.color).toBe('#4fc3f7') // 服务's colour in the branch view too
})

describe('the wall screen pager', () => {
  it('splits rows into pages and always has one', () => {
    expect(pages([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]])
    expect(pages([], 10)).toEqual([[]])
  })

  it('goes through the pages of a view, then to the next view, then round again', () => {
    const views = ['points', 'branches', 'dimensions']
    const counts = { points: 2, branches: 1, dimensions: 1 }
    let s = { view: 'points', page: 0 }
    const seen = []
    for (let i = 0; i < 5; i++) { s = nextStep(s, counts, views); seen.push(`${s.view}:${s.page}`) }
    expect(seen).toEqual(['points:1', 'branches:0', 'dimensions:0', 'points:0', 'points:1'])
  })

  it('fits rows to the screen height within bounds', () => {
    expect(rowsThatFit(1080)).toBe(17)
    expect(rowsThatFit(300)).toBe(5)
    expect(rowsThatFit(4000)).toBe(20)
  })
})
