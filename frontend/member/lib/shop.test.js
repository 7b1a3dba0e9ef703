import { describe, expect, it } from 'vitest'
import { maxQuantity } from './shop.js'

describe('how many a member can redeem', () => {
  it('is bounded by stock, the limit left and the points', () => {
    expect(maxQuantity({ on_hand: 10, limit_left: null, points_price: 20 }, 100)).toBe(5)
    expect(maxQuantity({ on_hand: 10, limit_left: 1, points_price: 20 }, 100)).toBe(1)
    expect(maxQuantity({ on_hand: 0, limit_left: null, points_price: 20 }, 100)).toBe(0)
    expect(maxQuantity({ on_hand: 10, limit_left: 3, points_price: 50 }, 40)).toBe(0)
  })
})
