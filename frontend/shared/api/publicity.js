// 积分公示: score sheets, 公示 with their window for appeals, and the appeals.
import { http } from './client.js'

export const scoreSheet = (query) => http.get('/api/v1/score-sheets', query)
export const downloadScoreSheet = (query, filename) => http.download('/api/v1/score-sheets', { ...query, format: 'xlsx' }, filename)
export const listPublicities = () => http.get('/api/v1/publicities')
export const getPublicity = (id) => http.get(`/api/v1/publicities/${id}`)
export const downloadPublicity = (id, filename) => http.download(`/api/v1/publicities/${id}`, { format: 'xlsx' }, filename)
export const publish = (body) => http.post('/api/v1/publicities', body)
export const listAppeals = (query) => http.get('/api/v1/appeals', query)
/** mode: correct | refuse. */
export const resolveAppeal = (id, mode, body) => http.post(`/api/v1/appeals/${id}/${mode}`, body)

// The member's side.
export const myPublicities = () => http.get('/api/v1/me/publicities')
export const myPublicity = (id, query) => http.get(`/api/v1/me/publicities/${id}`, query)
export const myPublicityEntries = (id) => http.get(`/api/v1/me/publicities/${id}/entries`)
export const myPublicityRules = (id) => http.get(`/api/v1/me/publicities/${id}/rules`)
export const appeal = (id, body) => http.post(`/api/v1/me/publicities/${id}/appeals`, body)
export const myAppeals = () => http.get('/api/v1/me/appeals')
