import { describe, expect, it } from 'vitest'
import { limitText, productBody, productForm } from './goods.js'

describe('the goods form', () => {
  it('words the per-member limit', () => {
    expect(limitText({ per_member_limit: 2, limit_period: 'month' })).toBe('每月每人2件')
    expect(limitText({ per_member_limit: null })).toBe('不限')
  })
  it('sends a limit with its period, and no period without a limit', () => {
    const f = { ...productForm(null), name: ' 洗衣液 ', per_member_limit: 2, limit_period: null }
    expect(productBody(f, false)).toMatchObject({ name: '洗衣液', per_member_limit: 2, limit_period: 'month' })
    expect(productBody({ ...f, per_member_limit: undefined, limit_period: 'year' }, false)).toMatchObject({ per_member_limit: null, limit_period: null })
  })
  it('sends availability only on an edit', () => {
    expect('active' in productBody(productForm(null), false)).toBe(false)
    expect(productBody(productForm(null), true).active).toBe(true)
  })
})
