import { describe, expect, it } from 'vitest'
import { activeItem, allows, buildMenu, homeFor } from './roles.js'

const routes = [
  { path: '/activities', meta: { title: '我的活动', role: 'organizer', icon: 'Calendar' } },
  { path: '/activities/:id/display', meta: { title: '签到大屏', role: 'organizer', menu: false } },
  { path: '/shop', meta: { title: '柜台核销', role: 'shopkeeper', icon: 'Goods' } },
  { path: '/admin/orgs', meta: { title: '组织架构', role: 'admin' } },
  { path: '/board', meta: { title: '公示栏', public: true } },
]

describe('the menu follows the grants', () => {
  it('shows a keeper only the shop', () => {
    const menu = buildMenu(routes, ['shopkeeper'])
    expect(menu.map((g) => g.title)).toEqual(['积分超市'])
    expect(menu[0].items).toEqual([{ path: '/shop', title: '柜台核销', icon: 'Goods' }])
  })
  it('shows an organizer their work and hides pages that are not menu items', () => {
    const menu = buildMenu(routes, ['organizer'])
    expect(menu.flatMap((g) => g.items.map((i) => i.path))).toEqual(['/activities'])
  })
  it('opens every group to an admin, as the API does', () => {
    expect(buildMenu(routes, ['admin']).map((g) => g.title)).toEqual(['组织工作', '积分超市', '党委管理'])
  })
  it('shows nothing to a member without grants, and never the public board', () => {
    expect(buildMenu(routes, [])).toEqual([])
  })
})

describe('roles', () => {
  it('lets an admin do what an organizer may, not the other way round', () => {
    expect(allows(['admin'], 'organizer')).toBe(true)
    expect(allows(['organizer'], 'admin')).toBe(false)
    expect(allows(['shopkeeper'], 'organizer')).toBe(false)
    expect(allows([], undefined)).toBe(true)
  })
  it('lands each role on its main page', () => {
    expect(homeFor(['organizer', 'shopkeeper'])).toBe('/activities')
    expect(homeFor(['shopkeeper'])).toBe('/shop')
    expect(homeFor(['admin', 'organizer'])).toBe('/admin')
    expect(homeFor([])).toBe(null)
  })
})

describe('the lit menu item', () => {
  const menu = buildMenu([
    { path: '/activities', meta: { title: '我的活动', role: 'organizer' } },
    { path: '/activities/new', meta: { title: '发布活动', role: 'organizer' } },
    { path: '/shop', meta: { title: '柜台核销', role: 'shopkeeper' } },
    { path: '/shop/goods', meta: { title: '商品管理', role: 'shopkeeper' } },
  ], ['admin'])
  it('is the page itself when it is in the menu', () => {
    expect(activeItem(menu, '/activities/new')).toBe('/activities/new')
    expect(activeItem(menu, '/shop/goods')).toBe('/shop/goods')
  })
  it('is the list above a detail page', () => {
    expect(activeItem(menu, '/activities/12')).toBe('/activities')
    expect(activeItem(menu, '/activities/12/edit')).toBe('/activities')
  })
})
