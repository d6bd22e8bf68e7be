/**
 * The API benchmark (`npm run bench`, BENCH_ONLY=api): starts the API in this process, seeds the demo
 * tenant and drives it over real HTTP. At each level of BENCH_LEVELS (10,50,200) concurrent visitors,
 * max(level, BENCH_VISITORS=200) visitors each create a session and send BENCH_MESSAGES (5) questions
 * one after the other, answered extractively (no model: LLM_API_KEY is ignored here), at most `level`
 * visitors at a time. Reported per level: answered messages/s, p50/p95/p99 of a send (client side),
 * and where the server spent a turn's time (conversations/stages.ts): store, rules, retrieval, answer
 * (without retrieval), store_answer, deliver, and what lies outside the turn (HTTP, auth, rate limits,
 * JSON, queueing: client latency minus the turn), plus how late the event loop ran (p99 and max of
 * its delay: a long turn of the loop delays every request, accepting new connections included, one
 * per poll) and how many connections the server accepted during the level.
 *
 * Databases: embedded PGlite (a fresh folder) always; a PostgreSQL server too when BENCH_DATABASE_URL
 * is set (a role that may create databases: a fresh database is created there and dropped after).
 * BENCH_DATABASES=pglite,postgres picks. The app it starts reads the environment like `npm start`
 * (DB_POOL_SIZE, DB_STATEMENT_TIMEOUT_MS, ...), with the rate limits raised so the bench's own traffic
 * (one IP, one key, one tenant) is not what is measured (BENCH_KEEP_LIMITS=1 keeps them).
 * Prints tables and writes bench/results/api.json.
 */
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import pg from 'pg'
import { loadConfig } from '../api/src/config'
import { setStageHook, type Stage } from '../api/src/conversations/stages'
import { seedDemo } from '../api/src/demo'
import { startServer } from '../api/src/server'
import { percentile, runPool } from './lib'

const QUESTIONS = [
  'Quels sont les délais de livraison ?',
  'How much does shipping cost?',
  'Comment retourner un article ?',
  'When will I get my refund?',
  'Quels moyens de paiement acceptez-vous ?',
  'Vendez-vous des voitures ?',
]
const num = (name: string, fallback: number) => {
  const v = process.env[name]
  return v === undefined || v === '' ? fallback : Number(v)
}
const MESSAGES_PER_VISITOR = num('BENCH_MESSAGES', 5)
const MIN_VISITORS = num('BENCH_VISITORS', 200)
const LEVELS = (process.env.BENCH_LEVELS ?? '10,50,200').split(',').map(Number)
const r1 = (n: number) => Math.round(n * 10) / 10
const STAGES: Stage[] = ['store', 'rules', 'retrieval', 'answer', 'store_answer', 'deliver', 'turn']

export interface ApiRow {
  database: string
  visitors: number
  sessions: number
  messages: number
  answered: number
  errors: number
  'answered/s': number
  p50_ms: number
  p95_ms: number
  p99_ms: number
}

export type StageRow = Record<string, string | number>

/**
 * Counts the statements the app sends and the time spent waiting for a pool connection
 * (a stage's time includes that wait: at 50 visitors and 10 connections it is most of it). Statements
 * per answered message find N+1s; the wait says how much of a stage is queueing rather than work.
 */
function instrumentPool(pool: pg.Pool) {
  const counts = { statements: 0, waitMs: 0, checkouts: 0 }
  const counted = new WeakSet<object>()
  const countQueries = (target: { query: (...a: unknown[]) => unknown }) => {
    if (counted.has(target)) return
    counted.add(target)
    const query = target.query.bind(target)
    target.query = (...a: unknown[]) => {
      counts.statements++
      return query(...a)
    }
  }
  // Both databases are a pg.Pool (PGlite's behind a socket adapter): count on every checked-out client
  // (pool.query checks one out too).
  pool.on('acquire', (client) => countQueries(client as never))
  const connect = pool.connect.bind(pool) as (cb?: unknown) => unknown
  pool.connect = ((cb?: (err: Error | undefined, c: unknown, done: unknown) => void) => {
    const t = performance.now()
    const took = () => {
      counts.waitMs += performance.now() - t
      counts.checkouts++
    }
    if (cb)
      return connect((err: Error | undefined, c: unknown, done: unknown) => {
        took()
        cb(err, c, done)
      })
    return (connect() as Promise<unknown>).then((c) => {
      took()
      return c
    })
  }) as typeof pool.connect
  return counts
}

