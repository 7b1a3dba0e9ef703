import { describe, expect, it } from 'vitest'
import { entryEffect, groupedCode, signed, stars, when } from './format.js'

describe('format', () => {
  it('keeps the two numbers apart in words', () => {
    expect(entryEffect({ delta_score: 2, delta_spendable: 2 })).toBe('年度积分 +2，超市积分 +2')
    expect(entryEffect({ delta_score: 0, delta_spendable: -20 })).toBe('超市积分 −20')
  })
  it('signs and groups', () => {
    expect(signed(5)).toBe('+5')
    expect(groupedCode('12345678')).toBe('1234 5678')
    expect(stars(3)).toBe('★★★☆☆')
  })
  it('shows the year only when it is not this year', () => {
    const now = new Date(2026, 10, 23)
    expect(when(new Date(2026, 10, 23, 9, 5).toISOString(), now)).toBe('11月23日 09:05')
    expect(when(new Date(2025, 0, 2, 14, 30).toISOString(), now)).toBe('2025年1月2日 14:30')
  })
})

describe('QR svg', () => {
  it('gets a viewBox and loses its fixed size, so it fills its box', async () => {
    const { scalableSvg } = await import('./format.js')
    const out = scalableSvg('<svg width="250" height="250" class="segno"><path d="M0 0"/></svg>')
    expect(out).toBe('<svg viewBox="0 0 250 250" class="segno"><path d="M0 0"/></svg>')
    expect(scalableSvg('<svg viewBox="0 0 1 1"></svg>')).toBe('<svg viewBox="0 0 1 1"></svg>')
    expect(scalableSvg(null)).toBe('')
  })
})
