import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { canonicalUrl, crawlSite, type CrawlResult } from '../../../api/src/knowledge/crawl'
import { htmlToText } from '../../../api/src/knowledge/parse/html'
import { createGuardedFetch, type GuardLookup } from '../../../api/src/net'

// A small website on 127.0.0.1, reached as site.test (and www.site.test) through an injected DNS.
// Loopback is allowed for this file only; every private address the site points at stays refused.

let server: http.Server
let port = 0
let base = ''
/** 1 for the first crawl; 2 after the site changed. */
let version = 1
const requests: string[] = []
const lookups: string[] = []

const page = (title: string, body: string) =>
  `<!doctype html><html><head><title>${title}</title><style>body{color:red}</style>` +
  `<script>var tracking = "not text"</script></head><body>${body}</body></html>`

const routes: Record<string, (res: http.ServerResponse) => void> = {
  '/robots.txt': (res) =>
    text(res, `User-agent: *\nDisallow: /private\n\nSitemap: ${base}/sitemap.xml\n`, 'text/plain'),
  // A sitemap index (read one level deep) naming the page sitemap and one on a private address.
  '/sitemap.xml': (res) =>
    text(
      res,
      `<?xml version="1.0" encoding="UTF-8"?>
      <sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <sitemap><loc>${base}/sitemap-pages.xml</loc></sitemap>
        <sitemap><loc>http://10.0.0.1/sitemap.xml</loc></sitemap>
      </sitemapindex>`,
      'application/xml',
    ),
  '/sitemap-pages.xml': (res) =>
    text(
      res,
      `<?xml version="1.0" encoding="UTF-8"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        ${[
          '/',
          '/about',
          '/pricing',
          '/old',
          '/dup-a',
          '/dup-b',
          '/private/secret',
          '/gone',
          '/report.pdf',
          '/feed',
          '/go-metadata',
        ]
          .map((p) => `<url><loc>${base}${p}</loc><lastmod>2026-11-01</lastmod></url>`)
          .join('\n')}
      </urlset>`,
      'application/xml',
    ),
  '/': (res) =>
    html(
      res,
      page(
        'Home',
        `<nav><a href="/about">About</a> <a href="/contact#team">Contact</a> <a href="/faq?utm_source=mail">FAQ</a></nav>
         <h1>Welcome to Acme</h1><p>We sell &amp; support widgets.</p>
         <a href="mailto:hi@site.test">mail</a> <a href="javascript:alert(1)">js</a> <a href="tel:+123">call</a>
         <a href="/manual.pdf">manual</a>
         <a href="http://10.0.0.1/admin">admin</a> <a href="http://192.168.1.1/">router</a>
         <a href="http://169.254.169.254/latest/meta-data/">metadata</a>
         <a href="/go-private">internal</a> <a href="/off-site-redirect">partner</a>
         <a href="https://other.example.com/">elsewhere</a>
         <a href="/team" rel="nofollow">team</a>
         <a href="http://www.site.test:${port}/www-only">www</a>`,
      ),
    ),
  // Version 2 changes only markup: the hash must not move.
  '/about': (res) =>
    html(
      res,
      version === 1
        ? page('About us', '<h1>About us</h1><p>Founded in 1999.  We make widgets.</p>')
        : page(
            'About us',
            '<div class="hero"><h1 id="x">About us</h1></div><p class="lead">Founded in <b>1999</b>. We make <em>widgets</em>.</p>',
          ),
    ),
  '/pricing': (res) =>
    html(res, page('Pricing', `<h1>Pricing</h1><p>Pro costs ${version === 1 ? '$10' : '$12'} a month.</p>`)),
  '/old': (res) => redirect(res, '/new', 301),
  '/new': (res) => html(res, page('New home of the old page', '<p>Moved here.</p>')),
  '/dup-a': (res) => html(res, page('Same', '<p>Identical text on two URLs.</p>')),
  '/dup-b': (res) => html(res, page('Same', '<p>Identical   text on two URLs.</p>')),
  '/private/secret': (res) => html(res, page('Secret', '<p>robots.txt says no</p>')),
  '/gone': (res) => (version === 1 ? html(res, page('Soon gone', '<p>Here today.</p>')) : notFound(res)),
  '/feed': (res) => text(res, '{"items":[]}', 'application/json'),
  '/go-metadata': (res) => redirect(res, 'http://169.254.169.254/latest/meta-data/', 302),
  '/go-private': (res) => redirect(res, 'http://10.0.0.1/', 301),
  '/off-site-redirect': (res) => redirect(res, 'https://other.example.com/landing', 302),
  '/contact': (res) =>
    html(
      res,
      page('Contact', '<meta name="robots" content="noindex"><p>Call us.</p><a href="/hidden-link">more</a>'),
    ),
  '/hidden-link': (res) =>
    html(res, page('Reached through a noindex page', '<p>Links of noindex pages are followed.</p>')),
  '/faq': (res) => html(res, page('FAQ', '<h2>Shipping?</h2><p>Two days.</p><a href="/broken">broken</a>')),
  '/broken': (res) => {
    res.writeHead(500)
    res.end('oops')
  },
  '/www-only': (res) => html(res, page('WWW', '<p>Served on the www host.</p>')),
  '/team': (res) => html(res, page('Team', '<p>nofollow target</p>')),
  '/manual.pdf': (res) => text(res, '%PDF-1.4', 'application/pdf'),
  '/report.pdf': (res) => text(res, '%PDF-1.4', 'application/pdf'),
}

