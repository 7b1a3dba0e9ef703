// The members' instance of the one API client; a 401 sends the member back through the log-in.
import { createApi } from '@shared/api.js'
import { bindClient } from '@shared/api/client.js'

export const TOKEN_KEY = 'pm.member.token'
let onUnauthorized = () => {}

export const api = createApi({ tokenKey: TOKEN_KEY, onUnauthorized: () => onUnauthorized() })
bindClient(api)

export function whenUnauthorized(fn) {
  onUnauthorized = fn
}
