// The console's routes: log-in, the pages of each role inside the layout (side menu by grants),
// full-screen pages (the projector) and the public board outside it. Each role's pages come from
// its own routes.js; see README-plugins.md for adding one.
import { createRouter, createWebHistory } from 'vue-router'
import './shared/pages.css' // the list pages' shared styles, before any section's own
import { routes as adminRoutes, publicRoutes as adminPublic } from './admin/routes.js'
import { routes as archiveRoutes } from './archive/routes.js'
import { routes as declarationRoutes } from './declarations/routes.js'
import { routes as publicityRoutes } from './publicity/routes.js'
import { routes as settlementRoutes } from './settlement/routes.js'
import { api, attachRouter, withoutRedirect } from './api.js'
import { homeFor, allows } from './lib/roles.js'
import { routes as keeperRoutes } from './keeper/routes.js'
import { fullScreenRoutes, routes as organizerRoutes } from './organizer/routes.js'
import { useSession } from './stores/session.js'

export const menuRoutes = [...organizerRoutes, ...declarationRoutes, ...publicityRoutes, ...archiveRoutes, ...keeperRoutes,
  ...adminRoutes, ...settlementRoutes]

const routes = [
  { path: '/login', name: 'login', component: () => import('./shell/LoginPage.vue'), meta: { title: '登录', public: true } },
  ...adminPublic,
  ...fullScreenRoutes,
  {
    path: '/',
    component: () => import('./shell/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'home', component: () => import('./shell/NoRolePage.vue'), meta: { title: '工作台' } },
      { path: 'forbidden', name: 'forbidden', component: () => import('./shell/ForbiddenPage.vue'), meta: { title: '没有权限' } },
      ...menuRoutes,
      { path: ':rest(.*)*', name: 'not-found', component: () => import('./shell/NotFoundPage.vue'), meta: { title: '页面不存在' } },
    ],
  },
]

export function makeRouter() {
  const router = createRouter({ history: createWebHistory('/console/'), routes })
  attachRouter(router)
  router.beforeEach(async (to) => {
    if (to.meta.public) return true
    if (!api.token()) return { name: 'login', query: { next: to.fullPath } }
    const session = useSession()
    if (!session.loaded) {
      try {
        await withoutRedirect(() => session.load())
      } catch (e) {
        return api.token() ? { name: 'forbidden', query: { reason: e.message } } : { name: 'login', query: { next: to.fullPath } }
      }
    }
    if (to.name === 'home') {
      const home = homeFor(session.roles)
      if (home) return home
    }
    if (to.meta.role && !allows(session.roles, to.meta.role)) {
      return { name: 'forbidden', query: { role: to.meta.role, from: to.fullPath } }
    }
    return true
  })
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · 积分超市工作台` : '积分超市工作台'
  })
  return router
}
