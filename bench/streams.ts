/**
 * `npx tsx bench/streams.ts` (also `npm run bench`, BENCH_ONLY=streams): idle visitor event streams.
 * The API runs as a child process (`node --expose-gc`, embedded PGlite in memory, or a fresh database
 * on BENCH_DATABASE_URL's server with BENCH_STREAMS_DB=postgres) so that this process's sockets are
 * not counted. STREAMS_N (10000) visitors each create a session and open GET /v1/sessions/:id/events;
 * then the child's memory is read after a full GC, before and after the streams opened:
 * heap (used + external + array buffers) and RSS, per stream. Then an agent reply is written
 * (STREAMS_REPLIES (50) times, one at a time, to a random open stream) in the child the way the
 * console's reply route does it (insert + NOTIFY in one transaction), and the time until that stream
 * receives the `message` event is measured. Prints a table and writes bench/results/streams.json.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import { cpus, loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { mulberry32, percentile, runPool } from './lib'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const N = Number(process.env.STREAMS_N ?? 10_000)
const REPLIES = Number(process.env.STREAMS_REPLIES ?? 50)
const r1 = (n: number) => Math.round(n * 10) / 10
const now = () => performance.timeOrigin + performance.now()

interface Mem {
  heap: number
  rss: number
  streams: number
  subscribers: number
}

type ToChild =
  | { id: number; cmd: 'sessions'; n: number }
  | { id: number; cmd: 'mem' }
  | { id: number; cmd: 'reply'; session_id: string }

// ---------------------------------------------------------------------------------------------------
// The child: the API, answering memory and reply requests over IPC.

async function child() {
  const { loadConfig } = await import('../api/src/config')
  const { startServer } = await import('../api/src/server')
  const { seedDemo } = await import('../api/src/demo')
  const { withTx } = await import('../api/src/db/tx')
  const { insertMessage } = await import('../api/src/conversations/messages')
  const { publish } = await import('../api/src/realtime/bus')
  const { hashToken } = await import('../api/src/sessions/service')
  const config = loadConfig({
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    JWT_SECRET: process.env.JWT_SECRET ?? 's'.repeat(40),
    LLM_API_KEY: undefined,
    WORKER: '0',
    RATE_LIMIT_IP_PER_MIN: '1000000',
    RATE_LIMIT_KEY_PER_MIN: '1000000',
    RATE_LIMIT_KEY_IP_PER_MIN: '1000000',
    RATE_LIMIT_PRINCIPAL_PER_MIN: '1000000',
    STREAMS_PER_IP: '1000000',
    STREAMS_MAX: '1000000',
    RATE_LIMIT_TENANT_PER_MIN: '1000000',
  })
  const api = await startServer(config)
  await seedDemo(api, [])
  const gc = (globalThis as { gc?: () => void }).gc!
  process.on('message', async (m: ToChild) => {
    if (m.cmd === 'sessions') {
      // Straight into the table (as POST /v1/sessions stores them): creating 10,000 over HTTP is not
      // what is measured, and takes minutes on a busy machine.
      const tokens = Array.from({ length: m.n }, () => randomBytes(32).toString('hex'))
      const { rows } = await api.deps.pool.query(
        `insert into chatbot_sessions (tenant_id, bot_id, visitor_id, token_hash, token_expires_at)
         select w.tenant_id, w.bot_id, 'bench-' || t.i, t.h, now() + interval '1 day'
           from widget_configs w, unnest($1::text[]) with ordinality as t(h, i)
          where w.publishable_key = 'pk_demo'
         returning id, token_hash`,
        [tokens.map(hashToken)],
      )
      const idByHash = new Map(rows.map((r) => [r.token_hash as string, r.id as string]))
      process.send!({
        id: m.id,
        sessions: tokens.map((token) => ({ id: idByHash.get(hashToken(token))!, token })),
      })
    } else if (m.cmd === 'mem') {
      for (let i = 0; i < 3; i++) {
        gc()
        await new Promise((r) => setImmediate(r))
      }
      const u = process.memoryUsage()
      const mem: Mem = {
        heap: u.heapUsed + u.external,
        rss: u.rss,
        streams: api.deps.streams.size,
        subscribers: api.deps.bus.size,
      }
      process.send!({ id: m.id, mem })
    } else if (m.cmd === 'reply') {
      const sent = now()
      await withTx(api.deps.pool, async (db) => {
        const { rows } = await db.query('select tenant_id from chatbot_sessions where id = $1 for update', [
          m.session_id,
        ])
        const tenant_id = rows[0].tenant_id as string
        const message = await insertMessage(db, {
          tenant_id,
          session_id: m.session_id,
          message_type: 'agent',
          content: 'An agent here: how can I help?',
        })
        await publish(db, {
          tenant_id,
          session_id: m.session_id,
          kind: 'message',
          seq: message.seq,
        })
      })
      process.send!({ id: m.id, sent, committed: now() })
    }
  })
  process.on('disconnect', () => void api.shutdown().then(() => process.exit(0)))
  process.send!({ ready: true, url: api.url })
}

// ---------------------------------------------------------------------------------------------------
// The parent: visitors and their streams.

function startChild(env: Record<string, string | undefined>) {
  const proc = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/streams.ts', 'child'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  let next = 1
  const waiting = new Map<number, (v: any) => void>()
  let ready!: (url: string) => void
  const started = new Promise<string>((r) => (ready = r))
  proc.on('message', (m: any) => {
    if (m.ready) ready(m.url)
    else waiting.get(m.id)?.(m)
  })
  const ask = <T>(msg: Record<string, unknown>): Promise<T> => {
    const id = next++
    return new Promise<T>((resolve) => {
      waiting.set(id, resolve)
      proc.send({ id, ...msg })
    })
  }
  return { proc, started, ask }
}

interface OpenStream {
  session_id: string
  res: http.IncomingMessage
  /** Called with each event name received. */
  onEvent?: (event: string, data: string) => void
}

