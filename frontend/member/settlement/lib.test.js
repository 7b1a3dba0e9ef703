import { describe, expect, it } from 'vitest'
import { lapseLine } from './lib.js'

describe('lapseLine', () => {
  it('says how much lapses and when', () => {
    expect(lapseLine({ points: 80, lapse_on: '2027-01-01' })).toBe('80分将于2027年1月1日到期')
  })
  it('says nothing when nothing lapses', () => {
    expect(lapseLine({ points: 0, lapse_on: '2027-01-01' })).toBe('')
    expect(lapseLine(null)).toBe('')
  })
})
