// The boards (公示栏): the ranking a member sees, and the public wall screen's views.
import { http } from './client.js'

const BOARDS = '/api/v1/boards'

export const pointsBoard = (query) => http.get(`${BOARDS}/points`, query)

/** The wall screen needs no log-in: its views are fetched plainly, without any token.
 *  kind: points | branches | dimensions | publicities. */
export async function wallBoard(kind, orgId) {
  const r = await fetch(`${BOARDS}/${kind}?org_id=${encodeURIComponent(orgId)}${kind === 'points' ? '&limit=500' : ''}`)
  const body = await r.json()
  if (!r.ok) throw new Error(body?.error?.message || '加载失败')
  return body
}

/** One open 公示 with its whole sheet, or null. */
export async function wallPublicity(id) {
  const r = await fetch(`${BOARDS}/publicities/${id}?page_size=2000`)
  return r.ok ? r.json() : null
}
