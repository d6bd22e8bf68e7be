/**
 * Prints the gzipped sizes (zlib level 9) of the widget's loader and chat chunk against their
 * budgets, writes bench/results/size.json, and exits 1 when a file is over budget or missing.
 * Run after the build: `npx tsx scripts/size.ts`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'

const root = new URL('..', import.meta.url)
const budgets = [
  { name: 'loader', file: 'dist/widget/widget.js', budget: 2 * 1024 },
  { name: 'chat', file: 'dist/widget/chat.js', budget: 20 * 1024 },
]

const kb = (n: number) => (n / 1024).toFixed(2) + ' KB'
const results = budgets.map(({ name, file, budget }) => {
  const path = new URL(file, root)
  if (!existsSync(path)) return { name, file, raw: null, gzip: null, budget, ok: false }
  const buf = readFileSync(path)
  const gzip = gzipSync(buf, { level: 9 }).length
  return { name, file, raw: buf.length, gzip, budget, ok: gzip <= budget }
})

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
  console.error('widget size check failed: a file is missing or over budget')
  process.exit(1)
}
