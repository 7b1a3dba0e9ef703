// The organisation tree from the flat list the API gives (GET /api/v1/admin/orgs), and the
// questions the pages ask of it: where may this node move, what is its full name.

/** Nest a flat list [{id, parent_id, ...}] (any order) into roots with `children`. A node whose
 *  parent is not in the list (outside the caller's scope) becomes a root. */
export function buildTree(flat) {
  const byId = new Map(flat.map((o) => [o.id, { ...o, children: [] }]))
  const roots = []
  for (const node of byId.values()) {
    const parent = node.parent_id != null ? byId.get(node.parent_id) : undefined
    if (parent) parent.children.push(node)
    else roots.push(node)
  }
  const sort = (nodes) => {
    nodes.sort((a, b) => a.id - b.id)
    nodes.forEach((n) => sort(n.children))
    return nodes
  }
  return sort(roots)
}

/** Every id in the subtree under (and including) the node with this id. */
export function subtreeIds(roots, id) {
  const found = findNode(roots, id)
  const ids = new Set()
  const walk = (n) => { ids.add(n.id); n.children.forEach(walk) }
  if (found) walk(found)
  return ids
}

export function findNode(roots, id) {
  for (const n of roots) {
    if (n.id === id) return n
    const inner = findNode(n.children || [], id)
    if (inner) return inner
  }
  return null
}

/** The tree for a "move under…" picker: the node itself and its subtree are disabled,
 *  so a move into its own subtree cannot even be chosen (the API refuses it as well). */
export function moveTargets(roots, movingId) {
  const banned = subtreeIds(roots, movingId)
  const mark = (nodes) => nodes.map((n) => ({ ...n, disabled: banned.has(n.id) || n.active === false,
    children: mark(n.children || []) }))
  return mark(roots)
}

/** "综合党委 / 电子信息产业党总支 / 星联电子党支部" for a node, from the root down. */
export function pathName(flat, id) {
  const byId = new Map(flat.map((o) => [o.id, o]))
  const names = []
  let node = byId.get(id)
  const seen = new Set()
  while (node && !seen.has(node.id)) {
    seen.add(node.id)
    names.unshift(node.name)
    node = byId.get(node.parent_id)
  }
  return names.join(' / ')
}

/** Keep the nodes whose name contains the text, with their ancestors so they stay reachable. */
export function filterTree(roots, text) {
  if (!text) return roots
  const out = []
  for (const n of roots) {
    const kids = filterTree(n.children || [], text)
    if (n.name.includes(text) || kids.length) out.push({ ...n, children: kids })
  }
  return out
}
