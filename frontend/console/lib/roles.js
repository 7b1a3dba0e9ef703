// Roles as the API understands them (services/access.py IMPLIED): an admin may do what an organizer
// and a keeper may, so the menu opens the same pages to them. The API still checks every call.
export const ROLE_NAMES = { organizer: '支部书记（组织者）', shopkeeper: '超市管理员', admin: '党委管理员' }

const IMPLIED = { organizer: ['organizer', 'admin'], shopkeeper: ['shopkeeper', 'admin'], admin: ['admin'] }

/** Whether a caller holding `roles` may open a page that needs `role` (no role: any logged-in caller). */
export function allows(roles, role) {
  if (!role) return true
  return (IMPLIED[role] || [role]).some((r) => roles.includes(r))
}

export function roleName(role) {
  return ROLE_NAMES[role] || role
}

// Menu groups in the order a yudao-style side menu shows them.
const GROUPS = [
  { role: 'organizer', title: '组织工作', icon: 'Flag' },
  { role: 'shopkeeper', title: '积分超市', icon: 'ShoppingCart' },
  { role: 'admin', title: '党委管理', icon: 'OfficeBuilding' },
]

/** The side menu for these roles: groups of {path, title, icon}, only the pages the roles open,
 *  pages without a title or with meta.menu === false left out, empty groups dropped. */
export function buildMenu(routes, roles) {
  return GROUPS.map((g) => ({
    ...g,
    items: routes
      .filter((r) => r.meta && r.meta.title && r.meta.menu !== false && !r.meta.public)
      .filter((r) => (r.meta.role || 'organizer') === g.role && allows(roles, r.meta.role))
      .map((r) => ({ path: r.path.startsWith('/') ? r.path : `/${r.path}`, title: r.meta.title, icon: r.meta.icon || 'Document' })),
  })).filter((g) => g.items.length)
}

/** Where a caller lands after log-in: the main page of their strongest role, or nowhere. */
export function homeFor(roles) {
  if (roles.includes('admin')) return '/admin'
  if (roles.includes('organizer')) return '/activities'
  if (roles.includes('shopkeeper')) return '/shop'
  return null
}

/** The menu item to light for a page: its own, else the deepest item above it (a detail page lights
 *  its list: /activities/12 → /activities), so /activities/new lights 发布活动, not 我的活动. */
export function activeItem(menu, path) {
  const paths = menu.flatMap((g) => g.items.map((i) => i.path))
  if (paths.includes(path)) return path
  const above = paths.filter((p) => path.startsWith(p + '/')).sort((a, b) => b.length - a.length)
  return above[0] || path
}
