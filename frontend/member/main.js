import { createApp } from 'vue'
import { createPinia } from 'pinia'
import App from './App.vue'
import vant from './vant.js'
import { whenUnauthorized } from './api.js'
import { makeRouter } from './router.js'
import { useSession } from './stores/session.js'
import './member.css'

const app = createApp(App)
const pinia = createPinia()
app.use(pinia)
const session = useSession()
const router = makeRouter(session)
// An expired or revoked token: log in again and come back to the same page.
whenUnauthorized(() => {
  session.signOut()
  const here = router.currentRoute.value
  if (!here.meta.public) router.replace({ path: '/login', query: { next: '/m' + here.fullPath } })
})
app.use(router).use(vant).mount('#app')
