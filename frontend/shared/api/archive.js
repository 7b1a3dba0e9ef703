// 积分档案: members' records across years, and the ledger's lines with their exports.
import { getPage, http } from './client.js'

export const pageArchiveMembers = (query) => getPage('/api/v1/archive/members', query)
export const exportArchiveMembers = (query, filename) => http.download('/api/v1/archive/members/export', query, filename)
export const archiveMember = (id, year) => http.get(`/api/v1/archive/members/${id}`, { year })
export const archiveLedger = (query) => http.get('/api/v1/archive/ledger', query)
export const exportLedger = (query, filename) => http.download('/api/v1/archive/ledger/export', query, filename)
