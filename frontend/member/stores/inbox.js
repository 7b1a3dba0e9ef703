// The member's messages: unread first, newest first within each, and the unread count for the tab bar.
import { defineStore } from 'pinia'
import { markAllRead, markRead, myMessages } from '@shared/api/notify.js'

export function unreadFirst(messages) {
  return [...messages].sort((x, y) => (!x.read_at === !y.read_at ? y.id - x.id : x.read_at ? 1 : -1))
}

export const useInbox = defineStore('inbox', {
  state: () => ({ messages: [], unread: 0, cursor: null, done: false, loading: false }),
  getters: { sorted: (s) => unreadFirst(s.messages) },
  actions: {
    async refresh() {
      const page = await myMessages({ limit: 30 })
      this.messages = page.messages
      this.unread = page.unread
      this.cursor = page.next_cursor
      this.done = !page.next_cursor
    },
    async more() {
      if (this.done || this.loading) return
      this.loading = true
      try {
        const page = await myMessages({ limit: 30, cursor: this.cursor })
        this.messages.push(...page.messages)
        this.cursor = page.next_cursor
        this.done = !page.next_cursor
      } finally {
        this.loading = false
      }
    },
    async read(message) {
      if (message.read_at) return
      await markRead(message.id)
      message.read_at = new Date().toISOString()
      this.unread = Math.max(0, this.unread - 1)
    },
    async readAll() {
      await markAllRead()
      const now = new Date().toISOString()
      for (const m of this.messages) m.read_at = m.read_at || now
      this.unread = 0
    },
  },
})
