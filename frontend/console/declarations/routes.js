// The declarations pages of the console (see README-plugins.md).
export const routes = [
  { path: '/declarations', name: 'declarations', component: () => import('./DeclarationsPage.vue'), meta: { title: '申报审核', role: 'organizer', icon: 'DocumentChecked' } },
]
