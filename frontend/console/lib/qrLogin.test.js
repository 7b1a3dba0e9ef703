import { describe, expect, it } from 'vitest'
import { createQrLogin, scalableSvg } from './qrLogin.js'

/** A fake API answering the polls in order, and a clock the test turns by hand. */
function harness(answers, { renewals = 2 } = {}) {
  const calls = []
  let n = 0
  const tickets = {
    async create() {
      calls.push(['POST'])
      n += 1
      return { ticket: `T${n}`, url: `http://x/m/console-login?t=T${n}`, qr_svg: `<svg>${n}</svg>` }
    },
    async get(ticket) {
      calls.push(['GET', ticket])
      const next = answers.shift()
      if (next instanceof Error) throw next
      return next
    },
  }
  const timers = []
  const state = {}
  const tokens = []
  const machine = createQrLogin({
    tickets, state, renewals, onToken: (t) => tokens.push(t),
    setTimer: (fn, ms) => { timers.push({ fn, ms }); return timers.length },
    clearTimer: () => {},
  })
  async function tick() {
    const t = timers.shift()
    expect(t).toBeTruthy()
    await t.fn()
  }
  return { machine, state, calls, tokens, tick, timers }
}

describe('the console QR log-in', () => {
  it('shows the code, follows the scan and enters with the token', async () => {
    const h = harness([{ status: 'pending' }, { status: 'scanned' }, { status: 'confirmed', token: 'JWT', roles: ['organizer'] }])
    await h.machine.start()
    expect(h.state).toMatchObject({ phase: 'pending', qrSvg: '<svg>1</svg>' })
    expect(h.timers[0].ms).toBe(2000)
    await h.tick()
    expect(h.state.phase).toBe('pending')
    await h.tick()
    expect(h.state).toMatchObject({ phase: 'scanned', message: '已扫码，请在手机上确认登录' })
    await h.tick()
    expect(h.state.phase).toBe('done')
    expect(h.tokens).toEqual([{ token: 'JWT', roles: ['organizer'] }])
    expect(h.timers).toEqual([]) // no more polling
    expect(h.calls.filter(([m]) => m === 'GET').map(([, p]) => p)).toEqual(Array(3).fill('T1'))
  })

  it('renews an expired code by itself a few times, then waits for a click', async () => {
    const h = harness([{ status: 'expired' }, { status: 'expired' }, { status: 'expired' }], { renewals: 2 })
    await h.machine.start()
    await h.tick()
    expect(h.state).toMatchObject({ phase: 'pending', qrSvg: '<svg>2</svg>' })
    await h.tick()
    expect(h.state.qrSvg).toBe('<svg>3</svg>')
    await h.tick()
    expect(h.state.phase).toBe('expired')
    expect(h.timers).toEqual([])
    await h.machine.start()
    expect(h.state).toMatchObject({ phase: 'pending', qrSvg: '<svg>4</svg>' })
  })

  it('stops on a refusal, keeps polling through a dropped network, and a spent or lost ticket is renewed', async () => {
    const lost = Object.assign(new Error('登录二维码无效'), { status: 404 })
    const h = harness([Object.assign(new Error('网络连接失败'), { status: 0 }), { status: 'scanned' }, lost,
      { status: 'confirmed' }, { status: 'refused' }])
    await h.machine.start()
    await h.tick()
    expect(h.state.phase).toBe('pending')
    expect(h.state.error).toContain('正在重试')
    await h.tick()
    expect(h.state).toMatchObject({ phase: 'scanned', error: '' })
    await h.tick() // 404: a new code
    expect(h.state.qrSvg).toBe('<svg>2</svg>')
    await h.tick() // confirmed without a token (another tab took it): spent, a new code
    expect(h.state.qrSvg).toBe('<svg>3</svg>')
    await h.tick()
    expect(h.state).toMatchObject({ phase: 'refused', message: '已在手机上取消登录' })
    expect(h.timers).toEqual([])
    expect(h.tokens).toEqual([])
  })

  it('ignores an answer that arrives after stop()', async () => {
    const h = harness([{ status: 'confirmed', token: 'JWT' }])
    await h.machine.start()
    h.machine.stop()
    const late = h.timers.shift()
    await late.fn()
    expect(h.tokens).toEqual([])
  })
})

describe('the code', () => {
  it('scales to its box', () => {
    expect(scalableSvg('<svg xmlns="x" width="290" height="290" class="segno"><path/></svg>'))
      .toBe('<svg viewBox="0 0 290 290" xmlns="x" class="segno"><path/></svg>')
    expect(scalableSvg('<svg viewBox="0 0 1 1"></svg>')).toBe('<svg viewBox="0 0 1 1"></svg>')
  })
})
