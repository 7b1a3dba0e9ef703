// Organisations: the flat list, the tree, and the admin's changes to it.
import { http } from './client.js'

export const listOrgs = () => http.get('/api/v1/admin/orgs')
export const orgTree = (query) => http.get('/api/v1/admin/orgs/tree', query)
export const createOrg = (body) => http.post('/api/v1/admin/orgs', body)
export const updateOrg = (id, body) => http.patch(`/api/v1/admin/orgs/${id}`, body)
export const retireOrg = (id) => http.post(`/api/v1/admin/orgs/${id}/retire`)