function text(res: http.ServerResponse, body: string, type: string) {
  res.writeHead(200, { 'content-type': `${type}; charset=utf-8` })
  res.end(body)
}
function html(res: http.ServerResponse, body: string) {
  text(res, body, 'text/html')
}
function redirect(res: http.ServerResponse, location: string, status: number) {
  res.writeHead(status, { location })
  res.end()
}
function notFound(res: http.ServerResponse) {
  res.writeHead(404, { 'content-type': 'text/html' })
  res.end('<h1>Not found</h1>')
}

const lookup: GuardLookup = async (host) => {
  lookups.push(host)
  if (host === 'site.test' || host === 'www.site.test') return [{ address: '127.0.0.1', family: 4 }]
  throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
}
const guardedFetch = createGuardedFetch({ allowLoopback: true, lookup, timeoutMs: 5000 })

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname
    requests.push(path)
    const route = routes[path]
    if (route) route(res)
    else notFound(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  port = (server.address() as AddressInfo).port
  base = `http://site.test:${port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))
beforeEach(() => {
  version = 1
  requests.length = 0
  lookups.length = 0
})

const byUrl = (r: CrawlResult) => Object.fromEntries(r.pages.map((p) => [p.url.replace(base, ''), p]))
const skip = (r: CrawlResult, url: string) =>
  r.skipped.find((s) => s.url === (url.startsWith('/') ? base + url : url))

describe('crawlSite on a local test site', () => {
  it('reads robots.txt and the sitemaps, follows same-site links and reports everything it left out', async () => {
    const seen: string[] = []
    const r = await crawlSite(`${base}/`, { fetch: guardedFetch, onPage: (p) => void seen.push(p.url) })
    const pages = byUrl(r)

    expect(Object.keys(pages).sort()).toEqual(
      [
        '/',
        '/about',
        '/pricing',
        '/new',
        '/dup-a',
        '/gone',
        '/faq',
        '/hidden-link',
        `http://www.site.test:${port}/www-only`,
      ].sort(),
    )
    expect(r.truncated).toBe(false)
    expect(seen).toEqual(r.pages.map((p) => p.url))

    // Page content: title, visible text only, a sha256 hash; the URL is the page after redirects.
    expect(pages['/']).toMatchObject({ title: 'Home', status: 200, final_url: `${base}/` })
    expect(pages['/'].text).toContain('We sell & support widgets.')
    expect(pages['/'].text).not.toMatch(/tracking|color:red/)
    expect(pages['/'].html).toContain('<h1>Welcome to Acme</h1>')
    expect(pages['/'].content_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(pages['/new']).toMatchObject({ final_url: `${base}/new`, title: 'New home of the old page' })

    // robots.txt: disallowed, never requested.
    expect(skip(r, '/private/secret')).toMatchObject({ kind: 'robots' })
    expect(requests).not.toContain('/private/secret')
    // The 301 is followed and reported as a redirect of the old URL.
    expect(skip(r, '/old')).toMatchObject({ kind: 'redirect', reason: `redirects to ${base}/new` })
    // Same visible text on two URLs (whitespace differs): kept once, in queue order.
    expect(skip(r, '/dup-b')).toMatchObject({ kind: 'duplicate', reason: `duplicate of ${base}/dup-a` })
    expect(skip(r, '/feed')).toMatchObject({ kind: 'not_html' })
    expect(skip(r, '/contact')).toMatchObject({ kind: 'noindex' })
    expect(skip(r, '/broken')).toMatchObject({ kind: 'error', status: 500 })
    expect(skip(r, '/off-site-redirect')).toMatchObject({ kind: 'off_site' })
    expect(skip(r, 'http://10.0.0.1/sitemap.xml')).toMatchObject({ kind: 'off_site' })

    // Private addresses: links and redirects are refused by the guard, never fetched.
    expect(skip(r, '/go-metadata')).toMatchObject({ kind: 'refused' })
    expect(skip(r, '/go-metadata')!.reason).toMatch(/169\.254\.169\.254 is a link-local address/)
    expect(skip(r, '/go-private')!.reason).toMatch(/10\.0\.0\.1 is a private address/)
    expect(skip(r, 'http://10.0.0.1/admin')).toMatchObject({
      kind: 'refused',
      reason: 'refused: 10.0.0.1 is a private address',
    })
    expect(skip(r, 'http://192.168.1.1/')).toMatchObject({ kind: 'refused' })
    expect(skip(r, 'http://169.254.169.254/latest/meta-data/')).toMatchObject({ kind: 'refused' })

    // Never requested: nofollow links, binary files, the public off-site host (not even resolved).
    for (const path of ['/team', '/manual.pdf', '/report.pdf']) expect(requests).not.toContain(path)
    expect(lookups.filter((h) => h !== 'site.test' && h !== 'www.site.test')).toEqual([])
    // Each page fetched once: fragments and tracking parameters do not make new URLs.
    expect(requests.filter((p) => p === '/faq')).toHaveLength(1)
    expect(requests.filter((p) => p === '/contact')).toHaveLength(1)
    expect(requests.filter((p) => p === '/about')).toHaveLength(1)
  })

  it('re-crawls an unchanged site identically, then shows only the changed page with a new hash', async () => {
    const first = await crawlSite(`${base}/`, { fetch: guardedFetch })
    const again = await crawlSite(`${base}/`, { fetch: guardedFetch })
    expect(again.pages.map((p) => [p.url, p.content_hash])).toEqual(
      first.pages.map((p) => [p.url, p.content_hash]),
    )
    expect(again.skipped).toEqual(first.skipped)

    version = 2
    const second = await crawlSite(`${base}/`, { fetch: guardedFetch })
    const before = byUrl(first)
    const after = byUrl(second)
    const changed = Object.keys(after).filter(
      (u) => before[u] && before[u].content_hash !== after[u].content_hash,
    )
    expect(changed).toEqual(['/pricing'])
    // /about only changed its markup.
    expect(after['/about'].html).not.toBe(before['/about'].html)
    expect(after['/about'].content_hash).toBe(before['/about'].content_hash)
    // /gone now answers 404: reported so the caller marks it removed.
    expect(after['/gone']).toBeUndefined()
    expect(skip(second, '/gone')).toMatchObject({ kind: 'gone', status: 404 })
  })

  it('visits known URLs from an earlier crawl, so a page that is no longer linked is reported', async () => {
    const r = await crawlSite(`${base}/`, {
      fetch: guardedFetch,
      knownUrls: [`${base}/removed-long-ago`, `${base}/private/x`],
    })
    expect(skip(r, '/removed-long-ago')).toMatchObject({ kind: 'gone', status: 404 })
    expect(skip(r, '/private/x')).toMatchObject({ kind: 'robots' })
  })

  it('stops at maxPages without fetching more pages than it keeps', async () => {
    const r = await crawlSite(`${base}/`, { fetch: guardedFetch, maxPages: 3 })
    expect(r.pages.map((p) => p.url)).toEqual([`${base}/`, `${base}/about`, `${base}/pricing`])
    expect(r.truncated).toBe(true)
    const pageRequests = requests.filter((p) => !p.startsWith('/sitemap') && p !== '/robots.txt')
    expect(pageRequests.sort()).toEqual(['/', '/about', '/pricing'])
  })

  it('refuses the whole site when the guard refuses its address', async () => {
    // The test port is allowed so that the address, not the port, is what gets refused.
    const strict = createGuardedFetch({ lookup, allowedPorts: [port] })
    const r = await crawlSite(`${base}/`, { fetch: strict })
    expect(r.pages).toEqual([])
    expect(r.skipped[0]).toMatchObject({ kind: 'refused', url: `${base}/` })
    expect(r.skipped[0].reason).toMatch(/127\.0\.0\.1 is a loopback address/)
    expect(requests).toEqual([])

    const metadata = await crawlSite('http://169.254.169.254/latest/meta-data/', { fetch: guardedFetch })
    expect(metadata.pages).toEqual([])
    expect(metadata.skipped[0]).toMatchObject({ kind: 'refused' })
  })
})

