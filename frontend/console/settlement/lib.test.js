import { describe, expect, it } from 'vitest'
import { canSettle, confirmText, inheritedText, policyText, runText } from './lib.js'

describe('settlement wording', () => {
  it('says each policy', () => {
    expect(policyText({ mode: 'keep', notice_days: 30 })).toBe('保留')
    expect(policyText({ mode: 'clear_all', notice_days: 30 })).toBe('年末清零，提前30天通知')
    expect(policyText({ mode: 'clear_older', months: 6, notice_days: 15 })).toBe('清除6个月前获得的积分，提前15天通知')
    expect(policyText(null)).toBe('未设置')
  })
  it('says where an inherited policy comes from', () => {
    expect(inheritedText({ own: null, effective: { from_org_id: null } })).toBe('未设置，默认保留')
    expect(inheritedText({ own: null, effective: { from_org_id: 1, from_org: '综合党委', mode: 'clear_all', notice_days: 30 } }))
      .toBe('沿用“综合党委”：年末清零，提前30天通知')
    expect(inheritedText({ own: { mode: 'keep' }, effective: { from_org_id: 3 } })).toBe('')
  })
  it('settles only a year that has ended', () => {
    const now = new Date(2026, 10, 23)
    expect(canSettle(2025, now)).toBe(true)
    expect(canSettle(2026, now)).toBe(false)
    expect(canSettle(NaN, now)).toBe(false)
  })
  it('confirms with the totals and the scope', () => {
    expect(confirmText(2025, { lapse: 120, lapsing_members: 3 }, '')).toContain('全部组织3名党员共120分')
    expect(confirmText(2025, { lapse: 0, lapsing_members: 0 }, '星联电子党支部')).toContain('没有到期的积分')
  })
  it('tells a run by its outcome', () => {
    expect(runText({ status: 'done', members_checked: 10, members_expired: 0 })).toBe('检查10人，没有需要清除的积分')
    expect(runText({ status: 'done', members_checked: 10, members_expired: 2, points_expired: 70 })).toBe('检查10人，2人共70分到期')
  })
})
