// The year's end: settlement policies per organisation, the preview, the runs, and opening balances.
import { http } from './client.js'

export const settlementPolicies = () => http.get('/api/v1/admin/settlement/policies')
export const setSettlementPolicy = (orgId, body) => http.put(`/api/v1/admin/settlement/policies/${orgId}`, body)
export const removeSettlementPolicy = (orgId) => http.del(`/api/v1/admin/settlement/policies/${orgId}`)
export const settlementPreview = (query) => http.get('/api/v1/admin/settlement/preview', query)
export const downloadSettlementPreview = (query, filename) =>
  http.download('/api/v1/admin/settlement/preview', { ...query, format: 'xlsx' }, filename)
export const settlementRuns = (query) => http.get('/api/v1/admin/settlement/runs', query)
export const runSettlement = (body) => http.post('/api/v1/admin/settlement/runs', body)

// 期初积分导入.
export const openingImports = (query) => http.get('/api/v1/admin/opening-imports', query)
export const downloadOpeningTemplate = (filename) => http.download('/api/v1/admin/opening-imports/template', {}, filename)
export const checkOpeningImport = (form) => http.post('/api/v1/admin/opening-imports/check', form)
export const importOpening = (form, year) => http.request('POST', '/api/v1/admin/opening-imports', { body: form, query: { year } })
/** The member's own lapse notice: what will expire at the year's end. */
export const myLapse = () => http.get('/api/v1/me/lapse')
