// The member's own: who they are, their code, their points ledger, their evidence photos.
import { http } from './client.js'

export const getMe = () => http.get('/api/v1/me')
export const myQr = () => http.get('/api/v1/me/qr')
/** A one-time binding code to move to a new WeChat, made on the one already bound. */
export const myBindingCode = () => http.post('/api/v1/me/binding-code')
export const myLedger = (query) => http.get('/api/v1/me/ledger', query)
export const uploadMyPhoto = (form) => http.post('/api/v1/me/photos', form)
