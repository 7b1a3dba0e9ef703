// Logging in: staff to the console (password, WeChat, the QR ticket), members through WeChat's web log-in.
import { http } from './client.js'

const ticketPath = (ticket) => `/api/v1/auth/console-tickets/${encodeURIComponent(ticket)}`

export const getSession = () => http.get('/api/v1/auth/session')
export const staffLogin = (username, password) => http.post('/api/v1/auth/staff-login', { username, password })
export const wechatLogin = (code) => http.post('/api/v1/auth/wechat-login', { code })

/** The console's QR log-in: a new ticket, its state, and the member's answer from the phone. */
export const createConsoleTicket = () => http.post('/api/v1/auth/console-tickets')
export const getConsoleTicket = (ticket) => http.get(ticketPath(ticket))
export const answerConsoleTicket = (ticket, action) => http.post(`${ticketPath(ticket)}/${action}`)

/** The member's WeChat web log-in: where to send the browser, the code it brings back, the binding. */
export const webAuthorize = (query) => http.get('/api/v1/auth/web-authorize', query)
export const webLogin = (code) => http.post('/api/v1/auth/web-login', { code })
/** Binding proves who you are: { phone, sms_code } (the code from sendSmsCode), { binding_code } or { phone_code }. */
export const bindMember = (body, bindingToken) =>
  http.post('/api/v1/auth/bind', body, { Authorization: `Bearer ${bindingToken}` })
export const sendSmsCode = (phone, bindingToken) =>
  http.post('/api/v1/auth/sms-codes', { phone }, { Authorization: `Bearer ${bindingToken}` })

/** The JS-SDK's signature for the page at this address. */
export const jsapiConfig = (url) => http.get('/api/v1/wechat/jsapi-config', { url })
