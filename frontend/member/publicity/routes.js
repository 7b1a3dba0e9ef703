// The member's publicity pages under /m/: the 公示 of my branch, an appeal, my appeals.
export const routes = [
  { path: '/publicity', component: () => import('./PublicityPage.vue'), meta: { title: '积分公示' } },
  { path: '/publicity/:id(\\d+)', component: () => import('./PublicityPage.vue'), meta: { title: '积分公示' } },
  { path: '/publicity/:id(\\d+)/appeal', component: () => import('./AppealForm.vue'), meta: { title: '积分申诉' } },
  { path: '/appeals', component: () => import('./AppealsPage.vue'), meta: { title: '我的申诉' } },
]
