// @vitest-environment jsdom
import { beforeEach, describe, expect, it } from 'vitest'
import { createApi } from '../api.js'
import { bindClient } from './client.js'
import { pageMembers } from './members.js'
import { createRedemption } from './mall.js'
import { importOpening } from './settlement.js'
import { getConsoleTicket } from './auth.js'

let calls
beforeEach(() => {
  calls = []
  const fetchImpl = async (url, init) => {
    calls.push({ url, init })
    const headers = new Map([['X-Pagination', JSON.stringify({ total: 41, total_pages: 3 })]])
    return { ok: true, status: 200, json: async () => [{ id: 1 }], headers: { get: (k) => headers.get(k) } }
  }
  bindClient(createApi({ tokenKey: 'resource-test', fetchImpl }))
})

describe('the resource modules', () => {
  it('page a list with the total from X-Pagination', async () => {
    expect(await pageMembers({ status: 'active', page: 1, page_size: 1 })).toEqual({ rows: [{ id: 1 }], total: 41, totalPages: 3 })
    expect(calls[0].url).toBe('/api/v1/admin/members?status=active&page=1&page_size=1')
  })

  it('send an order with its Idempotency-Key', async () => {
    await createRedemption({ shop_id: 2, items: [] }, 'k-1')
    expect(calls[0]).toMatchObject({ url: '/api/v1/redemptions', init: { method: 'POST', headers: { 'Idempotency-Key': 'k-1' } } })
  })

  it('send a workbook as multipart with the year in the query', async () => {
    const form = new FormData()
    await importOpening(form, 2025)
    expect(calls[0].url).toBe('/api/v1/admin/opening-imports?year=2025')
    expect(calls[0].init.body).toBe(form)
  })

  it('escape a ticket in its path', async () => {
    await getConsoleTicket('a/b')
    expect(calls[0].url).toBe('/api/v1/auth/console-tickets/a%2Fb')
  })
})
