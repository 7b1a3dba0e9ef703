// 申报: a member declares what they did, the organizer approves, rejects or returns it.
import { getPage, http } from './client.js'

export const pageDeclarations = (query) => getPage('/api/v1/declarations', query)
export const declarationCounts = () => http.get('/api/v1/declarations/counts')
/** how: approve | reject | return. */
export const decideDeclaration = (id, how, note) => http.post(`/api/v1/declarations/${id}/${how}`, { note })

export const pageMyDeclarations = (query) => getPage('/api/v1/me/declarations', query)
export const myDeclaration = (id) => http.get(`/api/v1/me/declarations/${id}`)
export const declare = (body) => http.post('/api/v1/me/declarations', body)
export const resubmitDeclaration = (id, body) => http.post(`/api/v1/me/declarations/${id}/resubmit`, body)
