import { describe, expect, it } from 'vitest'
import { localDay, when } from './labels.js'

describe('times shown to the admin', () => {
  it('shows an API moment as local wall-clock time and today as the local date', () => {
    const iso = '2026-07-01T01:30:05+00:00'
    const d = new Date(iso)
    expect(when(iso)).toBe(`${localDay(d)} ${String(d.getHours()).padStart(2, '0')}:30`)
    expect(when(iso, true).endsWith(':30:05')).toBe(true)
    expect(when(null)).toBe('')
    expect(localDay(new Date(2026, 0, 5))).toBe('2026-01-05')
  })
})
