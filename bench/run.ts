/**
 * `npm run bench`: every benchmark, one after the other (BENCH_ONLY=api,rules,escalation,retrieval,answers,widget,channels picks
 * some; BENCH_SIZES=10000 makes the retrieval one quick):
 *
 * - api (here): starts the API on the embedded database (a fresh folder), seeds the demo tenant and
 *   drives it over real HTTP with 10 and 50 concurrent visitors. Each visitor creates a session and
 *   asks questions answered by the extractive answerer. Prints a table and writes bench/results/api.json.
 * - rules: bench/rules.ts (escalation rule evaluation), bench/results/rules.json.
 * - escalation: bench/escalation.ts (visitor asks for a person -> console event, 200 at once), bench/results/escalation.json.
 * - retrieval: bench/retrieval.ts (RAG ingestion, retrieval latency, HNSW recall, fusion), bench/results/retrieval.json.
 * - answers: bench/answers-eval.ts (the labelled set of bench/eval/: covered answered, correct, uncovered
 *   declined, confidence AUC, offline and with a model; calibrates the threshold), bench/results/answers-eval.json.
 * - widget: bench/widget.ts, when that file exists.
 * - channels: bench/channels.ts (Telegram webhook -> answer -> sendMessage on a stand-in, 50 messages/s), bench/results/channels.json.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../api/src/config'
import { seedDemo } from '../api/src/demo'
import { startServer } from '../api/src/server'
import { benchRetrieval } from './retrieval'
import { benchAnswers } from './answers-eval'
import { benchEscalation } from './escalation'
import { benchRules } from './rules'
import { benchChannels } from './channels'
import { percentile } from './lib'

const QUESTIONS = [
  'Quels sont les délais de livraison ?',
  'How much does shipping cost?',
  'Comment retourner un article ?',
  'When will I get my refund?',
  'Quels moyens de paiement acceptez-vous ?',
  'Vendez-vous des voitures ?',
]
const MESSAGES_PER_VISITOR = Number(process.env.BENCH_MESSAGES ?? 5)
const VISITORS_PER_LEVEL = Number(process.env.BENCH_VISITORS ?? 100)

const pct = percentile

interface Row {
  scenario: string
  concurrency: number
  requests: number
  errors: number
  rps: number
  p50_ms: number
  p95_ms: number
  p99_ms: number
}

function summarise(
  scenario: string,
  concurrency: number,
  latencies: number[],
  errors: number,
  wallMs: number,
): Row {
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    scenario,
    concurrency,
    requests: latencies.length,
    errors,
    rps: Math.round((latencies.length / wallMs) * 1000 * 10) / 10,
    p50_ms: Math.round(pct(sorted, 50) * 10) / 10,
    p95_ms: Math.round(pct(sorted, 95) * 10) / 10,
    p99_ms: Math.round(pct(sorted, 99) * 10) / 10,
  }
}

/** Runs `total` jobs with at most `concurrency` in flight. */
async function pool<T>(total: number, concurrency: number, job: (i: number) => Promise<T>) {
  let next = 0
  const results: T[] = []
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++
        results[i] = await job(i)
      }
    }),
  )
  return results
}

async function benchApi() {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'))
  const config = loadConfig({
    DATABASE_URL: join(dataDir, 'pglite'),
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'b'.repeat(40),
  })
  const api = await startServer(config)
  await seedDemo(api, [])
  const rows: Row[] = []
  const counts: Record<string, { sent: number; stored: number; answered: number }> = {}

  try {
    for (const concurrency of [10, 50]) {
      // Sessions.
      const sessionLat: number[] = []
      let sessionErrors = 0
      let t0 = performance.now()
      const sessions = await pool(VISITORS_PER_LEVEL, concurrency, async () => {
        const start = performance.now()
        const res = await fetch(`${api.url}/v1/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ key: 'pk_demo' }),
        })
        sessionLat.push(performance.now() - start)
        if (res.status !== 201) {
          sessionErrors++
          return null
        }
        return (await res.json()) as { session: { id: string }; token: string }
      })
      rows.push(summarise('create session', concurrency, sessionLat, sessionErrors, performance.now() - t0))

      // Messages: each visitor asks its questions one after the other, visitors in parallel.
      const live = sessions.filter((s): s is NonNullable<typeof s> => !!s)
      const msgLat: number[] = []
      let msgErrors = 0
      let answered = 0
      t0 = performance.now()
      await pool(live.length, concurrency, async (i) => {
        const s = live[i]
        for (let m = 0; m < MESSAGES_PER_VISITOR; m++) {
          const start = performance.now()
          const res = await fetch(`${api.url}/v1/sessions/${s.session.id}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
            body: JSON.stringify({
              content: QUESTIONS[(i + m) % QUESTIONS.length],
              client_message_id: `b${concurrency}-${i}-${m}`,
            }),
          })
          msgLat.push(performance.now() - start)
          if (res.status !== 200) msgErrors++
          else if (((await res.json()) as { reply: unknown }).reply) answered++
        }
      })
      rows.push(summarise('send + answer', concurrency, msgLat, msgErrors, performance.now() - t0))
      const ids = live.map((s) => s.session.id)
      const { rows: stored } = await api.deps.pool.query(
        `select count(*)::int as n from chatbot_conversations where message_type = 'user' and session_id = any($1)`,
        [ids],
      )
      counts[`c${concurrency}`] = { sent: live.length * MESSAGES_PER_VISITOR, stored: stored[0].n, answered }
    }
  } finally {
    await api.shutdown()
    rmSync(dataDir, { recursive: true, force: true })
  }

  console.table(rows)
  console.table(counts)
  mkdirSync('bench/results', { recursive: true })
  const out = {
    when: new Date().toISOString(),
    node: process.version,
    visitors_per_level: VISITORS_PER_LEVEL,
    messages_per_visitor: MESSAGES_PER_VISITOR,
    rows,
    counts,
  }
  writeFileSync('bench/results/api.json', JSON.stringify(out, null, 2) + '\n')
  console.log('wrote bench/results/api.json')
  for (const [level, c] of Object.entries(counts)) {
    if (c.sent !== c.stored) {
      console.error(`${level}: sent ${c.sent} messages but ${c.stored} are stored`)
      process.exitCode = 1
    }
  }
}

const only = new Set(
  (process.env.BENCH_ONLY ?? 'api,rules,escalation,retrieval,answers,widget,channels')
    .split(',')
    .map((s) => s.trim()),
)
const started = performance.now()
if (only.has('api')) await benchApi()
if (only.has('rules')) await benchRules()
if (only.has('escalation')) await benchEscalation()
if (only.has('retrieval')) await benchRetrieval()
if (only.has('channels')) await benchChannels()
if (only.has('answers')) await benchAnswers()
if (only.has('widget')) {
  // bench/widget.ts is optional (written separately): run it when it is there.
  const widgetFile = new URL('./widget.ts', import.meta.url)
  if (existsSync(widgetFile)) {
    const mod = (await import(widgetFile.href)) as { benchWidget?: () => Promise<unknown> }
    if (typeof mod.benchWidget === 'function') await mod.benchWidget()
    else console.log('bench/widget.ts exports no benchWidget(): widget benchmark skipped')
  } else console.log('bench/widget.ts not found: widget benchmark skipped')
}
console.log(`benchmarks done in ${Math.round((performance.now() - started) / 1000)} s`)