describe('crawlSite robots.txt edge cases', () => {
  let other: http.Server
  let otherBase = ''
  let robots: { status: number; body: string } = { status: 200, body: '' }
  let inFlight = 0
  let maxInFlight = 0
  beforeAll(async () => {
    other = http.createServer((req, res) => {
      if (req.url === '/robots.txt') {
        res.writeHead(robots.status, { 'content-type': 'text/plain' })
        res.end(robots.body)
        return
      }
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      setTimeout(() => {
        inFlight--
        const n = Number(req.url?.slice(1) || 0)
        html(
          res,
          page(
            `Page ${n}`,
            `<p>Page number ${n}</p>${n < 5 ? `<a href="/${n + 1}">next</a><a href="/${n + 2}">after</a>` : ''}`,
          ),
        )
      }, 5)
    })
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    otherBase = `http://127.0.0.1:${(other.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => other.close(() => resolve())))
  beforeEach(() => {
    maxInFlight = 0
  })

  it('caps Crawl-delay and crawls one page at a time while it applies', async () => {
    robots = { status: 200, body: 'User-agent: ParleyBot\nCrawl-delay: 30\n' }
    const started = Date.now()
    const r = await crawlSite(`${otherBase}/`, { fetch: guardedFetch, maxCrawlDelayMs: 20 })
    expect(r.pages).toHaveLength(7)
    expect(maxInFlight).toBe(1)
    expect(Date.now() - started).toBeLessThan(15_000) // 30 s per page uncapped
  })

  it('crawls concurrently without a delay', async () => {
    robots = { status: 404, body: '' }
    const r = await crawlSite(`${otherBase}/`, { fetch: guardedFetch, concurrency: 4 })
    expect(r.pages.map((p) => p.title)).toEqual([
      'Page 0',
      'Page 1',
      'Page 2',
      'Page 3',
      'Page 4',
      'Page 5',
      'Page 6',
    ])
    expect(maxInFlight).toBeGreaterThan(1)
  })

  it('honours a Disallow for its own user agent', async () => {
    robots = { status: 200, body: 'User-agent: ParleyBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n' }
    const r = await crawlSite(`${otherBase}/`, { fetch: guardedFetch })
    expect(r.pages).toEqual([])
    expect(r.skipped).toEqual([{ url: `${otherBase}/`, kind: 'robots', reason: 'disallowed by robots.txt' }])
  })

  it('stays away when robots.txt is unavailable (5xx), as RFC 9309 asks', async () => {
    robots = { status: 503, body: '' }
    const r = await crawlSite(`${otherBase}/`, { fetch: guardedFetch })
    expect(r.pages).toEqual([])
    expect(r.skipped[0]).toMatchObject({ kind: 'error', status: 503, url: `${otherBase}/robots.txt` })
  })
})

describe('htmlToText and canonicalUrl', () => {
  it('keeps visible text only, one line per block', () => {
    const html = `<html><head><title>T</title><style>.a{}</style></head><body>
      <h1>Title &amp; more</h1><p>One <b>bold</b>
      word.</p><script>alert(1)</script><noscript>enable js</noscript><div hidden>secret</div>
      <span aria-hidden="true">icon</span><ul><li>a</li><li>b</li></ul><img src="x.png" alt="A chart"><br>end</body></html>`
    expect(htmlToText(html)).toBe('Title & more\nOne bold word.\na\nb\nA chart\nend')
  })

  it('drops fragments and tracking parameters, and non-http schemes', () => {
    expect(canonicalUrl('/a/b?x=1&utm_source=mail#top', 'https://ex.com/')).toBe('https://ex.com/a/b?x=1')
    expect(canonicalUrl('HTTPS://EX.com:443/a?')).toBe('https://ex.com/a')
    expect(canonicalUrl('/a?b=%20c', 'https://ex.com/')).toBe('https://ex.com/a?b=%20c')
    for (const href of ['mailto:a@b.c', 'javascript:void(0)', 'tel:+1', 'ftp://ex.com/', 'http://[bad']) {
      expect(canonicalUrl(href, 'https://ex.com/')).toBeNull()
    }
  })
})
