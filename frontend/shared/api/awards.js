// Awards: points given by an organizer under a rule, approved by another where the rule asks.
import { http } from './client.js'

/** One award; the key makes a retry of the same submit apply it once. */
export const createAward = (body, idempotencyKey) => http.post('/api/v1/awards', body, { 'Idempotency-Key': idempotencyKey })
export const pendingAwards = () => http.get('/api/v1/awards/pending')
/** how: approve | reject. */
export const decideAward = (id, how, note) => http.post(`/api/v1/awards/${id}/${how}`, { note })
