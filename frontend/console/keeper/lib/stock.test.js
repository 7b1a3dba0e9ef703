import { describe, expect, it } from 'vitest'
import { stockBody } from './stock.js'

describe('the stock form', () => {
  it('sends a purchase with its cost in yuan (a JSON number) and who paid', () => {
    expect(stockBody({ kind: 'purchase', qty: 10, unitCost: 18.5, funderId: 3, note: ' 采购单12 ' }))
      .toEqual({ kind: 'purchase', delta: 10, unit_cost: 18.5, funding_org_id: 3, note: '采购单12' })
  })
  it('sends a write-off as a negative count, without cost', () => {
    expect(stockBody({ kind: 'loss', qty: 2, unitCost: 5, funderId: 3, note: '' })).toEqual({ kind: 'loss', delta: -2, note: '' })
  })
  it('keeps the sign of a count correction', () => {
    expect(stockBody({ kind: 'adjustment', qty: -1, note: '' }).delta).toBe(-1)
  })
})
