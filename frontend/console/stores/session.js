// Who is logged in: the token lives in the API client; name, roles and grants come from
// the API's session and are loaded once per page load (and again after a log-in).
import { defineStore } from 'pinia'
import { api } from '../api.js'
import { getSession, staffLogin, wechatLogin } from '@shared/api/auth.js'
import { allows } from '../lib/roles.js'

export const useSession = defineStore('session', {
  state: () => ({ loaded: false, kind: '', id: null, name: '', roles: [], grants: [] }),
  getters: {
    loggedIn: () => !!api.token(),
    orgGrants: (s) => s.grants.filter((g) => g.shop_id === null),
    shopIds: (s) => s.grants.filter((g) => g.shop_id !== null).map((g) => g.shop_id),
  },
  actions: {
    async load() {
      const me = await getSession()
      Object.assign(this, me, { loaded: true })
      return me
    },
    async staffLogin(username, password) {
      const out = await staffLogin(username, password)
      api.setToken(out.token)
      return this.load()
    },
    /** A member holding a grant logs in with a WeChat code (`dev:openid` on the embedded default). */
    async wechatLogin(code) {
      const out = await wechatLogin(code)
      if (out.needs_binding) return { needsBinding: true }
      api.setToken(out.token)
      return this.load()
    },
    /** The token the WeChat QR log-in brought (a member who confirmed on the phone). */
    async enterWithToken(token) {
      api.setToken(token)
      return this.load()
    },
    can(role) { return allows(this.roles, role) },
    logout() {
      api.setToken('')
      this.$reset()
    },
  },
})
