// The admin (党委) pages plugged into the console shell: one route each, with the menu's title, the role
// that sees it and its icon. Pages load on first visit, so the organizer's and keeper's phones never
// download the report charts.
const ADMIN = 'admin'

export const routes = [
  { path: '/admin', name: 'admin-home', component: () => import('./pages/AdminHome.vue'), meta: { title: '党委工作台', role: ADMIN, icon: 'HomeFilled' } },
  { path: '/admin/orgs', name: 'admin-orgs', component: () => import('./pages/OrgsPage.vue'), meta: { title: '组织架构', role: ADMIN, icon: 'Share' } },
  { path: '/admin/members', name: 'admin-members', component: () => import('./pages/MembersPage.vue'), meta: { title: '党员管理', role: ADMIN, icon: 'User' } },
  { path: '/admin/grants', name: 'admin-grants', component: () => import('./pages/GrantsPage.vue'), meta: { title: '授权', role: ADMIN, icon: 'Key' } },
  { path: '/admin/rules', name: 'admin-rules', component: () => import('./pages/RulesPage.vue'), meta: { title: '积分细则', role: ADMIN, icon: 'List' } },
  { path: '/admin/shops', name: 'admin-shops', component: () => import('./pages/ShopsPage.vue'), meta: { title: '超市', role: ADMIN, icon: 'Shop' } },
  { path: '/admin/reports', name: 'admin-reports', component: () => import('./pages/ReportsPage.vue'), meta: { title: '统计报表', role: ADMIN, icon: 'DataAnalysis' } },
  { path: '/admin/outbox', name: 'admin-outbox', component: () => import('./pages/OutboxPage.vue'), meta: { title: '消息发送', role: ADMIN, icon: 'Message' } },
  { path: '/admin/audit', name: 'admin-audit', component: () => import('./pages/AuditPage.vue'), meta: { title: '操作日志', role: ADMIN, icon: 'Document' } },
]

// The public board for the activity-centre screen: no log-in, no menu.
export const publicRoutes = [
  { path: '/board', name: 'board', component: () => import('./board/BoardPage.vue'), meta: { title: '公示栏', public: true } },
]

export default routes
