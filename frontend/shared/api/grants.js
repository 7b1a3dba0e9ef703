// Who may manage what: the grants of the console's roles.
import { http } from './client.js'

export const listGrants = () => http.get('/api/v1/admin/grants')
export const createGrant = (body) => http.post('/api/v1/admin/grants', body)
export const revokeGrant = (id) => http.del(`/api/v1/admin/grants/${id}`)
