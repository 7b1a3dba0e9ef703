// The stock form → POST /shop/products/{id}/stock. A write-off is typed as a count and sent negative;
// only a purchase carries a cost and who paid for it.
export function stockBody(form) {
  const qty = Number(form.qty) || 0
  const body = { kind: form.kind, delta: form.kind === 'loss' ? -Math.abs(qty) : qty, note: form.note.trim() }
  if (form.kind === 'purchase') {
    body.unit_cost = form.unitCost === undefined || form.unitCost === null ? null : Math.round(Number(form.unitCost) * 100) / 100
    body.funding_org_id = form.funderId
  }
  return body
}
