// Notifications: the admin's outbox of WeChat sends, the member's inbox.
import { http } from './client.js'

export const listOutbox = () => http.get('/api/v1/admin/outbox')
export const resendMessage = (id) => http.post(`/api/v1/admin/outbox/${id}/resend`)

export const myMessages = (query) => http.get('/api/v1/me/messages', query)
export const markRead = (id) => http.post(`/api/v1/me/messages/${id}/read`)
export const markAllRead = () => http.post('/api/v1/me/messages/read-all')
