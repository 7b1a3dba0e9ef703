import { describe, expect, it } from 'vitest'
import { devOpenid, inMiniProgram, routerPath, safeNext } from './login.js'

describe('log-in round trip', () => {
  it('returns only to the members pages', () => {
    expect(safeNext('/m/checkin?a=1&t=x')).toBe('/m/checkin?a=1&t=x')
    expect(safeNext('https://evil.example/m/')).toBe('/m/')
    expect(safeNext('/m//evil.example')).toBe('/m/')
    expect(safeNext('/console/')).toBe('/m/')
    expect(safeNext(undefined)).toBe('/m/')
  })
  it('turns next into a router path', () => {
    expect(routerPath('/m/checkin?a=1')).toBe('/checkin?a=1')
    expect(routerPath('/m/')).toBe('/')
  })
  it('remembers one dev openid per browser', () => {
    const store = new Map()
    const storage = { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) }
    const first = devOpenid(storage)
    expect(first).toMatch(/^web-[0-9a-f]{12}$/)
    expect(devOpenid(storage)).toBe(first)
  })
})

describe('the mini-program web-view', () => {
  it('is told apart from WeChat web pages and browsers', () => {
    const kept = globalThis.window
    try {
      globalThis.window = { __wxjs_environment: 'miniprogram' }
      expect(inMiniProgram()).toBe(true)
      globalThis.window = { __wxjs_environment: 'browser' }
      expect(inMiniProgram()).toBe(false)
    } finally {
      globalThis.window = kept
    }
  })
})
