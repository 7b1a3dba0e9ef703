// The one client of the JSON API: adds the token, turns the error envelope into an ApiError.
export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message)
    this.status = status
    this.code = code
    this.details = details || {}
  }

  /** The field errors of a 422, flattened to {field: '第一条消息'} for showing beside a form field. */
  fieldErrors() {
    const fields = this.details.fields || {}
    const out = {}
    for (const location of Object.values(fields)) {
      for (const [name, messages] of Object.entries(location || {})) {
        out[name] = Array.isArray(messages) ? String(messages[0]) : JSON.stringify(messages)
      }
    }
    return out
  }
}

export function createApi({ tokenKey, onUnauthorized = () => {}, fetchImpl = (...a) => fetch(...a) }) {
  const storage = typeof localStorage !== 'undefined' ? localStorage : new Map()
  const get = (k) => (storage.getItem ? storage.getItem(k) : storage.get(k)) || ''
  const set = (k, v) => (storage.setItem ? storage.setItem(k, v) : storage.set(k, v))
  const del = (k) => (storage.removeItem ? storage.removeItem(k) : storage.delete(k))

  async function request(method, path, { body, query, headers = {}, raw = false } = {}) {
    let url = path
    if (query) {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) {
        if (v !== undefined && v !== null && v !== '') params.append(k, v)
      }
      const qs = params.toString()
      if (qs) url += (url.includes('?') ? '&' : '?') + qs
    }
    const init = { method, headers: { Accept: 'application/json', ...headers } }
    const token = get(tokenKey)
    if (token) init.headers.Authorization = `Bearer ${token}`
    if (body instanceof FormData) init.body = body
    else if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json'
      init.body = JSON.stringify(body)
    }
    let response
    try {
      response = await fetchImpl(url, init)
    } catch (e) {
      throw new ApiError(0, 'network_error', '网络连接失败，请检查网络后重试')
    }
    if (response.status === 401) onUnauthorized()
    if (!response.ok) {
      let envelope = null
      try { envelope = await response.json() } catch (e) { /* not JSON */ }
      const err = envelope && envelope.error
      if (err) throw new ApiError(response.status, err.code, err.message, err.details)
      throw new ApiError(response.status, 'http_error', `请求失败（${response.status}），请稍后再试`)
    }
    if (raw) return response
    if (response.status === 204) return null
    return response.json()
  }

  return {
    request,
    get: (path, query) => request('GET', path, { query }),
    post: (path, body, headers) => request('POST', path, { body, headers }),
    put: (path, body) => request('PUT', path, { body }),
    patch: (path, body) => request('PATCH', path, { body }),
    del: (path) => request('DELETE', path),
    token: () => get(tokenKey),
    setToken: (t) => (t ? set(tokenKey, t) : del(tokenKey)),
    /** Download an authorised file (xlsx) through the browser. */
    async download(path, query, filename) {
      const res = await request('GET', path, { query, raw: true })
      const blob = await res.blob()
      const a = document.createElement('a')
      a.href = URL.createObjectURL(blob)
      a.download = filename
      document.body.appendChild(a)
      a.click()
      a.remove()
      setTimeout(() => URL.revokeObjectURL(a.href), 1000)
    },
  }
}

/** A fresh Idempotency-Key for one user action (kept by the caller across retries of that action). */
export function newIdempotencyKey() {
  if (typeof crypto !== 'undefined' && crypto.randomUUID) return crypto.randomUUID()
  return 'k-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2)
}
