/**
 * Helpers for the widget's browser tests and benchmark: the API on a memory database, a host page
 * server (the hostile fixture, with or without its strict CSP, and a blank page), axe-core.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import { createRequire } from 'node:module'
import { randomBytes } from 'node:crypto'
import type { Page } from 'playwright-core'
import { loadConfig, type Config } from '../../api/src/config'
import { seedDemo } from '../../api/src/demo'
import { startServer, type Running } from '../../api/src/server'

const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8')

export interface HostSite {
  api: Running
  apiUrl: string
  url: string
  close(): Promise<void>
}

/**
 * Starts the API (demo tenant seeded) and a host site on another origin:
 * `/` the hostile page with a strict CSP and a fresh nonce per response, `/?csp=0` the same without
 * CSP, `/blank` the hostile page without the widget, `/plain` a bare page with the widget,
 * `/plain?widget=0` the same page without it, and `/plain?widget=empty` the same page with an empty
 * async script in its place: `/empty.js`, fetched from this server as `localhost` (the page is on
 * `127.0.0.1`), so it is cross-origin like widget.js and served with the same headers. That is the
 * floor any script-tag embed costs, for the widget benchmark.
 */
export async function startHostSite(
  start: (config: Config) => Promise<Running> = (config) => startServer(config),
): Promise<HostSite> {
  const config = loadConfig({ DATABASE_URL: 'memory://', PORT: '0', LOG_LEVEL: 'silent', HOST: '127.0.0.1' })
  const api = await start(config)
  const apiUrl = `http://localhost:${api.port}`
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url || '/', 'http://x')
    if (u.pathname === '/empty.js')
      return void res
        .writeHead(200, {
          'Content-Type': 'text/javascript; charset=utf-8',
          'Cache-Control': 'public, max-age=300',
          'Access-Control-Allow-Origin': '*',
          'Cross-Origin-Resource-Policy': 'cross-origin',
        })
        .end('')
    if (u.pathname === '/hostile.css')
      return void res.writeHead(200, { 'Content-Type': 'text/css' }).end(fixture('hostile.css'))
    const nonce = randomBytes(12).toString('base64')
    let html = fixture('hostile.html').replaceAll('{{API}}', apiUrl).replaceAll('{{NONCE}}', nonce)
    if (u.pathname === '/blank') html = html.replace(/<script src=.*<\/script>/, '')
    else if (u.pathname === '/plain') {
      const w = u.searchParams.get('widget')
      html =
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Plain</title></head>` +
        `<body><main><h1>Plain page</h1><p>${'Some host page text. '.repeat(40)}</p></main>` +
        (w === '0'
          ? ''
          : w === 'empty'
            ? `<script src="http://localhost:${port}/empty.js" async></script>`
            : `<script src="${apiUrl}/widget.js" data-key="pk_demo" async></script>`) +
        `</body></html>`
    } else if (u.pathname !== '/') return void res.writeHead(404).end()
    const headers: Record<string, string> = {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
    }
    if (u.pathname === '/' && u.searchParams.get('csp') !== '0')
      headers['Content-Security-Policy'] =
        `default-src 'none'; script-src 'nonce-${nonce}' 'strict-dynamic'; style-src 'self' 'nonce-${nonce}'; ` +
        `connect-src ${apiUrl}; img-src 'self'; font-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`
    res.writeHead(200, headers).end(html)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  const url = `http://127.0.0.1:${port}`
  await seedDemo(api, [url])
  return {
    api,
    apiUrl,
    url,
    async close() {
      await new Promise<void>((r) => server.close(() => r()))
      await api.shutdown()
    },
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/**
 * Runs axe-core on the widget (its shadow tree included): the violations, and how many nodes passed
 * a check (so a run that saw nothing cannot pass unnoticed).
 */
export async function axeWidget(page: Page) {
  await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const axe = (window as any).axe
    const r = await axe.run({ include: [['#parley-widget']] })
    return {
      violations: r.violations.map((v: any) => ({
        id: v.id,
        help: v.help,
        nodes: v.nodes.map((n: any) => n.target),
      })),
      checked: r.passes.reduce((n: number, p: any) => n + p.nodes.length, 0) as number,
    }
  })
}
