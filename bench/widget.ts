/**
 * `npx tsx bench/widget.ts`: what the widget costs a customer's page, measured in Debian's Chromium.
 * Starts the API on a memory database and a host site on another origin, then loads the same page
 * with and without the widget tag, several times each, and reports medians of:
 * - the host page's main-thread time caused by the widget before the first open: the difference in
 *   Chromium's own TaskDuration and ScriptDuration (CDP Performance.getMetrics) between the two
 *   pages, read once the page is loaded and the idle-time preload of the chat chunk (config and
 *   stored session fetched, nothing rendered) has finished;
 * - long tasks (> 50 ms) seen on the widget page;
 * - time to launcher visible: from navigation start to the first frame with the launcher laid out.
 * Prints a table and writes bench/results/widget.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../tests/e2e/browser'
import { startHostSite } from '../tests/e2e/widget-host'

const RUNS = Number(process.env.BENCH_WIDGET_RUNS ?? 9)
const SETTLE_MS = 2500

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const r1 = (n: number) => Math.round(n * 10) / 10

/** Records when the launcher is first laid out, and long tasks; costs one observer callback. */
const PROBE = `(() => {
  window.__bench = { longtasks: 0, launcher: null }
  try { new PerformanceObserver((l) => { window.__bench.longtasks += l.getEntries().length }).observe({ type: 'longtask', buffered: true }) } catch {}
  new MutationObserver((_, obs) => {
    const host = document.querySelector('parley-widget')
    if (!host) return
    obs.disconnect()
    requestAnimationFrame(() => { window.__bench.launcher = performance.now() })
  }).observe(document, { childList: true, subtree: true })
})()`

/** Chromium's counters start at Performance.enable: call before navigating, read after. */
async function recorder(page: Page) {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('Performance.enable', { timeDomain: 'threadTicks' })
  return () => metrics(cdp)
}

async function metrics(cdp: { send(m: 'Performance.getMetrics'): Promise<{ metrics: { name: string; value: number }[] }> }) {
  const { metrics } = await cdp.send('Performance.getMetrics')
  const get = (n: string) => (metrics.find((m: { name: string }) => m.name === n)?.value ?? 0) * 1000
  return { task: get('TaskDuration'), script: get('ScriptDuration') }
}

async function run(browser: Browser, url: string, blockChunk = false, emptyLoader = false) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  await ctx.addInitScript(PROBE)
  if (blockChunk) await ctx.route('**/chat.js', (r) => r.abort())
  if (emptyLoader) await ctx.route('**/widget.js', (r) => r.fulfill({ contentType: 'text/javascript', body: 'void 0' }))
  const page = await ctx.newPage()
  const read = await recorder(page)
  await page.goto(url, { waitUntil: 'load' })
  await page.waitForTimeout(SETTLE_MS) // idle preload: chunk, config, nothing rendered
  const m = await read()
  const b = (await page.evaluate('window.__bench')) as { longtasks: number; launcher: number | null }
  const chunkLoaded = await page.evaluate(() =>
    performance.getEntriesByType('resource').some((e) => e.name.endsWith('/chat.js')),
  )
  const rendered = await page.evaluate(() => !!document.querySelector('parley-widget')?.shadowRoot?.querySelector('.panel'))
  await ctx.close()
  return { ...m, ...b, chunkLoaded, rendered }
}

/** Runs the benchmark; returns one row per measure. */
export async function benchWidget(): Promise<{ rows: Record<string, unknown>[] }> {
  const site = await startHostSite()
  const browser = await launchChromium()
  const withW: Awaited<ReturnType<typeof run>>[] = []
  const without: Awaited<ReturnType<typeof run>>[] = []
  const loaderOnly: Awaited<ReturnType<typeof run>>[] = []
  const emptyTag: Awaited<ReturnType<typeof run>>[] = []
  try {
    await run(browser, site.url + '/plain') // warm the server and the HTTP cache of nothing
    for (let i = 0; i < RUNS; i++) {
      without.push(await run(browser, site.url + '/plain?widget=0'))
      withW.push(await run(browser, site.url + '/plain'))
      loaderOnly.push(await run(browser, site.url + '/plain', true))
      emptyTag.push(await run(browser, site.url + '/plain', false, true))
    }
  } finally {
    await browser.close()
    await site.close()
  }
  if (!withW.every((r) => r.chunkLoaded && !r.rendered && r.launcher != null))
    throw new Error('widget bench: the idle preload did not happen as expected')
  const task = median(withW.map((r) => r.task)) - median(without.map((r) => r.task))
  const script = median(withW.map((r) => r.script)) - median(without.map((r) => r.script))
  const rows = [
    { measure: 'main-thread time before first open (TaskDuration delta)', value: r1(task), unit: 'ms', target: '< 5 ms', ok: task < 5 },
    { measure: 'script time before first open (ScriptDuration delta)', value: r1(script), unit: 'ms', target: '', ok: true },
    { measure: 'of which the loader alone (chunk blocked)', value: r1(median(loaderOnly.map((r) => r.task)) - median(without.map((r) => r.task))), unit: 'ms', target: '', ok: true },
    { measure: 'an empty cross-origin async <script> tag, for scale', value: r1(median(emptyTag.map((r) => r.task)) - median(without.map((r) => r.task))), unit: 'ms', target: '', ok: true },
    { measure: 'long tasks on the widget page', value: median(withW.map((r) => r.longtasks)), unit: 'count', target: '0', ok: true },
    { measure: 'time to launcher visible', value: r1(median(withW.map((r) => r.launcher!))), unit: 'ms', target: '', ok: true },
    { measure: 'page TaskDuration without the widget', value: r1(median(without.map((r) => r.task))), unit: 'ms', target: '', ok: true },
  ]
  return { rows }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { rows } = await benchWidget()
  console.table(rows)
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(
    'bench/results/widget.json',
    JSON.stringify({ when: new Date().toISOString(), node: process.version, runs: RUNS, rows }, null, 2) + '\n',
  )
  console.log('wrote bench/results/widget.json')
}
