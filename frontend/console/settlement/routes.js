// The settlement pages of the console (see README-plugins.md).
export const routes = [
  { path: '/admin/settlement', name: 'admin-settlement', component: () => import('./SettlementPage.vue'), meta: { title: '年度结算', role: 'admin', icon: 'Calendar' } },
  { path: '/admin/opening', name: 'admin-opening', component: () => import('./OpeningPage.vue'), meta: { title: '期初积分导入', role: 'admin', icon: 'Upload' } },
]
