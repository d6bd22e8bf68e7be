/** "now", "5 min", "3 h", "2 d", then a short date: compact enough for an inbox row. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return ''
  const then = Date.parse(iso)
  if (Number.isNaN(then)) return ''
  const s = Math.max(0, Math.round((now - then) / 1000))
  if (s < 45) return 'now'
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.round(m / 60)
  if (h < 24) return `${h} h`
  const d = Math.round(h / 24)
  if (d < 7) return `${d} d`
  return new Date(then).toLocaleDateString(undefined, { day: 'numeric', month: 'short' })
}

/** Full date and time, for a title attribute. */
export function fullTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleString()
}

/** A short, stable label for a visitor id (ids are long random strings). */
export function shortVisitor(visitorId: string | null | undefined): string {
  const id = (visitorId ?? '').replace(/^(visitor|v)[_-]/i, '')
  return id ? id.slice(0, 8) : 'unknown'
}
