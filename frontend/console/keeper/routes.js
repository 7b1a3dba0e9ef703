// The shopkeeper's (超市管理员) pages; /shop is the counter, where a keeper spends the day.
const KEEPER = 'shopkeeper'

export const routes = [
  { path: '/shop', name: 'counter', component: () => import('./CounterPage.vue'), meta: { title: '柜台核销', role: KEEPER, icon: 'Checked' } },
  { path: '/shop/goods', name: 'goods', component: () => import('./GoodsPage.vue'), meta: { title: '商品管理', role: KEEPER, icon: 'Goods' } },
  { path: '/shop/stock', name: 'stock', component: () => import('./StockPage.vue'), meta: { title: '入库与报损', role: KEEPER, icon: 'Box' } },
]
