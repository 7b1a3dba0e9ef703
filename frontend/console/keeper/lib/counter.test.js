import { describe, expect, it } from 'vitest'
import { handoverLine } from './counter.js'

describe('today’s handovers', () => {
  it('show the time of the handover, the masked name and the goods', () => {
    const closed = new Date(2026, 10, 23, 9, 5)
    const line = handoverLine({ closed_at: closed.toISOString(), member_name: '张*明',
      lines: [{ name: '毛巾', qty: 2 }, { name: '大米5kg', qty: 1 }] })
    expect(line).toBe('09:05 张*明 · 毛巾×2、大米5kg×1')
  })
})
