// 操作日志: who changed what and when.
import { http } from './client.js'

export const auditTrail = (query) => http.get('/api/v1/admin/audit', query)
