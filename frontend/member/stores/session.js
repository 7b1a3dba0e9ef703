// Who is logged in: the member token (kept by the API client) and the member's own page (/me).
import { defineStore } from 'pinia'
import { api } from '../api.js'

export const useSession = defineStore('session', {
  state: () => ({ token: api.token(), me: null, rank: null }),
  getters: { loggedIn: (s) => !!s.token },
  actions: {
    signIn(token) {
      api.setToken(token)
      this.token = token
    },
    signOut() {
      api.setToken('')
      this.token = ''
      this.me = null
      this.rank = null
    },
    async loadMe() {
      this.me = await api.get('/api/v1/me')
      const board = await api.get('/api/v1/boards/points', { org_id: this.me.member.org_id, limit: 1 })
      this.rank = { rank: board.my_rank, of: board.members, org: board.org }
      return this.me
    },
  },
})
