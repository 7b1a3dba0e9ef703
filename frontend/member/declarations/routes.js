// The member's declarations pages under /m/.
export const routes = [
  { path: '/declarations', component: () => import('./DeclarationsPage.vue'), meta: { title: '我的申报' } },
  { path: '/declarations/new', component: () => import('./DeclarationForm.vue'), meta: { title: '申报积分' } },
  { path: '/declarations/:id(\\d+)', component: () => import('./DeclarationPage.vue'), meta: { title: '申报详情' } },
  { path: '/declarations/:id(\\d+)/edit', component: () => import('./DeclarationForm.vue'), meta: { title: '补充申报' } },
]
