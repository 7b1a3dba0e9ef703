// The organizer's (支部书记) pages. meta.role is checked by the router and the menu; meta.menu false
// keeps a detail page out of the side menu.
const ORG = 'organizer'

export const routes = [
  { path: '/activities', name: 'activities', component: () => import('./ActivitiesPage.vue'), meta: { title: '我的活动', role: ORG, icon: 'Calendar' } },
  { path: '/activities/new', name: 'activity-new', component: () => import('./ActivityForm.vue'), meta: { title: '发布活动', role: ORG, icon: 'CirclePlus' } },
  { path: '/activities/:id(\\d+)/edit', name: 'activity-edit', component: () => import('./ActivityForm.vue'), meta: { title: '编辑活动', role: ORG, menu: false } },
  { path: '/activities/:id(\\d+)', name: 'activity', component: () => import('./ActivityPage.vue'), meta: { title: '活动详情', role: ORG, menu: false } },
  { path: '/awards', name: 'awards', component: () => import('./AwardsPage.vue'), meta: { title: '积分申报', role: ORG, icon: 'Medal' } },
  { path: '/approvals', name: 'approvals', component: () => import('./ApprovalsPage.vue'), meta: { title: '奖励审批', role: ORG, icon: 'Stamp' } },
]

// The projector page at the event: no menu, the whole screen for the code and the list.
export const fullScreenRoutes = [
  { path: '/activities/:id(\\d+)/display', name: 'display', component: () => import('./DisplayPage.vue'), meta: { title: '签到大屏', role: ORG } },
]
