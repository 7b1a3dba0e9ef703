// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { ApiError, createApi } from './api.js'

function fakeFetch(status, body) {
  const calls = []
  const impl = async (url, init) => {
    calls.push({ url, init })
    return { ok: status < 400, status, json: async () => body }
  }
  return { impl, calls }
}

describe('createApi', () => {
  it('turns the error envelope into an ApiError with the Chinese message', async () => {
    const { impl } = fakeFetch(409, { error: { code: 'insufficient_points', message: '积分不足', details: { need: 5 } } })
    const api = createApi({ tokenKey: 't1', fetchImpl: impl })
    const err = await api.post('/api/v1/redemptions', {}).catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err.code).toBe('insufficient_points')
    expect(err.message).toBe('积分不足')
    expect(err.details.need).toBe(5)
  })

  it('sends the token and drops empty query values', async () => {
    const { impl, calls } = fakeFetch(200, { ok: true })
    const api = createApi({ tokenKey: 't2', fetchImpl: impl })
    api.setToken('abc')
    await api.get('/api/v1/x', { a: 1, b: '', c: null })
    expect(calls[0].url).toBe('/api/v1/x?a=1')
    expect(calls[0].init.headers.Authorization).toBe('Bearer abc')
  })

  it('calls onUnauthorized on a 401', async () => {
    const { impl } = fakeFetch(401, { error: { code: 'unauthorized', message: '请先登录', details: {} } })
    let called = 0
    const api = createApi({ tokenKey: 't3', fetchImpl: impl, onUnauthorized: () => called++ })
    await api.get('/api/v1/me').catch(() => {})
    expect(called).toBe(1)
  })

  it('flattens field errors for the form beside the field', () => {
    const e = new ApiError(422, 'invalid_input', '输入有误', { fields: { json: { phone: ['手机号格式不正确'] } } })
    expect(e.fieldErrors()).toEqual({ phone: '手机号格式不正确' })
  })

  it('says what to do when the network is down', async () => {
    const api = createApi({ tokenKey: 't4', fetchImpl: async () => { throw new TypeError('fail') } })
    const err = await api.get('/api/v1/me').catch((e) => e)
    expect(err.code).toBe('network_error')
    expect(err.message).toContain('网络')
  })
})
