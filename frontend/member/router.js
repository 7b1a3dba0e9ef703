// Pages under /m/. Every page but the log-in needs a member; pages load on first visit, so the
// first page a member opens carries only itself.
import { createRouter, createWebHistory } from 'vue-router'
import HomePage from './pages/HomePage.vue'
import { routes as declarationRoutes } from './declarations/routes.js'
import { routes as publicityRoutes } from './publicity/routes.js'
import { routes as settlementRoutes } from './settlement/routes.js'

const routes = [
  { path: '/', component: HomePage, meta: { tab: 'home', title: '党员积分' } },
  { path: '/login', component: () => import('./pages/LoginPage.vue'), meta: { public: true, title: '登录' } },
  { path: '/checkin', component: () => import('./pages/CheckinPage.vue'), meta: { title: '扫码签到' } },
  { path: '/scan', component: () => import('./pages/ScanPage.vue'), meta: { title: '扫一扫签到' } },
  { path: '/code', component: () => import('./pages/MyCodePage.vue'), meta: { title: '我的二维码' } },
  { path: '/activities', component: () => import('./pages/ActivitiesPage.vue'), meta: { tab: 'activities', title: '活动' } },
  { path: '/activities/:id', component: () => import('./pages/ActivityPage.vue'), meta: { title: '活动详情' } },
  { path: '/points', component: () => import('./pages/PointsPage.vue'), meta: { tab: 'points', title: '积分' } },
  { path: '/shop', component: () => import('./pages/ShopPage.vue'), meta: { tab: 'shop', title: '积分超市' } },
  { path: '/orders', component: () => import('./pages/OrdersPage.vue'), meta: { title: '我的兑换' } },
  { path: '/orders/:id', component: () => import('./pages/OrderPage.vue'), meta: { title: '取货码' } },
  { path: '/console-login', component: () => import('./pages/ConsoleLoginPage.vue'), meta: { title: '登录工作台' } },
  { path: '/messages', component: () => import('./pages/MessagesPage.vue'), meta: { tab: 'messages', title: '消息' } },
  ...declarationRoutes,
  ...publicityRoutes,
  ...settlementRoutes,
  { path: '/:rest(.*)*', redirect: '/' },
]

export function makeRouter(session) {
  const router = createRouter({ history: createWebHistory('/m/'), routes, scrollBehavior: () => ({ top: 0 }) })
  router.beforeEach((to) => {
    if (!to.meta.public && !session.loggedIn) return { path: '/login', query: { next: '/m' + to.fullPath } }
    return true
  })
  router.afterEach((to) => { document.title = to.meta.title || '党员积分' })
  return router
}
