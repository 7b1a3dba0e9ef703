// The points rules (积分细则): the active ones anyone may use, and the admin's catalogue with its versions.
import { http } from './client.js'

export const listRules = () => http.get('/api/v1/rules')
export const declarableRules = () => http.get('/api/v1/declarable-rules')

export const adminRules = () => http.get('/api/v1/admin/rules')
export const createRule = (body) => http.post('/api/v1/admin/rules', body)
export const updateRule = (id, body) => http.patch(`/api/v1/admin/rules/${id}`, body)
export const retireRule = (id) => http.post(`/api/v1/admin/rules/${id}/retire`)
export const ruleVersions = (id) => http.get(`/api/v1/admin/rules/${id}/versions`)
