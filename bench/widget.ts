/**
 * `npx tsx bench/widget.ts`: what the widget costs a customer's page before its first open, measured
 * in Debian's Chromium. Starts the API on a memory database and a host site on another origin, then
 * loads the same bare page three ways, interleaved, BENCH_WIDGET_RUNS times each (15 by default):
 * - `none`: without any script tag;
 * - `floor`: with an empty async <script> from another origin, served like widget.js (same headers):
 *   what any script-tag embed costs before its first byte of code runs (fetching the script, the
 *   load event waiting for it, the tasks that go with it);
 * - `widget`: with the real tag.
 * Each page is read SETTLE_MS after its load event, long enough for the loader's idle callback, by
 * Chromium's own counters (CDP Performance.getMetrics in thread time: TaskDuration is all the renderer
 * main thread's tasks, ScriptDuration the JavaScript among them). Reported, as medians over the runs of
 * the per-run difference (widget run i minus none/floor run i, so slow phases of a shared box cancel):
 * (a) TaskDuration, widget minus none: the raw main-thread time the widget adds to the page;
 * (b) TaskDuration, widget minus floor: what the widget's own code and launcher add beyond any embed;
 * (c) ScriptDuration, widget minus none;
 * (d) time to launcher visible: navigation start to the first frame with the launcher in the page;
 * plus long tasks, and checks that the launcher was drawn and the chat neither loaded nor rendered
 * before the first open (a first visit: nothing stored).
 * Prints a table and writes bench/results/widget.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../tests/e2e/browser'
import { startHostSite } from '../tests/e2e/widget-host'
import { median } from './lib'

const RUNS = Math.max(15, Number(process.env.BENCH_WIDGET_RUNS ?? 15))
const SETTLE_MS = 2500

const r1 = (n: number) => Math.round(n * 10) / 10

/** Records when the launcher is first laid out, and long tasks; runs on all three pages alike. */
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
  return async () => {
    const { metrics } = await cdp.send('Performance.getMetrics')
    const get = (n: string) => (metrics.find((m) => m.name === n)?.value ?? 0) * 1000
    return { task: get('TaskDuration'), script: get('ScriptDuration') }
  }
}

async function run(browser: Browser, url: string) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  await ctx.addInitScript(PROBE)
  const page = await ctx.newPage()
  const read = await recorder(page)
  await page.goto(url, { waitUntil: 'load' })
  await page.waitForTimeout(SETTLE_MS)
  const m = await read()
  const b = (await page.evaluate('window.__bench')) as { longtasks: number; launcher: number | null }
  const chunkLoaded = await page.evaluate(() =>
    performance.getEntriesByType('resource').some((e) => e.name.endsWith('/chat.js')),
  )
  const rendered = await page.evaluate(
    () => !!document.querySelector('parley-widget')?.shadowRoot?.querySelector('.panel'),
  )
  await ctx.close()
  return { ...m, ...b, chunkLoaded, rendered }
}

type Run = Awaited<ReturnType<typeof run>>

/** Runs the benchmark; returns one row per measure. */
export async function benchWidget(): Promise<{
  rows: Record<string, unknown>[]
  raw: Record<string, Run[]>
}> {
  const site = await startHostSite()
  const browser = await launchChromium()
  const raw: Record<'none' | 'floor' | 'widget', Run[]> = { none: [], floor: [], widget: [] }
  const pages = { none: '/plain?widget=0', floor: '/plain?widget=empty', widget: '/plain' } as const
  try {
    for (const p of Object.values(pages)) await run(browser, site.url + p) // warm up the servers
    for (let i = 0; i < RUNS; i++) {
      // rotate the order so no variant always runs right after another
      const order = (['none', 'floor', 'widget'] as const).map((_, k, a) => a[(i + k) % 3])
      for (const v of order) raw[v].push(await run(browser, site.url + pages[v]))
    }
  } finally {
    await browser.close()
    await site.close()
  }
  if (!raw.widget.every((r) => r.launcher != null && !r.rendered))
    throw new Error('widget bench: the launcher was not drawn, or the chat rendered before the first open')
  const delta = (k: 'task' | 'script', base: Run[]) => median(raw.widget.map((r, i) => r[k] - base[i][k]))
  const task = delta('task', raw.none)
  const overFloor = delta('task', raw.floor)
  const rows = [
    {
      measure: '(a) main-thread time before first open: TaskDuration, widget page minus page without it',
      value: r1(task),
      unit: 'ms',
      target: '< 5 ms',
      ok: task < 5,
    },
    {
      measure: '(b) the same minus the floor: widget page minus page with an empty async cross-origin script',
      value: r1(overFloor),
      unit: 'ms',
      target: '< 5 ms',
      ok: overFloor < 5,
    },
    {
      measure: '(c) script time before first open: ScriptDuration, widget page minus page without it',
      value: r1(delta('script', raw.none)),
      unit: 'ms',
      target: '',
      ok: true,
    },
    {
      measure: '(d) time to launcher visible (navigation start to first frame with it)',
      value: r1(median(raw.widget.map((r) => r.launcher!))),
      unit: 'ms',
      target: '',
      ok: true,
    },
    {
      measure: 'the floor itself: empty async script page minus page without it',
      value: r1(median(raw.floor.map((r, i) => r.task - raw.none[i].task))),
      unit: 'ms',
      target: '',
      ok: true,
    },
    {
      measure: 'chat chunk fetched before the first open (first visit)',
      value: raw.widget.filter((r) => r.chunkLoaded).length,
      unit: `of ${RUNS} runs`,
      target: '0',
      ok: raw.widget.every((r) => !r.chunkLoaded),
    },
    {
      measure: 'long tasks (> 50 ms) on the widget page',
      value: median(raw.widget.map((r) => r.longtasks)),
      unit: 'count',
      target: '0',
      ok: raw.widget.every((r) => r.longtasks === 0),
    },
    {
      measure: 'page TaskDuration without the widget, for scale',
      value: r1(median(raw.none.map((r) => r.task))),
      unit: 'ms',
      target: '',
      ok: true,
    },
  ]
  report(rows, raw)
  return { rows, raw }
}

/** Prints the table and writes bench/results/widget.json (from `npm run bench` or run alone). */
function report(rows: Record<string, unknown>[], raw: Record<string, Run[]>) {
  console.table(rows)
  console.log(
    '(a) is the raw cost of the tag on the page; (b) is (a) minus what an empty async script tag from another origin\n' +
      'costs on the same page (the floor any embed pays); both are medians of per-run differences in thread time.',
  )
  mkdirSync('bench/results', { recursive: true })
  const runs = Object.fromEntries(
    Object.entries(raw).map(([k, v]) => [k, v.map((r) => ({ task: r1(r.task), script: r1(r.script) }))]),
  )
  writeFileSync(
    'bench/results/widget.json',
    JSON.stringify(
      {
        when: new Date().toISOString(),
        node: process.version,
        runs: RUNS,
        settle_ms: SETTLE_MS,
        rows,
        samples: runs,
      },
      null,
      2,
    ) + '\n',
  )
  console.log('wrote bench/results/widget.json')
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await benchWidget()
