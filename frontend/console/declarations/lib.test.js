import { describe, expect, it } from 'vitest'
import { approvedMessage, dayName, reasonError, statusName, statusTag, tabLabel } from './lib.js'

describe('declarations inbox', () => {
  it('names statuses and their tags', () => {
    expect(statusName('returned')).toBe('已退回')
    expect(statusTag('approved')).toBe('success')
    expect(statusName('odd')).toBe('odd')
  })
  it('counts each tab and all of them', () => {
    const counts = { submitted: 3, returned: 1, approved: 5, rejected: 0 }
    expect(tabLabel('submitted', counts)).toBe('待审核 (3)')
    expect(tabLabel('all', counts)).toBe('全部 (9)')
    expect(tabLabel('rejected', null)).toBe('未通过 (0)')
  })
  it('says when the cap cut the points', () => {
    expect(approvedMessage({ member_name: '张三', points: 5, rule_points: 5 })).toBe('已批准，张三记入5分')
    expect(approvedMessage({ member_name: '张三', points: 3, rule_points: 5 })).toBe('已批准，张三记入3分（细则5分，本期上限只剩3分）')
  })
  it('wants a reason to reject or return', () => {
    expect(reasonError('  ')).toBe('请填写原因，党员会看到它')
    expect(reasonError('缺照片')).toBe('')
  })
  it('writes a day in Chinese', () => {
    expect(dayName('2026-11-02')).toBe('2026年11月2日')
    expect(dayName(null)).toBe('')
  })
})
