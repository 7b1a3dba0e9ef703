// The console's one handle on the shared API client (frontend/shared/api.js). A 401 anywhere sends
// the user back to log in; a 403 "forbidden" (no grant for the role at all) opens the page that says
// which role is needed. Other 403s (out of scope, own award) stay as the page's message.
import { createApi } from '@shared/api.js'
import { bindClient } from '@shared/api/client.js'

export const TOKEN_KEY = 'pm.console.token'

let router = null
/** The router is created after the client, so it is handed over once it exists. */
export function attachRouter(r) { router = r }

// While the router's own guard loads the session it redirects by itself (with the page asked for as
// ?next=), so a 401 then must not start a second navigation that would lose that page.
let guarded = 0
export async function withoutRedirect(fn) {
  guarded += 1
  try { return await fn() } finally { guarded -= 1 }
}

function currentPath() {
  return router ? router.currentRoute.value.fullPath : '/'
}

async function fetchWatching(url, init) {
  const response = await fetch(url, init)
  if (response.status === 403 && router) {
    try {
      const body = await response.clone().json()
      if (body.error && body.error.code === 'forbidden') {
        router.push({ name: 'forbidden', query: { role: (body.error.details || {}).role || '', from: currentPath() } })
      }
    } catch (e) { /* not the envelope */ }
  }
  return response
}

export const api = createApi({
  tokenKey: TOKEN_KEY,
  fetchImpl: fetchWatching,
  onUnauthorized() {
    api.setToken('')
    if (!router || guarded) return
    const here = router.currentRoute.value
    if (here.name !== 'login' && !here.meta.public) router.push({ name: 'login', query: { next: here.fullPath } })
  },
})
bindClient(api)
