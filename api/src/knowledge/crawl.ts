import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import { Parser } from 'htmlparser2'
import robotsParser from 'robots-parser'
import { FetchBlocked, FetchFailed, validateUrl, type GuardedFetch, type GuardedResponse } from '../net'
import { scanHtml, type HtmlScan } from './parse/html'

/**
 * The website crawler: a pure function from a start URL (and a guarded fetch) to the pages of that
 * site, with no database. robots.txt first, then the sitemaps, then same-site links breadth first.
 * Results are committed in queue order whatever order the fetches finish in, so two crawls of an
 * unchanged site give the same pages, the same duplicates and the same hashes.
 */

/** One page worth indexing. */
interface CrawledPage {
  /** Canonical URL of the page (after redirects, fragment and tracking parameters removed). */
  url: string
  /** The URL that answered, as the fetch reported it. */
  final_url: string
  title: string
  html: string
  /** The visible text (what the hash is computed on). */
  text: string
  /** sha256 (hex) of the title and the whitespace-normalised visible text: markup-only edits keep it. */
  content_hash: string
  status: number
}

/**
 * Why a URL is not among the pages. For the caller's bookkeeping: 'gone' (404/410), 'robots',
 * 'noindex', 'duplicate', 'redirect' and 'not_html' mean the URL has no page of its own any more;
 * 'error' may be transient (keep what was stored); 'refused' means the guard would not fetch it.
 */
type SkipKind =
  'refused' | 'error' | 'gone' | 'robots' | 'noindex' | 'not_html' | 'duplicate' | 'redirect' | 'off_site'

/** A URL the crawl met but did not return as a page. */
interface SkippedPage {
  url: string
  reason: string
  kind: SkipKind
  /** The HTTP status, when a response came back. */
  status?: number
}

/** What a crawl found. */
export interface CrawlResult {
  pages: CrawledPage[]
  skipped: SkippedPage[]
  /**
   * The crawl stopped at maxPages (or its fetch budget) with URLs left: a stored page missing from
   * `pages` may simply not have been reached, so it should not be marked removed on that evidence.
   */
  truncated: boolean
}

/** Crawl settings. */
interface CrawlOptions {
  /** The guarded fetch every request goes through (robots.txt and sitemaps included). */
  fetch: GuardedFetch
  /** Pages returned at most (default 50). */
  maxPages?: number
  /** Fetches in flight at once (default 4; 1 when robots.txt sets a Crawl-delay). */
  concurrency?: number
  /** Called with each page as it is accepted, in crawl order; awaited. */
  onPage?: (page: CrawledPage) => void | Promise<void>
  /**
   * URLs stored by an earlier crawl: visited too, so a page that is no longer linked is reported
   * ('gone', 'redirect'...) instead of silently missing.
   */
  knownUrls?: string[]
  /** Upper bound on robots.txt's Crawl-delay (default 1000 ms): a site cannot stall the worker. */
  maxCrawlDelayMs?: number
  /** Page fetches at most, failures included (default 3 × maxPages + 10). */
  maxFetches?: number
  /** The product token matched against robots.txt groups (default 'ParleyBot'). */
  robotsAgent?: string
  signal?: AbortSignal
}

const HTML_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1'
const XML_ACCEPT = 'application/xml,text/xml;q=0.9,*/*;q=0.1'
/** Google reads the first 500 KiB of robots.txt; a larger one is not a robots file. */
const ROBOTS_MAX_BYTES = 512 * 1024
/** Child sitemaps read from one sitemap index (one level deep only). */
const MAX_CHILD_SITEMAPS = 20
/** Binary or non-page resources, judged by the path so they are never downloaded at all. */
const NON_PAGE_EXT =
  /\.(pdf|zip|gz|tgz|bz2|xz|rar|7z|tar|png|jpe?g|gif|webp|avif|svg|ico|bmp|tiff?|heic|mp3|mp4|m4a|m4v|wav|ogg|oga|webm|mov|avi|mkv|flac|woff2?|ttf|eot|otf|css|js|mjs|map|json|xml|rss|atom|exe|dmg|msi|pkg|deb|rpm|apk|iso|bin|csv|tsv|xlsx?|docx?|pptx?|odt|ods|odp|epub|txt|wasm)$/i
