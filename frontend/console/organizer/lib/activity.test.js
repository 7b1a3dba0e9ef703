import { describe, expect, it } from 'vitest'
import { activityBody, formFromActivity } from './activity.js'
import { byDay, calendarRange, maskName } from './format.js'

describe('the activity form', () => {
  it('starts a new activity at the next full hour for two hours', () => {
    const f = formFromActivity(null)
    expect(f.starts_at.getMinutes()).toBe(0)
    expect(f.ends_at - f.starts_at).toBe(2 * 3600 * 1000)
    expect(f.starts_at > new Date()).toBe(true)
  })
  it('sends the geofence only when it is switched on, and as numbers', () => {
    const f = { ...formFromActivity(null), title: ' 主题党日 ', latitude: '30.57', longitude: '104.06', radius_m: '300' }
    expect(activityBody(f, true)).toMatchObject({ title: '主题党日', latitude: 30.57, longitude: 104.06, radius_m: 300 })
    expect(activityBody(f, false)).toMatchObject({ latitude: null, longitude: null, radius_m: null })
  })
  it('keeps an empty capacity and rule as null (no limit, no points)', () => {
    const body = activityBody(formFromActivity(null), false)
    expect(body.capacity).toBe(null)
    expect(body.rule_code).toBe(null)
  })
})

describe('the calendar and the projector', () => {
  it('groups activities by the local day they start, earliest first', () => {
    const at = (d, h) => new Date(2026, 6, d, h).toISOString()
    const days = byDay([{ id: 1, starts_at: at(1, 15) }, { id: 2, starts_at: at(1, 9) }, { id: 3, starts_at: at(2, 9) }])
    expect(Object.keys(days)).toEqual(['2026-07-01', '2026-07-02'])
    expect(days['2026-07-01'].map((a) => a.id)).toEqual([2, 1])
  })
  it('masks names the way the board does', () => {
    expect(maskName('张三明')).toBe('张*明')
    expect(maskName('李四')).toBe('李*')
    expect(maskName('欧阳小明')).toBe('欧**明')
  })
})

describe('the calendar asks for the weeks it shows', () => {
  it('from the Monday on or before the 1st, six weeks long', () => {
    expect(calendarRange(new Date(2026, 6, 15))).toEqual({ from: '2026-06-29', to: '2026-08-09' })
    expect(calendarRange(new Date(2026, 5, 3))).toEqual({ from: '2026-06-01', to: '2026-07-12' })
  })
})
