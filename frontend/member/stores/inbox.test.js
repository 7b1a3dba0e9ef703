import { describe, expect, it } from 'vitest'
import { unreadFirst } from './inbox.js'

describe('inbox order', () => {
  it('puts unread messages first, newest first within each group', () => {
    const m = (id, read) => ({ id, read_at: read ? '2026-11-01T00:00:00Z' : null })
    expect(unreadFirst([m(5, true), m(4, false), m(3, true), m(2, false)]).map((x) => x.id)).toEqual([4, 2, 5, 3])
  })
})
