// One filtered ledger, a page at a time by the API's keyset cursor (no page numbers: 上一页 / 下一页).
import { reactive, ref } from 'vue'
import { ApiError } from '@shared/api.js'
import { archiveLedger } from '@shared/api/archive.js'
import { cursorPager } from './lib/archive.js'

export function useLedger(query, pageSize = 50) {
  const rows = ref([])
  const state = reactive({ loading: false, page: 1, hasNext: false, error: '', fieldErrors: {} })
  let pager = cursorPager()
  let next = null

  async function fetchPage(cursor) {
    state.loading = true
    state.error = ''
    state.fieldErrors = {}
    try {
      const out = await archiveLedger({ ...query(), limit: pageSize, ...(cursor ? { cursor } : {}) })
      rows.value = out.entries
      next = out.next_cursor
      state.hasNext = Boolean(next)
      state.page = pager.page
    } catch (err) {
      if (!(err instanceof ApiError)) throw err
      state.fieldErrors = err.fieldErrors()
      state.error = err.message
    } finally { state.loading = false }
  }
  return {
    rows, state,
    first() { pager = cursorPager(); return fetchPage(null) },
    forward() { if (next) return fetchPage(pager.next(next)) },
    back() { return fetchPage(pager.back()) },
  }
}
