/** How many of a good the member can take now: stock, what the limit still allows, and the points. */
export function maxQuantity(good, spendable) {
  const byPoints = Math.floor(spendable / good.points_price)
  const byLimit = good.limit_left === null || good.limit_left === undefined ? Infinity : good.limit_left
  return Math.max(0, Math.min(good.on_hand, byLimit, byPoints, 99))
}