/** A fresh database on the server of BENCH_DATABASE_URL; returns its URL and how to drop it. */
async function freshServerDatabase(url: string) {
  const name = `parley_bench_${Date.now().toString(36)}`
  const admin = new pg.Client({ connectionString: url })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const u = new URL(url)
  u.pathname = `/${name}`
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: url })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    },
  }
}

function appEnv(databaseUrl: string): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JWT_SECRET: process.env.JWT_SECRET ?? 'b'.repeat(40),
    // Extractive answers: the model is not what is measured.
    LLM_API_KEY: undefined,
    STORAGE_DIR: join(tmpdir(), 'parley-bench-uploads'),
    // A server refuses to start without a key for secrets at rest: the bench's database is thrown away.
    SECRETS_ENCRYPTION_KEY: process.env.SECRETS_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
  }
  if (process.env.BENCH_KEEP_LIMITS !== '1') {
    // One client IP, one publishable key and one tenant for every simulated visitor.
    Object.assign(env, {
      RATE_LIMIT_IP_PER_MIN: '1000000',
      RATE_LIMIT_KEY_PER_MIN: '1000000',
      RATE_LIMIT_KEY_IP_PER_MIN: '1000000',
      RATE_LIMIT_PRINCIPAL_PER_MIN: '1000000',
      RATE_LIMIT_TENANT_PER_MIN: '1000000',
      RATE_LIMIT_SESSION_MESSAGES_PER_MIN: '1000',
    })
  }
  return env
}

