// The archive pages of the console (see README-plugins.md): 积分档案 (member search → one member's
// page) and 积分明细查询 (the ledger across the caller's scope). Organizers see their subtree, admins all.
import './archive.css'

const ORG = 'organizer'

export const routes = [
  { path: '/archive', name: 'archive', component: () => import('./MembersSearchPage.vue'), meta: { title: '积分档案', role: ORG, icon: 'Files' } },
  { path: '/archive/members/:id(\\d+)', name: 'archive-member', component: () => import('./MemberArchivePage.vue'), meta: { title: '党员积分档案', role: ORG, menu: false } },
  { path: '/archive/ledger', name: 'archive-ledger', component: () => import('./LedgerPage.vue'), meta: { title: '积分明细查询', role: ORG, icon: 'Tickets' } },
]
