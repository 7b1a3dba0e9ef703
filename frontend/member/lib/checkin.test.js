// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { ApiError } from '@shared/api.js'
import { checkIn, parseCheckinLink, payloadOf } from './checkin.js'

describe('scanned links', () => {
  it('reads an activity code with or without the host', () => {
    expect(parseCheckinLink('https://pm.example.cn/q/a/12?t=0123456789abcdef')).toEqual({ a: '12', t: '0123456789abcdef' })
    expect(parseCheckinLink(' /q/a/7?t=0123456789abcdef ')).toEqual({ a: '7', t: '0123456789abcdef' })
  })
  it('says what a wrong code is', () => {
    expect(parseCheckinLink('https://pm.example.cn/q/m/3?t=0123456789abcdef').error).toContain('党员本人')
    expect(parseCheckinLink('hello').error).toContain('不是活动签到二维码')
    expect(parseCheckinLink('/q/a/7?t=0123').error).toBeTruthy()
  })
  it('builds the payload the API checks', () => {
    expect(payloadOf('7', 'abc')).toBe('/q/a/7?t=abc')
  })
})

describe('check-in', () => {
  const nonces = () => { let i = 0; return () => `nonce-${++i}` }

  it('asks for the location only when the activity needs it, with a fresh nonce', async () => {
    const calls = []
    const send = async (body) => {
      calls.push(body)
      if (body.latitude === undefined) throw new ApiError(422, 'location_required', '本活动需要定位签到')
      return { points: 2, spendable: 12 }
    }
    const r = await checkIn({ send, payload: '/q/a/1?t=x', receipt: 'r', locate: async () => ({ latitude: 30, longitude: 120 }), nonce: nonces() })
    expect(r).toEqual({ ok: true, result: { points: 2, spendable: 12 } })
    expect(calls.map((c) => c.nonce)).toEqual(['nonce-1', 'nonce-2'])
    expect(calls[1]).toMatchObject({ latitude: 30, longitude: 120, receipt: 'r' })
  })

  it('turns a refusal into what to do next', async () => {
    const send = async () => { throw new ApiError(400, 'code_expired', '二维码已过期，请扫描屏幕上的最新二维码') }
    const r = await checkIn({ send, payload: 'p', nonce: nonces() })
    expect(r).toMatchObject({ ok: false, code: 'code_expired', message: '二维码已过期', next: '请扫描屏幕上最新的二维码', retry: false })
    const other = await checkIn({ send: async () => { throw new ApiError(409, 'odd', '出错了，请联系支部') }, payload: 'p', nonce: nonces() })
    expect(other).toMatchObject({ message: '出错了', next: '请联系支部' })
  })

  it('says so when the location is refused', async () => {
    const send = async () => { throw new ApiError(422, 'location_required', 'x') }
    const r = await checkIn({ send, payload: 'p', locate: async () => { throw new Error('denied') }, nonce: nonces() })
    expect(r).toMatchObject({ ok: false, code: 'location_denied', retry: true })
  })
})