/** Query parameters that only track a visit; dropping them merges URLs that are the same page. */
const TRACKING_PARAM = /^(utm_[a-z]+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_ga|_hsenc|_hsmi)$/i

/** A redirect hop the crawler refuses (off the site, or disallowed by robots.txt). */
class CrawlSkip extends Error {
  constructor(
    readonly kind: SkipKind,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The URL a page is known by: resolved, without fragment, without tracking parameters. Null for
 * anything that is not an http(s) URL (mailto:, javascript:, tel:, garbage).
 */
export function canonicalUrl(input: string, base?: string | URL): string | null {
  let u: URL
  try {
    u = new URL(input.trim(), base)
  } catch {
    return null
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null
  u.hash = ''
  const tracking = [...u.searchParams.keys()].filter((k) => TRACKING_PARAM.test(k))
  // Only rewrite the query when something is dropped: re-serialising changes its encoding.
  if (tracking.length) for (const k of tracking) u.searchParams.delete(k)
  // An empty query ('/a?') reads as '' but still prints its '?': clear it so both spell alike.
  if (!u.search) u.search = ''
  return u.href
}

/** Hash of what a reader sees, so re-embedding happens only when that changes. */
function contentHash(title: string, text: string): string {
  return createHash('sha256')
    .update(`${title.replace(/\s+/g, ' ').trim()}\n${text.replace(/\s+/g, ' ').trim()}`)
    .digest('hex')
}

/** Decodes HTML with the header charset, else a <meta charset> in the first bytes, else UTF-8. */
function decodeHtml(res: GuardedResponse): string {
  if (/charset\s*=/i.test(res.headers['content-type'] ?? '')) return res.text()
  const head = Buffer.from(res.body.subarray(0, 2048)).toString('latin1')
  const charset = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1]
  if (charset) {
    try {
      return new TextDecoder(charset).decode(res.body)
    } catch {
      // Unknown label: fall through to UTF-8.
    }
  }
  return new TextDecoder('utf-8').decode(res.body)
}

function isHtml(res: GuardedResponse): boolean {
  const type = (res.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase()
  if (type) return type === 'text/html' || type === 'application/xhtml+xml'
  // No Content-Type: look at the bytes, as browsers do.
  const start = Buffer.from(res.body.subarray(0, 512)).toString('latin1').trimStart().toLowerCase()
  return start.startsWith('<!doctype html') || start.startsWith('<html')
}

/** <loc> entries of a sitemap (urlset) or a sitemap index; plain-text sitemaps list one URL a line. */
function parseSitemap(body: Uint8Array): { pages: string[]; sitemaps: string[] } {
  let bytes = body
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // sitemap.xml.gz served as a file rather than with Content-Encoding; capped like any body.
    bytes = gunzipSync(bytes, { maxOutputLength: 10 * 1024 * 1024 })
  }
  const xml = new TextDecoder('utf-8').decode(bytes)
  const found = { pages: [] as string[], sitemaps: [] as string[] }
  if (!xml.trimStart().startsWith('<')) {
    found.pages = xml
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => /^https?:\/\//i.test(l))
    return found
  }
  const stack: string[] = []
  let loc: string | null = null
  const local = (name: string) => name.toLowerCase().replace(/^.*:/, '')
  const parser = new Parser(
    {
      onopentag(name) {
        stack.push(local(name))
        if (local(name) === 'loc') loc = ''
      },
      ontext(data) {
        if (loc !== null) loc += data
      },
      onclosetag(name) {
        if (local(name) === 'loc' && loc !== null) {
          const parent = stack[stack.length - 2]
          if (parent === 'url') found.pages.push(loc.trim())
          else if (parent === 'sitemap') found.sitemaps.push(loc.trim())
          loc = null
        }
        stack.pop()
      },
    },
    { xmlMode: true, decodeEntities: true },
  )
  parser.write(xml)
  parser.end()
  return found
}

function describe(err: unknown): { kind: SkipKind; reason: string } {
  if (err instanceof CrawlSkip) return { kind: err.kind, reason: err.message }
  if (err instanceof FetchBlocked) return { kind: 'refused', reason: err.message }
  if (err instanceof FetchFailed) return { kind: 'error', reason: err.message }
  return { kind: 'error', reason: `unexpected error: ${(err as Error)?.message ?? String(err)}` }
}

type Outcome =
  { ok: true; res: GuardedResponse; scan: HtmlScan; html: string } | { ok: false; skip?: SkippedPage }

/**
 * Crawls one website within its site: the start URL's host, with or without "www.", over http or
 * https, on the same port. Every request goes through `options.fetch` (the SSRF guard); a link or a
 * redirect to a refused address is reported as 'refused' and never fetched. Never throws for a
 * page's failure: those land in `skipped`.
 */
export async function crawlSite(startUrl: string, options: CrawlOptions): Promise<CrawlResult> {
  const fetch = options.fetch
  const maxPages = Math.max(1, options.maxPages ?? 50)
  const maxFetches = options.maxFetches ?? maxPages * 3 + 10
  const maxCrawlDelayMs = options.maxCrawlDelayMs ?? 1000
  const agent = options.robotsAgent ?? 'ParleyBot'
  const signal = options.signal
  const pages: CrawledPage[] = []
  const skipped: SkippedPage[] = []
  const result = (truncated = false): CrawlResult => ({ pages, skipped, truncated })

  const start = canonicalUrl(startUrl)
  if (!start) {
    skipped.push({ url: startUrl, kind: 'refused', reason: 'refused: not an http(s) URL' })
    return result()
  }
  const startU = new URL(start)
  const siteKey = (u: URL) => `${u.hostname.replace(/^www\./, '')}|${u.port}`
  const site = siteKey(startU)
  const sameSite = (u: URL) => (u.protocol === 'http:' || u.protocol === 'https:') && siteKey(u) === site

  // robots.txt: RFC 9309 — 4xx means no rules, an unreachable file means stay away.
  const robotsUrl = new URL('/robots.txt', startU).href
  let robots: ReturnType<typeof robotsParser> | undefined
  try {
    const res = await fetch(robotsUrl, { accept: 'text/plain,*/*;q=0.1', maxBytes: ROBOTS_MAX_BYTES, signal })
    if (res.status >= 500) {
      skipped.push({
        url: robotsUrl,
        kind: 'error',
        status: res.status,
        reason: `robots.txt is unavailable (HTTP ${res.status}); the crawl waits until it can read it`,
      })
      return result()
    }
    if (res.status < 300) robots = robotsParser(robotsUrl, res.text())
  } catch (err) {
    const d = describe(err)
    // A refusal here is the start URL's refusal: same host, same guard.
    if (d.kind === 'refused') skipped.push({ url: start, ...d })
    else skipped.push({ url: robotsUrl, kind: 'error', reason: `robots.txt could not be read: ${d.reason}` })
    return result()
  }
  // robots-parser only answers for URLs of the robots file's own origin; the rules cover the site.
  const robotsAllowed = (u: URL) =>
    !robots || robots.isAllowed(startU.origin + u.pathname + u.search, agent) !== false
  const crawlDelayMs = Math.min(Math.max(0, (robots?.getCrawlDelay(agent) ?? 0) * 1000), maxCrawlDelayMs)
  const concurrency = crawlDelayMs > 0 ? 1 : Math.max(1, options.concurrency ?? 4)

  const queue: string[] = []
  const seen = new Set<string>()
  const reported = new Set<string>()
  const maxQueue = maxPages * 20 + 100
  const report = (s: SkippedPage) => {
    if (reported.has(s.url)) return
    reported.add(s.url)
    skipped.push(s)
  }
  /** Adds a URL to the queue if it is a page of this site that robots.txt lets us read. */
  const enqueue = (href: string, base?: string, isStart = false) => {
    const canon = canonicalUrl(href, base)
    if (!canon || seen.has(canon)) return
    const u = new URL(canon)
    if (!sameSite(u)) {
      // Off-site links are not crawled; one that points inside a network is worth telling about.
      try {
        validateUrl(u)
      } catch (err) {
        if (err instanceof FetchBlocked) report({ url: canon, kind: 'refused', reason: err.message })
      }
      return
    }
    seen.add(canon)
    // The start URL is the owner's explicit choice: its Content-Type decides, not its extension.
    if (!isStart && NON_PAGE_EXT.test(u.pathname)) return
    if (!robotsAllowed(u)) {
      report({ url: canon, kind: 'robots', reason: 'disallowed by robots.txt' })
      return
    }
    if (queue.length < maxQueue) queue.push(canon)
  }

  enqueue(start, undefined, true)
  for (const url of await readSitemaps()) enqueue(url)
  for (const url of options.knownUrls ?? []) enqueue(url)

  /** Page URLs from robots.txt's sitemaps and /sitemap.xml, sitemap indexes one level deep. */
  async function readSitemaps(): Promise<string[]> {
    const listed = (robots?.getSitemaps() ?? []).map((s) => canonicalUrl(s)).filter((s): s is string => !!s)
    const candidates = [...new Set([...listed, new URL('/sitemap.xml', startU).href])]
    const urls: string[] = []
    const read = new Set<string>()
    const readOne = async (href: string, explicit: boolean) => {
      if (read.has(href)) return { pages: [], sitemaps: [] }
      read.add(href)
      if (!sameSite(new URL(href))) {
        report({ url: href, kind: 'off_site', reason: 'sitemap on another site, not read' })
        return { pages: [], sitemaps: [] }
      }
      try {
        const res = await fetch(href, { accept: XML_ACCEPT, signal })
        if (res.status === 200) return parseSitemap(res.body)
        // /sitemap.xml is a guess: its absence is normal. A listed one that fails is worth a line.
        if (explicit)
          report({
            url: href,
            kind: 'error',
            status: res.status,
            reason: `sitemap answered HTTP ${res.status}`,
          })
      } catch (err) {
        const d = describe(err)
        if (explicit || d.kind === 'refused') report({ url: href, ...d })
      }
      return { pages: [], sitemaps: [] }
    }
    for (const href of candidates) {
      const found = await readOne(href, listed.includes(href))
      urls.push(...found.pages)
      for (const child of found.sitemaps.slice(0, MAX_CHILD_SITEMAPS)) {
        const canon = canonicalUrl(child)
        if (canon) urls.push(...(await readOne(canon, true)).pages)
      }
      if (urls.length >= maxQueue) break
    }
    return urls
  }

  let lastFetchAt = 0
  async function fetchPage(url: string): Promise<Outcome> {
    try {
      return await fetchPageUnsafe(url)
    } catch (err) {
      // fetchPage must not reject: one bad page would otherwise end the whole crawl.
      return { ok: false, skip: { url, ...describe(err) } }
    }
  }

  async function fetchPageUnsafe(url: string): Promise<Outcome> {
    // Reached already through a redirect from another URL: nothing new to fetch.
    if (pageUrls.has(url)) return { ok: false }
    if (crawlDelayMs) {
      const wait = lastFetchAt + crawlDelayMs - Date.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      lastFetchAt = Date.now()
    }
    let res: GuardedResponse
    try {
      res = await fetch(url, {
        accept: HTML_ACCEPT,
        signal,
        // The guard has already validated the hop; this keeps the crawl on its site and its rules.
        onRedirect: (_from, to) => {
          if (!sameSite(to)) throw new CrawlSkip('off_site', `redirects off the site to ${to.href}`)
          if (!robotsAllowed(to))
            throw new CrawlSkip('robots', `redirects to ${to.href}, disallowed by robots.txt`)
        },
      })
    } catch (err) {
      return { ok: false, skip: { url, ...describe(err) } }
    }
    const status = res.status
    if (status === 404 || status === 410)
      return { ok: false, skip: { url, kind: 'gone', status, reason: `HTTP ${status}` } }
    if (status < 200 || status >= 300)
      return { ok: false, skip: { url, kind: 'error', status, reason: `HTTP ${status}` } }
    if (!isHtml(res)) {
      const type = res.headers['content-type'] ?? 'no content type'
      return { ok: false, skip: { url, kind: 'not_html', status, reason: `not an HTML page (${type})` } }
    }
    const html = decodeHtml(res)
    return { ok: true, res, scan: scanHtml(html, agent.toLowerCase()), html }
  }

  const hashes = new Map<string, string>()
  const pageUrls = new Set<string>()
  let truncated = false

  /** Applies one fetch's outcome, in queue order: dedupe, limits, links. */
  async function commit(requested: string, o: Outcome) {
    if (!o.ok) {
      if (o.skip) report(o.skip)
      return
    }
    const { res, scan, html } = o
    const url = canonicalUrl(res.url) ?? requested
    seen.add(url)
    if (url !== requested)
      report({ url: requested, kind: 'redirect', status: res.status, reason: `redirects to ${url}` })
    // The same page reached twice (a redirect and a link to its target): keep the first.
    if (pageUrls.has(url)) return
    const xRobots = (res.headers['x-robots-tag'] ?? '').toLowerCase()
    const noindex = scan.noindex || /\b(noindex|none)\b/.test(xRobots)
    const nofollow = scan.nofollow || /\b(nofollow|none)\b/.test(xRobots)
    if (!nofollow) {
      const base = scan.base ? (canonicalUrl(scan.base, res.url) ?? res.url) : res.url
      for (const link of scan.links) if (!link.nofollow) enqueue(link.href, base)
    }
    if (noindex) {
      report({
        url,
        kind: 'noindex',
        status: res.status,
        reason: 'the page asks not to be indexed (noindex)',
      })
      return
    }
    const hash = contentHash(scan.title, scan.text)
    const original = hashes.get(hash)
    if (original) {
      report({ url, kind: 'duplicate', status: res.status, reason: `duplicate of ${original}` })
      return
    }
    if (pages.length >= maxPages) {
      truncated = true
      return
    }
    hashes.set(hash, url)
    pageUrls.add(url)
    const page: CrawledPage = {
      url,
      final_url: res.url,
      title: scan.title || (/<h1[^>]*>([^<]+)/i.exec(html)?.[1]?.trim() ?? '') || url,
      html,
      text: scan.text,
      content_hash: hash,
      status: res.status,
    }
    pages.push(page)
    await options.onPage?.(page)
  }

  const running = new Set<Promise<void>>()
  const outcomes = new Map<number, Outcome>()
  let next = 0
  let committed = 0
  let fetches = 0
  // A page slot is reserved per fetch not yet committed, so the crawl never fetches past maxPages.
  const canStart = () =>
    !signal?.aborted &&
    running.size < concurrency &&
    next < queue.length &&
    pages.length + (next - committed) < maxPages &&
    fetches < maxFetches
  for (;;) {
    while (canStart()) {
      const i = next++
      fetches++
      const task: Promise<void> = fetchPage(queue[i]).then((o) => {
        outcomes.set(i, o)
        running.delete(task)
      })
      running.add(task)
    }
    if (!running.size) break
    await Promise.race(running)
    while (outcomes.has(committed)) {
      const o = outcomes.get(committed)!
      outcomes.delete(committed)
      await commit(queue[committed], o)
      committed++
    }
  }
  return result(truncated || next < queue.length)
}
