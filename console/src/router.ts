/**
 * Hash routing: `#/<page>/...` picks the page; the inbox keeps `#/`, `#/?filters` and
 * `#/sessions/<id>` (it owns the rest of its hash). The legacy `#widget` still opens the Widget page.
 */
import { useEffect, useState } from 'preact/hooks'

export const PAGE_IDS = [
  'inbox',
  'knowledge',
  'bot',
  'rules',
  'feedback',
  'widget',
  'team',
  'channels',
  'analytics',
  'settings',
  'account',
  'contacts',
] as const
export type PageId = (typeof PAGE_IDS)[number]

/** The page a hash names: a known id, or the unknown first segment (shown as "no such page"). */
export function pageOf(hash: string): { page: string; rest: string } {
  const body = hash.replace(/^#/, '')
  if (body === 'widget') return { page: 'widget', rest: '' }
  const path = body.split('?')[0]
  const segs = path.replace(/^\//, '').split('/')
  const first = segs[0] ?? ''
  if (first === '' || first === 'sessions') return { page: 'inbox', rest: '' }
  return { page: first, rest: segs.slice(1).map(decodeURIComponent).join('/') }
}

export function pageHref(page: PageId, rest = ''): string {
  if (page === 'inbox') return '#/'
  return `#/${page}${rest ? '/' + rest.split('/').map(encodeURIComponent).join('/') : ''}`
}

/** Goes to a page (a history entry, like a link). */
export function navigate(page: PageId, rest = ''): void {
  location.hash = pageHref(page, rest)
}

/** The current page and the rest of its path, following links, back and forward. */
export function useRoute(): { page: string; rest: string } {
  const [route, setRoute] = useState(() => pageOf(location.hash))
  useEffect(() => {
    const on = () =>
      setRoute((cur) => {
        const next = pageOf(location.hash)
        return next.page === cur.page && next.rest === cur.rest ? cur : next
      })
    addEventListener('hashchange', on)
    addEventListener('popstate', on)
    return () => {
      removeEventListener('hashchange', on)
      removeEventListener('popstate', on)
    }
  }, [])
  return route
}
