// The app's API client (the console's or the members', each with its own token), bound once by that
// app's api.js. The resource modules beside this one send through it, so a page calls listMembers()
// and never writes a URL.
let bound = null

/** Called once by each app with the client made by createApi (frontend/shared/api.js). */
export function bindClient(client) { bound = client }

function client() {
  if (!bound) throw new Error('no API client bound')
  return bound
}

export const http = {
  get: (path, query) => client().get(path, query),
  post: (path, body, headers) => client().post(path, body, headers),
  put: (path, body) => client().put(path, body),
  patch: (path, body) => client().patch(path, body),
  del: (path) => client().del(path),
  request: (method, path, options) => client().request(method, path, options),
  download: (path, query, filename) => client().download(path, query, filename),
}

/** A server-paged list: the rows, the total and the number of pages from flask-smorest's X-Pagination. */
export async function getPage(path, query) {
  const res = await http.request('GET', path, { query, raw: true })
  const rows = await res.json()
  let paging = {}
  try { paging = JSON.parse(res.headers.get('X-Pagination') || '{}') } catch (e) { /* no header */ }
  return { rows, total: paging.total ?? rows.length, totalPages: paging.total_pages }
}

/** A file as the body of a multipart upload (photos, workbooks). */
export function fileForm(file) {
  const data = new FormData()
  data.append('file', file)
  return data
}
