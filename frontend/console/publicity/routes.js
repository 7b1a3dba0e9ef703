// The publicity pages of the console (see README-plugins.md): 积分公示 for organizers (and admins).
export const routes = [
  { path: '/publicity', name: 'publicity', component: () => import('./PublicityPage.vue'), meta: { title: '积分公示', role: 'organizer', icon: 'Tickets' } },
]
