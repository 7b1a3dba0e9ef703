// The points mall: shops, goods, stock, orders at the counter, members' redemptions and the reports.
import { http } from './client.js'

// Shops as the admin runs them.
export const adminShops = () => http.get('/api/v1/admin/shops')
export const createShop = (body) => http.post('/api/v1/admin/shops', body)
export const updateShop = (id, body) => http.patch(`/api/v1/admin/shops/${id}`, body)

// The keeper's shops, goods and stock.
export const keptShops = () => http.get('/api/v1/shop/mine')
export const listProducts = (shopId) => http.get('/api/v1/products', { shop_id: shopId })
export const createProduct = (body) => http.post('/api/v1/shop/products', body)
export const updateProduct = (id, body) => http.patch(`/api/v1/shop/products/${id}`, body)
export const moveStock = (productId, body) => http.post(`/api/v1/shop/products/${productId}/stock`, body)
export const fundingOrgs = () => http.get('/api/v1/shop/funding-orgs')
export const uploadPhoto = (form) => http.post('/api/v1/uploads/photos', form)

// The counter.
export const shopRedemptions = (query) => http.get('/api/v1/shop/redemptions', query)
export const lookupRedemption = (pickupCode) => http.post('/api/v1/shop/redemptions/lookup', { pickup_code: pickupCode })
export const fulfilRedemption = (id) => http.post(`/api/v1/shop/redemptions/${id}/fulfil`)

// The member's side: shops, goods, orders.
export const myShops = () => http.get('/api/v1/me/shops')
export const myProducts = (shopId) => http.get('/api/v1/me/products', { shop_id: shopId })
export const myRedemptions = () => http.get('/api/v1/me/redemptions')
/** One order; the key makes a retry of the same decision the same order. */
export const createRedemption = (body, idempotencyKey) => http.post('/api/v1/redemptions', body, { 'Idempotency-Key': idempotencyKey })
export const getRedemption = (id) => http.get(`/api/v1/redemptions/${id}`)
export const cancelRedemption = (id) => http.post(`/api/v1/redemptions/${id}/cancel`)

// Reports: stock per shop, redemptions per organisation.
export const stockReport = (shopId) => http.get('/api/v1/reports/stock', { shop_id: shopId })
export const downloadStockReport = (shopId, filename) =>
  http.download('/api/v1/reports/stock', { shop_id: shopId, format: 'xlsx' }, filename)
export const mallReport = (query) => http.get('/api/v1/reports/mall', query)
export const downloadMallReport = (query, filename) => http.download('/api/v1/reports/mall', { ...query, format: 'xlsx' }, filename)
