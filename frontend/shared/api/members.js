// The roll of members: search, edit, lifecycle changes, export and the workbook import.
import { getPage, http } from './client.js'

const member = (id) => `/api/v1/admin/members/${id}`

/** A page of members: {rows, total}. */
export const pageMembers = (query) => getPage('/api/v1/admin/members', query)
/** Members as a plain list (a picker's search, a branch's roll). */
export const listMembers = (query) => http.get('/api/v1/admin/members', query)
export const createMember = (body) => http.post('/api/v1/admin/members', body)
export const updateMember = (id, body) => http.patch(member(id), body)
export const deactivateMember = (id, note) => http.post(`${member(id)}/deactivate`, { note })
export const activateMember = (id, note) => http.post(`${member(id)}/activate`, { note })
export const transferMember = (id, body) => http.post(`${member(id)}/transfer`, body)
export const changeMemberType = (id, body) => http.post(`${member(id)}/type`, body)
/** A one-time binding code (绑定码) for the member to bind a WeChat with: {code, expires_at, member_name}. */
export const issueBindingCode = (id) => http.post(`${member(id)}/binding-code`)
export const memberHistory = (id) => http.get(`${member(id)}/history`)
export const exportMembers = (query, filename) => http.download('/api/v1/admin/members/export', query, filename)
export const checkMemberImport = (form) => http.post('/api/v1/admin/members/import/check', form)
export const importMembers = (form) => http.post('/api/v1/admin/members/import', form)
