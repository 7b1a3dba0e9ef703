// The goods form ↔ the API's product body; pure, for Vitest.
const PERIODS = { month: '每月', year: '每年' }

export function limitText(p) {
  if (!p.per_member_limit) return '不限'
  return `${PERIODS[p.limit_period] || ''}每人${p.per_member_limit}件`
}

export function productForm(p) {
  return {
    name: p ? p.name : '', category: p ? p.category : '', description: p ? p.description : '',
    image_url: p ? p.image_url : '', points_price: p ? p.points_price : 10,
    per_member_limit: p && p.per_member_limit ? p.per_member_limit : undefined,
    limit_period: p ? p.limit_period : null, low_stock_threshold: p ? p.low_stock_threshold : 5,
    active: p ? p.active : true,
    window: p && p.available_from && p.available_until ? [new Date(p.available_from), new Date(p.available_until)] : null,
  }
}

/** A limit needs its period: a limit without one is sent as "per month", the usual rule in the shop. */
export function productBody(form, editing) {
  const limit = form.per_member_limit ?? null
  const body = {
    name: form.name.trim(), category: form.category.trim(), description: form.description, image_url: form.image_url || '',
    points_price: form.points_price, per_member_limit: limit, limit_period: limit ? (form.limit_period || 'month') : null,
    available_from: form.window ? form.window[0].toISOString() : null,
    available_until: form.window ? form.window[1].toISOString() : null,
    low_stock_threshold: form.low_stock_threshold,
  }
  if (editing) body.active = form.active
  return body
}