async function benchOne(database: 'pglite' | 'postgres') {
  let dataDir: string | undefined
  let server: Awaited<ReturnType<typeof freshServerDatabase>> | undefined
  let url: string
  if (database === 'postgres') {
    server = await freshServerDatabase(process.env.BENCH_DATABASE_URL!)
    url = server.url
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-'))
    url = join(dataDir, 'pglite')
  }
  const config = loadConfig(appEnv(url))
  const api = await startServer(config)
  await seedDemo(api, [])
  const counts = instrumentPool(api.deps.pool)
  let connections = 0
  api.server.on('connection', () => void connections++)
  const rows: ApiRow[] = []
  const stageRows: StageRow[] = []
  let sessionTag = 0

  /** One level: `visitors` visitors, at most `concurrency` at a time, 5 messages each. */
  const level = async (concurrency: number, visitors: number, record: boolean) => {
    const tag = `l${concurrency}-${sessionTag++}`
    const sessions = await runPool(visitors, Math.min(concurrency, 50), async () => {
      const res = await fetch(`${api.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'pk_demo' }),
      })
      if (res.status !== 201) throw new Error(`session: ${res.status} ${await res.text()}`)
      return (await res.json()) as { session: { id: string }; token: string }
    })
    const stages = new Map<Stage, number[]>(STAGES.map((s) => [s, []]))
    if (record) setStageHook((stage, ms) => stages.get(stage)!.push(ms))
    const latencies: number[] = []
    const before = { ...counts }
    let errors = 0
    let answered = 0
    const errorSamples: string[] = []
    const loop = monitorEventLoopDelay({ resolution: 10 })
    loop.enable()
    const connections0 = connections
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    await runPool(sessions.length, concurrency, async (i) => {
      const s = sessions[i]!
      for (let m = 0; m < MESSAGES_PER_VISITOR; m++) {
        const start = performance.now()
        let status = 0
        let body = ''
        try {
          const res = await fetch(`${api.url}/v1/sessions/${s.session.id}/messages`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
            body: JSON.stringify({
              content: QUESTIONS[(i + m) % QUESTIONS.length],
              client_message_id: `${tag}-${i}-${m}`,
            }),
          })
          status = res.status
          body = await res.text()
        } catch (err) {
          body = String((err as Error).cause ?? err)
        }
        latencies.push(performance.now() - start)
        if (status !== 200) {
          errors++
          if (errorSamples.length < 3) errorSamples.push(`${status} ${body.slice(0, 200)}`)
        } else if ((JSON.parse(body) as { reply: unknown }).reply) answered++
      }
    })
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    loop.disable()
    const accepted = connections - connections0
    const statements = counts.statements - before.statements
    const waitMs = counts.waitMs - before.waitMs
    const checkouts = counts.checkouts - before.checkouts
    setStageHook(null)
    if (!record) return
    if (errorSamples.length) console.error(`${database} @${concurrency}: errors, e.g.`, errorSamples)
    const sorted = latencies.sort((a, b) => a - b)
    rows.push({
      database,
      visitors: concurrency,
      sessions: sessions.length,
      messages: latencies.length,
      answered,
      errors,
      'answered/s': r1((answered / wall) * 1000),
      p50_ms: r1(percentile(sorted, 50)),
      p95_ms: r1(percentile(sorted, 95)),
      p99_ms: r1(percentile(sorted, 99)),
    })
    console.log(JSON.stringify(rows.at(-1)))
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0)
    const m = Object.fromEntries(STAGES.map((s) => [s, mean(stages.get(s)!)])) as Record<Stage, number>
    const client = mean(latencies)
    stageRows.push({
      database,
      visitors: concurrency,
      'store ms': r1(m.store),
      'rules ms': r1(m.rules),
      'retrieval ms': r1(m.retrieval),
      'answer ms': r1(Math.max(0, m.answer - m.retrieval)),
      'store_answer ms': r1(m.store_answer),
      'deliver ms': r1(m.deliver),
      'turn ms': r1(m.turn),
      'outside turn ms': r1(Math.max(0, client - m.turn)),
      'client ms': r1(client),
      // Every statement the app sent (sessions, auth, rate limits, the turn) per message sent.
      'statements/msg': r1(statements / Math.max(1, latencies.length)),
      // Waiting for a pool connection, per message and per checkout.
      'pool wait ms/msg': r1(waitMs / Math.max(1, latencies.length)),
      'pool wait ms/checkout': r1(waitMs / Math.max(1, checkouts)),
      // This process's CPU (the API and the bench's HTTP client share it) per message: what caps
      // answered/s on one core, and a figure the machine's other load hardly moves.
      'node cpu ms/msg': r1((cpu.user + cpu.system) / 1000 / Math.max(1, latencies.length)),
      // The event loop's lateness (the histogram's resolution, 10 ms, is its floor).
      'loop delay p99 ms': r1(loop.percentile(99) / 1e6),
      'loop delay max ms': r1(loop.max / 1e6),
      'connections accepted': accepted,
    })
    const ids = sessions.map((x) => x.session.id)
    const { rows: stored } = await api.deps.pool.query(
      `select count(*)::int as n from chatbot_conversations where message_type = 'user' and session_id = any($1)`,
      [ids],
    )
    if (stored[0].n !== latencies.length - errors) {
      console.error(
        `${database} @${concurrency}: sent ${latencies.length} messages but ${stored[0].n} are stored`,
      )
      process.exitCode = 1
    }
  }

  try {
    // Warm-up (JIT, caches, the first queries' plans), not recorded.
    await level(10, 20, false)
    for (const concurrency of LEVELS) await level(concurrency, Math.max(concurrency, MIN_VISITORS), true)
  } finally {
    setStageHook(null)
    await api.shutdown()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    await server?.drop().catch((err) => console.error('could not drop the bench database:', String(err)))
  }
  return { rows, stageRows, pool_size: database === 'postgres' ? config.DB_POOL_SIZE : 1 }
}

export async function benchApi() {
  const wanted = (process.env.BENCH_DATABASES ?? 'pglite,postgres').split(',').map((s) => s.trim())
  const runs: Awaited<ReturnType<typeof benchOne>>[] = []
  const load = [loadavg()[0]!]
  if (wanted.includes('pglite')) runs.push(await benchOne('pglite'))
  if (wanted.includes('postgres')) {
    if (process.env.BENCH_DATABASE_URL) runs.push(await benchOne('postgres'))
    else console.log('BENCH_DATABASE_URL not set: the API benchmark runs on PGlite only')
  }
  load.push(loadavg()[0]!)
  const rows = runs.flatMap((r) => r.rows)
  const stageRows = runs.flatMap((r) => r.stageRows)
  console.log('API: send + answer (extractive), answered messages/s and latency of a send')
  console.table(rows)
  console.log(
    'API: mean time per stage of a turn (server side), and outside the turn (HTTP, auth, limits, queueing)',
  )
  console.table(stageRows)
  mkdirSync('bench/results', { recursive: true })
  const out = {
    when: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    load_avg_1m: load.map(r1),
    messages_per_visitor: MESSAGES_PER_VISITOR,
    min_visitors_per_level: MIN_VISITORS,
    rows,
    stages: stageRows,
  }
  writeFileSync('bench/results/api.json', JSON.stringify(out, null, 2) + '\n')
  console.log('wrote bench/results/api.json')
  return out
}

if (import.meta.url === `file://${process.argv[1]}`) await benchApi()
