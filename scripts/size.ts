/**
 * Prints the gzipped sizes (zlib level 9) of the widget's loader and chat chunk, and of the console's
 * first page (entry script, its CSS and static imports: what an agent downloads before the inbox
 * shows) and each page's lazily loaded chunk (with the shared chunks it pulls that the first page
 * lacks), against their budgets; writes bench/results/size.json, and exits 1 when a file is over
 * budget or missing. Run after the build: `npx tsx scripts/size.ts`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const root = new URL('..', import.meta.url)
const budgets = [
  { name: 'loader', file: 'dist/widget/widget.js', budget: 2 * 1024 },
  { name: 'chat', file: 'dist/widget/chat.js', budget: 20 * 1024 },
]

const kb = (n: number) => (n / 1024).toFixed(2) + ' KB'
const results: {
  name: string
  file: string
  raw: number | null
  gzip: number | null
  budget: number
  ok: boolean
}[] = budgets.map(({ name, file, budget }) => {
  const path = new URL(file, root)
  if (!existsSync(path)) return { name, file, raw: null, gzip: null, budget, ok: false }
  const buf = readFileSync(path)
  const gzip = gzipSync(buf, { level: 9 }).length
  return { name, file, raw: buf.length, gzip, budget, ok: gzip <= budget }
})

/** The console, from Vite's manifest: the first page, then one row per lazily loaded page. */
const CONSOLE_FIRST_PAGE_BUDGET = 60 * 1024
const CONSOLE_PAGE_BUDGET = 40 * 1024
type ManifestChunk = {
  file: string
  css?: string[]
  imports?: string[]
  dynamicImports?: string[]
  isEntry?: boolean
}
const manifestPath = new URL('dist/console/.vite/manifest.json', root)
if (!existsSync(manifestPath)) {
  results.push({
    name: 'console',
    file: 'dist/console/.vite/manifest.json',
    raw: null,
    gzip: null,
    budget: 0,
    ok: false,
  })
} else {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, ManifestChunk>
  const weigh = (files: Iterable<string>) => {
    let raw = 0
    let gzip = 0
    for (const f of files) {
      const buf = readFileSync(new URL('dist/console/' + f, root))
      raw += buf.length
      gzip += gzipSync(buf, { level: 9 }).length
    }
    return { raw, gzip }
  }
  /** A chunk's files and those of its static imports, minus what is already loaded. */
  const closure = (key: string, have: Set<string>, out = new Set<string>()) => {
    const chunk = manifest[key]
    if (!chunk) return out
    for (const f of [chunk.file, ...(chunk.css ?? [])]) if (!have.has(f)) out.add(f)
    for (const imp of chunk.imports ?? []) if (!have.has(manifest[imp]?.file ?? '')) closure(imp, have, out)
    return out
  }
  const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry)!
  const first = closure(entryKey, new Set())
  const firstSize = weigh(first)
  results.push({
    name: 'console first page',
    file: 'console: ' + [...first].join(' + '),
    ...firstSize,
    budget: CONSOLE_FIRST_PAGE_BUDGET,
    ok: firstSize.gzip <= CONSOLE_FIRST_PAGE_BUDGET,
  })
  for (const dyn of manifest[entryKey].dynamicImports ?? []) {
    const files = closure(dyn, first)
    const size = weigh(files)
    const page = /pages\/([^/]+)\//.exec(dyn)?.[1] ?? dyn
    results.push({
      name: 'console ' + page,
      file: `console page ${page}: ` + [...files].join(' + '),
      ...size,
      budget: CONSOLE_PAGE_BUDGET,
      ok: size.gzip <= CONSOLE_PAGE_BUDGET,
    })
  }
}

const rows = [
  ['file', 'raw', 'gzip', 'budget', ''],
  ...results.map((r) => [
    r.file,
    r.raw == null ? '-' : kb(r.raw),
    r.gzip == null ? 'missing' : kb(r.gzip),
    kb(r.budget),
    r.ok ? 'ok' : 'OVER',
  ]),
]
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)))
for (const [i, r] of rows.entries()) {
  console.log(r.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '))
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '))
}

const out = new URL('bench/results/', root)
mkdirSync(out, { recursive: true })
writeFileSync(
  new URL('size.json', out),
  JSON.stringify({ date: new Date().toISOString(), files: results }, null, 2) + '\n',
)

if (results.some((r) => !r.ok)) {
  console.error('size check failed: a file is missing or over budget')
  process.exit(1)
}
