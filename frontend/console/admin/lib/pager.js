// The wall screen pages through a long list by itself: which rows are on screen, and what comes next.

/** Split rows into pages of `size`; never zero pages, so the screen always has one to show. */
export function pages(rows, size) {
  const n = Math.max(1, Math.ceil(rows.length / size))
  return Array.from({ length: n }, (_, i) => rows.slice(i * size, (i + 1) * size))
}

/** The next step of the screen's cycle: the next page, and after the last page the next view.
 *  views: the views shown in turn (e.g. ['points', 'branches', 'dimensions']). */
export function nextStep({ view, page }, pageCounts, views) {
  const count = pageCounts[view] || 1
  if (page + 1 < count) return { view, page: page + 1 }
  const i = views.indexOf(view)
  return { view: views[(i + 1) % views.length], page: 0 }
}

/** Rows per page that fit a screen of this height (each row `rowPx` tall, `reservedPx` for the header). */
export function rowsThatFit(heightPx, rowPx = 48, reservedPx = 220, min = 5, max = 20) {
  return Math.max(min, Math.min(max, Math.floor((heightPx - reservedPx) / rowPx)))
}
