// Who is logged in: the member token (kept by the API client) and the member's own page (/me).
import { defineStore } from 'pinia'
import { api } from '../api.js'
import { pointsBoard } from '@shared/api/board.js'
import { getMe } from '@shared/api/me.js'

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
      this.me = await getMe()
      const board = await pointsBoard({ org_id: this.me.member.org_id, limit: 1 })
      this.rank = { rank: board.my_rank, of: board.members, org: board.org }
      return this.me
    },
  },
})