/** Opens one event stream (its own socket); resolves once the first bytes arrived. */
function openStream(base: string, session: { id: string }, token: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      `${base}/v1/sessions/${session.id}/events`,
      { agent: false, headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`events: ${res.statusCode}`))
        const s: OpenStream = { session_id: session.id, res }
        let buf = ''
        res.setEncoding('utf8')
        let first = true
        res.on('data', (d: string) => {
          if (first) {
            first = false
            resolve(s)
          }
          if (!s.onEvent) return
          buf += d
          let cut
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut)
            buf = buf.slice(cut + 2)
            const event = /^event: (.*)$/m.exec(block)?.[1]
            if (event) s.onEvent(event, /^data: (.*)$/m.exec(block)?.[1] ?? '')
          }
        })
      },
    )
    req.on('error', reject)
  })
}

export async function benchStreams() {
  const env: Record<string, string | undefined> = { ...process.env, DATABASE_URL: 'memory://' }
  let drop: (() => Promise<void>) | undefined
  const onServer = process.env.BENCH_STREAMS_DB === 'postgres' && process.env.BENCH_DATABASE_URL
  if (onServer) {
    const name = `parley_streams_${Date.now().toString(36)}`
    const admin = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL })
    await admin.connect()
    await admin.query(`create database ${name}`)
    await admin.end()
    const u = new URL(process.env.BENCH_DATABASE_URL!)
    u.pathname = `/${name}`
    env.DATABASE_URL = u.toString()
    drop = async () => {
      const c = new pg.Client({ connectionString: process.env.BENCH_DATABASE_URL })
      await c.connect()
      await c.query(`drop database if exists ${name} with (force)`)
      await c.end()
    }
  }
  const child = startChild(env)
  const streams: OpenStream[] = []
  try {
    const base = await child.started
    const t0 = performance.now()
    const { sessions: created } = await child.ask<{ sessions: { id: string; token: string }[] }>({
      cmd: 'sessions',
      n: N,
    })
    const sessions = created.map((s) => ({ session: { id: s.id }, token: s.token }))
    const sessionsS = (performance.now() - t0) / 1000
    const before = await child.ask<{ mem: Mem }>({ cmd: 'mem' })
    const t1 = performance.now()
    for (const s of await runPool(N, 64, (i) => openStream(base, sessions[i]!.session, sessions[i]!.token)))
      streams.push(s)
    const openS = (performance.now() - t1) / 1000
    // Idle for a moment: what an idle stream holds, not what opening it allocated on the way.
    await new Promise((r) => setTimeout(r, 2000))
    const after = await child.ask<{ mem: Mem }>({ cmd: 'mem' })

    // An agent reply reaching one stream among N.
    const rand = mulberry32(7)
    const latencies: number[] = []
    const commits: number[] = []
    for (let k = 0; k < REPLIES; k++) {
      const s = streams[Math.floor(rand() * streams.length)]!
      const got = new Promise<number>((resolve) => {
        s.onEvent = (event, data) => {
          if (event === 'message' && data.includes('"agent"')) {
            s.onEvent = undefined
            resolve(now())
          }
        }
      })
      const start = now()
      const ack = await child.ask<{ sent: number; committed: number }>({
        cmd: 'reply',
        session_id: s.session_id,
      })
      const arrived = await got
      latencies.push(arrived - ack.committed)
      commits.push(ack.committed - start)
    }
    const sorted = [...latencies].sort((a, b) => a - b)
    const n = after.mem.streams
    const row = {
      database: onServer ? 'postgres' : 'pglite',
      streams: n,
      subscribers: after.mem.subscribers,
      'heap KB/stream': r1((after.mem.heap - before.mem.heap) / 1024 / n),
      'rss KB/stream': r1((after.mem.rss - before.mem.rss) / 1024 / n),
      'reply->stream p50 ms': r1(percentile(sorted, 50)),
      'reply->stream p95 ms': r1(percentile(sorted, 95)),
      'reply->stream max ms': r1(sorted.at(-1) ?? 0),
      'reply commit p50 ms': r1(
        percentile(
          [...commits].sort((a, b) => a - b),
          50,
        ),
      ),
    }
    console.log(`streams: ${N} sessions in ${r1(sessionsS)} s, ${N} streams opened in ${r1(openS)} s`)
    console.table([row])
    mkdirSync('bench/results', { recursive: true })
    const out = {
      when: new Date().toISOString(),
      node: process.version,
      cpus: cpus().length,
      load_avg_1m: r1(loadavg()[0]!),
      before: before.mem,
      after: after.mem,
      row,
    }
    writeFileSync('bench/results/streams.json', JSON.stringify(out, null, 2) + '\n')
    console.log('wrote bench/results/streams.json')
    return out
  } finally {
    for (const s of streams) s.res.destroy()
    child.proc.disconnect()
    await new Promise((r) => child.proc.once('exit', r))
    await drop?.().catch((err) => console.error('could not drop the bench database:', String(err)))
  }
}

if (process.argv[2] === 'child') await child()
else if (import.meta.url === `file://${process.argv[1]}`) await benchStreams()
