/**
 * Links in bot answers go only to the tenant's own domains (issue 14, class 10): a crawled page or an
 * uploaded document must not make the bot quote "log in to confirm your refund" with a link elsewhere.
 * The domains are the bot's widget allowed origins, the hosts of the tenant's website sources and the
 * tenant's settings.link_domains (a leading "www." of the first two is dropped, so the site's other
 * subdomains count too). The same rule runs again in the widget's renderer (contract/links.ts).
 */
import { domainToASCII } from 'node:url'
import { z } from 'zod'
import { hostAllowed, linkHref } from '../../../contract/links'
import type { Queryable } from '../db/tx'

export { hostAllowed, linkHref }

/** The host of an origin or URL, lowercase, without a trailing dot or a leading "www.". */
function siteHost(url: string): string | null {
  try {
    const h = new URL(url).hostname.replace(/\.$/, '')
    return h ? h.replace(/^www\./, '') : null
  } catch {
    return null
  }
}

/**
 * The SQL (a jsonb value) of what the link domains are made of, for tenant $t and bot $b: used alone
 * below and inside the answer's one query for its turn (answers/pipeline.ts loadTurn).
 */
export const linkSourcesSql = (t: string, b: string) =>
  `(select jsonb_build_object(
       'listed', tn.settings->'link_domains',
       'origins', coalesce((select to_jsonb(w.allowed_origins) from widget_configs w where w.bot_id = ${b}), '[]'::jsonb),
       'websites', coalesce((select jsonb_agg(s.url) from knowledge_sources s
                              where s.tenant_id = ${t} and s.kind = 'website' and s.url is not null), '[]'::jsonb))
      from tenants tn where tn.id = ${t})`

/** The domains made of linkSourcesSql's value (see above), deduplicated. */
export function domainsOf(r: { listed?: unknown; origins?: unknown; websites?: unknown } | null): string[] {
  if (!r) return []
  const strings = (v: unknown) =>
    Array.isArray(v) ? v.filter((d): d is string => typeof d === 'string') : []
  const derived = [...strings(r.origins).filter((o) => o !== '*'), ...strings(r.websites)].map(siteHost)
  return [...new Set([...strings(r.listed), ...derived].filter((d): d is string => !!d))]
}

/** The domains links in this bot's answers may go to (see above), deduplicated. */
export async function linkDomains(db: Queryable, tenantId: string, botId: string): Promise<string[]> {
  const { rows } = await db.query(`select ${linkSourcesSql('$1', '$2')} as links`, [tenantId, botId])
  return domainsOf(rows[0]?.links ?? null)
}

const HOST = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/

/**
 * settings.link_domains: host names (no scheme, path, port or IP), normalised to lowercase ASCII
 * (an internationalised name becomes its xn-- form, a trailing dot is dropped).
 */
export const linkDomainsSchema = z
  .array(
    z
      .string()
      .max(253)
      // domainToASCII would read "example.com/help" or "example.com:80" as example.com: refuse them first.
      .regex(
        /^[^\s/\\:@?#[\]*%,;<>"'`]+$/,
        'a host name like help.example.com (no scheme, path, port or IP address)',
      )
      .transform((d) => domainToASCII(d.trim().toLowerCase().replace(/\.$/, '')))
      .refine((d) => HOST.test(d), 'a host name like help.example.com (no scheme, path, port or IP address)'),
  )
  .max(50)
  .transform((ds) => [...new Set(ds)])

/** A markdown code span, a markdown link, or a bare http(s)/mailto URL (as the widget reads them). */
const LINKISH =
  /(`+)[^`]+?\1|\[([^\]]*)\]\(([^)]*)\)|(?:https?:\/\/|mailto:)[^\s<>()`]*[^\s<>().,;:!?'"*_`]/gi

function defuseOnce(text: string, domains: readonly string[]): string {
  return text.replace(LINKISH, (m, tick?: string, label?: string, dest?: string) => {
    if (tick) return m // code shows as code, never as a link
    if (label !== undefined) {
      // The destination as the widget reads it: optional <...>, then an optional "title".
      const url = /^\s*<?([^\s>]*)/.exec(dest!)![1]
      return linkHref(url, domains, true) ? m : label
    }
    return linkHref(m, domains, true) ? m : '`' + m + '`'
  })
}

/**
 * The text with every link to a host outside `domains` made inert: a markdown link `[text](url)`
 * becomes its text, a bare URL (an autolink `<url>` included) becomes code, shown but not clickable.
 * Links to allowed hosts and code spans stay as they are.
 */
export function defuseLinks(text: string, domains: readonly string[]): string {
  let s = text.replace(/<((?:https?|mailto):[^\s<>]*)>/gi, '$1')
  // A replacement can line up into a new link ("[[a](x)](y)"): repeat until nothing changes.
  for (let i = 0; i < 4; i++) {
    const next = defuseOnce(s, domains)
    if (next === s) break
    s = next
  }
  return s
}

/**
 * Where a streamed answer may be cut without splitting something defuseLinks could still rewrite:
 * an unclosed `[` that may become a link, an odd backtick run, a URL (or its scheme) in the last word.
 */
export function linkSafeEnd(t: string): number {
  let end = t.length
  const hold = (at: number) => {
    if (at >= 0 && at < end) end = at
  }
  const firstOpen = (from: number, to: number) => {
    const i = t.indexOf('[', from)
    return i >= 0 && i < to ? i : -1
  }
  // "[text" with no "]" yet.
  const lastClose = t.lastIndexOf(']')
  hold(firstOpen(lastClose + 1, t.length))
  // "[text]" at the very end: "(" may follow.
  if (t.endsWith(']')) hold(firstOpen(t.lastIndexOf(']', t.length - 2) + 1, t.length - 1))
  // "[text](url" with no ")" yet.
  const q = t.indexOf('](', t.lastIndexOf(')') + 1)
  if (q >= 0) hold(firstOpen(t.lastIndexOf(']', q - 1) + 1, q))
  // An unpaired backtick run opens a code span that may still close.
  const ticks = t.match(/`+/g)
  if (ticks && ticks.length % 2) hold(t.lastIndexOf(ticks.at(-1)!))
  // The last word, once it holds a URL or the start of one ("htt", "https:/", "mailto").
  const word = t.length - /\S*$/.exec(t)![0].length
  const w = t.slice(word)
  if (/https?:|mailto:|(?:h(?:t(?:t(?:ps?)?)?)?|m(?:a(?:i(?:l(?:to?)?)?)?)?)$|<$/i.test(w)) hold(word)
  return end
}
