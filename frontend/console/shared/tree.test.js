import { describe, expect, it } from 'vitest'
import { buildTree, filterTree, moveTargets, pathName, subtreeIds } from './tree.js'

const flat = [
  { id: 4, name: '星联第一党小组', parent_id: 3 },
  { id: 1, name: '综合党委', parent_id: null },
  { id: 3, name: '星联电子党支部', parent_id: 2 },
  { id: 2, name: '电子信息产业党总支', parent_id: 1 },
  { id: 5, name: '北辰软件党支部', parent_id: 2 },
]

describe('the organisation tree', () => {
  it('nests a flat list given in any order', () => {
    const roots = buildTree(flat)
    expect(roots.map((r) => r.id)).toEqual([1])
    expect(roots[0].children[0].children.map((c) => c.id)).toEqual([3, 5])
    expect(roots[0].children[0].children[0].children[0].name).toBe('星联第一党小组')
  })

  it('makes a node whose parent is out of scope a root', () => {
    const roots = buildTree(flat.filter((o) => o.id !== 1 && o.id !== 2))
    expect(roots.map((r) => r.id)).toEqual([3, 5])
  })

  it('never offers a node its own subtree as a new parent', () => {
    const roots = buildTree(flat)
    expect([...subtreeIds(roots, 3)].sort()).toEqual([3, 4])
    const targets = moveTargets(roots, 3)
    const branch = targets[0].children[0]
    expect(branch.disabled).toBe(false)
    expect(branch.children[0].disabled).toBe(true)
    expect(branch.children[0].children[0].disabled).toBe(true)
    expect(branch.children[1].disabled).toBe(false)
  })

  it('names a node by its path and filters by text keeping ancestors', () => {
    expect(pathName(flat, 4)).toBe('综合党委 / 电子信息产业党总支 / 星联电子党支部 / 星联第一党小组')
    const kept = filterTree(buildTree(flat), '北辰')
    expect(kept[0].children[0].children.map((c) => c.name)).toEqual(['北辰软件党支部'])
  })
})
