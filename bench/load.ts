/**
 * `npm run bench:load` (tsx bench/load.ts): the load benchmark of the reliability issue. Not a test:
 * it prints tables, writes bench/results/load.json and sets a non-zero exit code only when an
 * integrity check fails.
 *
 * Phase 1, load. The API runs as a separate child process (`node --import tsx api/src/main.ts`, demo
 * mode, embedded PGlite in memory) against tests/helpers/fake-openai.ts, whose chat calls follow a long
 * pre-generated, seeded script: 20% fail (500, 429 rate limit, 429 quota) and 5% stall (first token
 * after 3 s, beyond LLM_FIRST_TOKEN_TIMEOUT_MS=1500, or no answer at all). LOAD_VISITORS (1000)
 * simulated visitors, LOAD_CONCURRENCY (50) at a time, each create a session and send
 * LOAD_MESSAGES (5) questions one after the other (fr/en/es/pt, some answered by the demo FAQ, some
 * not), LOAD_SSE_SHARE (20%) of them over SSE, the rest as JSON. LOAD_RETRY_SHARE (10%) of sends are
 * network retries: the same client_message_id and content again, either at the same time as the
 * first or after it returned. Then every session's history is read back through the API:
 * stored visitor messages must equal sends minus repeats, and each has exactly one answer.
 *
 * Phase 2, SIGTERM. A fresh child on a temporary on-disk database; LOAD_SIGTERM_STREAMS (100)
 * visitor event streams open, LOAD_SIGTERM_SENDERS (50) visitors sending continuously, /readyz
 * polled; after LOAD_SIGTERM_AFTER_MS (5000) the child gets SIGTERM. Reported: streams that got the
 * final `event: bye`, streams cut without it, /readyz answers during the shutdown, exit code and time,
 * and, once the database is reopened here, whether any send acknowledged with a 2xx lost its message.
 *
 * Other knobs: LOAD_SEED, LOAD_SEND_TIMEOUT_MS (client-side, 120000), LOAD_LLM_TIMEOUT_MS (the API's
 * LLM_TIMEOUT_MS, unset = the API default), LOAD_SHUTDOWN_GRACE_MS, LOAD_FAIL_SHARE (0.2),
 * LOAD_STALL_SHARE (0.05), LOAD_PHASES=load,sigterm.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { openDatabase } from '../api/src/db/database'
import { findHumanRequest } from '../api/src/escalation/human-request'
import { startFakeOpenAI, type Behaviour, type FakeOpenAI } from '../tests/helpers/fake-openai'
import { mulberry32, percentile, readSse, runPool } from './lib'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const num = (name: string, fallback: number) => {
  const v = process.env[name]
  if (v === undefined || v === '') return fallback
  const n = Number(v)
  if (!Number.isFinite(n)) throw new Error(`${name} must be a number`)
  return n
}

const VISITORS = num('LOAD_VISITORS', 1000)
const CONCURRENCY = num('LOAD_CONCURRENCY', 50)
const MESSAGES = num('LOAD_MESSAGES', 5)
const SSE_SHARE = num('LOAD_SSE_SHARE', 0.2)
const RETRY_SHARE = num('LOAD_RETRY_SHARE', 0.1)
const FAIL_SHARE = num('LOAD_FAIL_SHARE', 0.2)
const STALL_SHARE = num('LOAD_STALL_SHARE', 0.05)
const SEED = num('LOAD_SEED', 20240601)
const SEND_TIMEOUT_MS = num('LOAD_SEND_TIMEOUT_MS', 120_000)
const FIRST_TOKEN_TIMEOUT_MS = num('LOAD_FIRST_TOKEN_TIMEOUT_MS', 1500)
const LLM_TIMEOUT_MS = process.env.LOAD_LLM_TIMEOUT_MS
const SHUTDOWN_GRACE_MS = process.env.LOAD_SHUTDOWN_GRACE_MS
const SIGTERM_STREAMS = num('LOAD_SIGTERM_STREAMS', 100)
const SIGTERM_SENDERS = num('LOAD_SIGTERM_SENDERS', 50)
const SIGTERM_AFTER_MS = num('LOAD_SIGTERM_AFTER_MS', 5000)
const PHASES = new Set((process.env.LOAD_PHASES ?? 'load,sigterm').split(',').map((s) => s.trim()))

/** Questions a shopper would ask, in the four languages; none asks for a person (checked below). */
const QUESTIONS: { text: string; lang: string; faq: boolean }[] = [
  { text: 'Quels sont les délais de livraison ?', lang: 'fr', faq: true },
  { text: 'Combien coûte la livraison en France ?', lang: 'fr', faq: true },
  { text: 'Comment retourner un article qui ne me va pas ?', lang: 'fr', faq: true },
  { text: 'Quand serai-je remboursé après mon retour ?', lang: 'fr', faq: true },
  { text: 'Quels moyens de paiement acceptez-vous ?', lang: 'fr', faq: true },
  { text: 'Puis-je suivre ma commande ?', lang: 'fr', faq: true },
  { text: 'Vendez-vous des pièces détachées pour vélo ?', lang: 'fr', faq: false },
  { text: 'Est-ce que vous organisez des ateliers de couture le dimanche ?', lang: 'fr', faq: false },
  { text: 'How long does delivery take?', lang: 'en', faq: true },
  { text: 'How much does shipping cost?', lang: 'en', faq: true },
  { text: 'When will I get my refund?', lang: 'en', faq: true },
  { text: 'Which payment methods do you accept?', lang: 'en', faq: true },
  { text: 'How do I choose my size?', lang: 'en', faq: true },
  { text: 'What are your opening hours?', lang: 'en', faq: true },
  { text: 'Do you ship to Japan by sea freight?', lang: 'en', faq: false },
  { text: 'Can I pay with Bitcoin or other crypto currencies?', lang: 'en', faq: false },
  { text: 'Is your cotton certified organic by GOTS?', lang: 'en', faq: false },
  { text: '¿Cuánto cuesta el envío?', lang: 'es', faq: true },
  { text: '¿Cómo devuelvo un artículo?', lang: 'es', faq: true },
  { text: '¿Qué métodos de pago aceptan?', lang: 'es', faq: true },
  { text: '¿Tienen tienda física en Madrid?', lang: 'es', faq: false },
  { text: 'Quanto custa o frete?', lang: 'pt', faq: true },
  { text: 'Como faço para devolver um produto?', lang: 'pt', faq: true },
  { text: 'Quais são as formas de pagamento?', lang: 'pt', faq: true },
  { text: 'Vocês vendem cartões-presente?', lang: 'pt', faq: false },
]
for (const q of QUESTIONS) {
  const hit = findHumanRequest(q.text)
  if (hit) throw new Error(`question pool: "${q.text}" asks for a person ("${hit}"); it would escalate`)
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

const prng = mulberry32
const pct = percentile
const r1 = (n: number) => Math.round(n * 10) / 10
const mb = (kb: number) => r1(kb / 1024)
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
const inc = (m: Record<string, number>, k: string, by = 1) => (m[k] = (m[k] ?? 0) + by)

function latencyStats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b)
  return {
    n: s.length,
    p50_ms: r1(pct(s, 50)),
    p95_ms: r1(pct(s, 95)),
    p99_ms: r1(pct(s, 99)),
    max_ms: r1(s.at(-1) ?? 0),
  }
}

/** VmRSS and VmHWM (peak) of a process, in kB, from /proc (Linux). */
function procMem(pid: number): { rss: number; hwm: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8')
    const rss = Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? NaN)
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? NaN)
    return Number.isFinite(rss) ? { rss, hwm } : null
  } catch {
    return null
  }
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function procCpu(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(f[11]) + Number(f[12])) / 100
  } catch {
    return null
  }
}

/** Samples the child's and this process's RSS every 250 ms (max and last kept), and the child's CPU use. */
function memorySampler(pid: number) {
  const m = {
    api_rss_max_kb: 0,
    api_rss_last_kb: 0,
    api_hwm_kb: 0,
    bench_rss_max_kb: 0,
    samples: 0,
    api_cpu_s: 0,
    api_cpu_share: 0,
    host_load_max: 0,
  }
  const cpu0 = procCpu(pid) ?? 0
  const t0 = performance.now()
  const tick = () => {
    const c = procCpu(pid)
    if (c !== null) {
      m.api_cpu_s = r1(c - cpu0)
      m.api_cpu_share = Math.round(((c - cpu0) / ((performance.now() - t0) / 1000)) * 100) / 100
    }
    const p = procMem(pid)
    if (p) {
      m.api_rss_max_kb = Math.max(m.api_rss_max_kb, p.rss)
      m.api_rss_last_kb = p.rss
      if (Number.isFinite(p.hwm)) m.api_hwm_kb = Math.max(m.api_hwm_kb, p.hwm)
      m.samples++
    }
    m.bench_rss_max_kb = Math.max(m.bench_rss_max_kb, Math.round(process.memoryUsage().rss / 1024))
    // Other work on the machine skews every figure here: keep the 1-minute load average.
    m.host_load_max = Math.max(m.host_load_max, r1(loadavg()[0]!))
  }
  tick()
  const timer = setInterval(tick, 250)
  return {
    m,
    stop() {
      tick()
      clearInterval(timer)
      return m
    },
  }
}

/** An error's class for the report: the HTTP status and code, the network error's code, or a timeout. */
function errorClass(err: unknown): string {
  const e = err as {
    name?: string
    cause?: { code?: string; message?: string }
    code?: string
    message?: string
  }
  if (e?.name === 'TimeoutError') return 'timeout (client, no response in time)'
  if (e?.name === 'AbortError') return 'aborted (client)'
  const code = e?.cause?.code ?? e?.code
  if (code) return `network ${code}`
  return `network ${e?.cause?.message ?? e?.message ?? String(err)}`.slice(0, 80)
}

async function httpError(res: Response): Promise<string> {
  let code = ''
  try {
    const body = (await res.json()) as { error?: { code?: string } }
    code = body.error?.code ?? ''
  } catch {
    /* not JSON */
  }
  return `http ${res.status}${code ? ` ${code}` : ''}`
}

// ---------------------------------------------------------------------------------------------------
// The fake model server and the API child

const FAIL_MIX: [Behaviour, number][] = [
  ['error500', 0.5],
  ['rate429', 0.3],
  ['quota', 0.2],
]
const STALL_MIX: [Behaviour, number][] = [
  ['slow-first-token', 0.5],
  ['hang', 0.5],
]

/** A long seeded sequence of behaviours: FAIL_SHARE failures, STALL_SHARE stalls, the rest 'ok'. */
function faultScript(seed: number, length: number): Behaviour[] {
  const rand = prng(seed)
  const pick = (mix: [Behaviour, number][]) => {
    let x = rand()
    for (const [b, w] of mix) if ((x -= w) < 0) return b
    return mix.at(-1)![0]
  }
  return Array.from({ length }, () => {
    const x = rand()
    if (x < FAIL_SHARE) return pick(FAIL_MIX)
    if (x < FAIL_SHARE + STALL_SHARE) return pick(STALL_MIX)
    return 'ok' as Behaviour
  })
}

async function startFake(seed: number, length: number) {
  const fake = await startFakeOpenAI()
  fake.slowMs = Math.max(3000, FIRST_TOKEN_TIMEOUT_MS * 2)
  const script = faultScript(seed, length)
  fake.script.push(...script)
  return {
    fake,
    /** What the fake served: the consumed head of the script, by behaviour. */
    served() {
      const used = script.length - fake.script.length
      const by: Record<string, number> = {}
      for (const b of script.slice(0, used)) inc(by, typeof b === 'string' ? b : 'reply')
      return {
        chat_calls: fake.chats.length,
        streamed_calls: fake.chats.filter((c) => c.stream).length,
        non_streamed_calls: fake.chats.filter((c) => !c.stream).length,
        aborted_by_api: fake.chats.filter((c) => c.aborted).length,
        script_exhausted: fake.script.length === 0,
        behaviours: by,
      }
    },
  }
}

interface ApiChild {
  child: ChildProcess
  pid: number
  /** Where to send requests (127.0.0.1). */
  url: string
  /** The demo site's origin, allowed by pk_demo. */
  origin: string
  logs: Record<string, number>
  /** Log lines at error level (first 50). */
  errorLines: string[]
  stderr: string[]
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>
}

async function startApi(fake: FakeOpenAI, databaseUrl: string): Promise<ApiChild> {
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    DEMO: '1',
    DEMO_PORT: '0',
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    JWT_SECRET: 'load-bench-'.padEnd(48, 'x'),
    LLM_API_KEY: 'x',
    LLM_BASE_URL: fake.url,
    LLM_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_TIMEOUT_MS),
    // One client IP and one key for a thousand visitors: the limits must not be what is measured.
    RATE_LIMIT_IP_PER_MIN: '1000000',
    RATE_LIMIT_KEY_PER_MIN: '1000000',
    RATE_LIMIT_KEY_IP_PER_MIN: '1000000',
    RATE_LIMIT_PRINCIPAL_PER_MIN: '1000000',
    RATE_LIMIT_TENANT_PER_MIN: '1000000',
    RATE_LIMIT_SESSION_MESSAGES_PER_MIN: '1000',
    // No daily token budget: at these volumes the 2M default would switch answers to extractive.
    LLM_DAILY_TOKEN_BUDGET: '0',
    STORAGE_DIR: join(tmpdir(), 'parley-load-uploads'),
  }
  if (LLM_TIMEOUT_MS) env.LLM_TIMEOUT_MS = LLM_TIMEOUT_MS
  if (SHUTDOWN_GRACE_MS) env.SHUTDOWN_GRACE_MS = SHUTDOWN_GRACE_MS
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const logs: Record<string, number> = {}
  const errorLines: string[] = []
  const stderr: string[] = []
  let apiPort = 0
  let demoUrl = ''
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (line.startsWith('{')) {
      try {
        const l = JSON.parse(line) as { level: string; msg: string; fault?: string; err?: string }
        inc(logs, `${l.level}: ${l.msg}${l.fault ? ` (${l.fault})` : ''}`)
        if (l.level === 'error' && errorLines.length < 50) errorLines.push(line.slice(0, 400))
      } catch {
        inc(logs, 'unparsed')
      }
      return
    }
    const api = /API:\s+http:\/\/[^:]+:(\d+)\/v1/.exec(line)
    if (api) apiPort = Number(api[1])
    const shop = /Shop page[^:]*:\s+(http:\/\/\S+?)\/?$/.exec(line)
    if (shop) demoUrl = shop[1]!
  })
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (stderr.length < 200) stderr.push(line)
  })
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: performance.now() })),
  )
  let dead = false
  void exited.then(() => (dead = true))
  const deadline = Date.now() + 120_000
  while (!apiPort || !demoUrl) {
    if (dead) throw new Error(`the API exited during start-up:\n${stderr.join('\n')}`)
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`the API did not start within 120 s:\n${stderr.join('\n')}`)
    }
    await sleep(50)
  }
  const url = `http://127.0.0.1:${apiPort}`
  for (;;) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (dead || Date.now() > deadline) throw new Error(`the API never became ready:\n${stderr.join('\n')}`)
    await sleep(100)
  }
  return { child, pid: child.pid!, url, origin: demoUrl.replace(/\/$/, ''), logs, errorLines, stderr, exited }
}

// ---------------------------------------------------------------------------------------------------
// The widget's calls

interface Session {
  id: string
  token: string
}

async function createSession(
  api: ApiChild,
  visitorId: string,
): Promise<{ session?: Session; ms: number; error?: string }> {
  const t0 = performance.now()
  try {
    const res = await fetch(`${api.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: api.origin },
      body: JSON.stringify({
        key: 'pk_demo',
        visitor_id: visitorId,
        context: { page_url: `${api.origin}/`, locale: 'fr-FR' },
      }),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    })
    if (res.status !== 201) return { ms: performance.now() - t0, error: await httpError(res) }
    const body = (await res.json()) as { session: { id: string }; token: string }
    return { session: { id: body.session.id, token: body.token }, ms: performance.now() - t0 }
  } catch (err) {
    return { ms: performance.now() - t0, error: errorClass(err) }
  }
}

interface ReplyInfo {
  id: string
  content: string
  status: string
  suggest_human: boolean
  sources: unknown[]
}

interface SendOutcome {
  mode: 'json' | 'sse'
  ok: boolean
  /** The visitor message was acknowledged as stored (a 2xx JSON body, or the SSE `message` event). */
  acked: boolean
  status: number
  ms: number
  /** SSE: time to the first answer text. */
  firstDeltaMs?: number
  messageId?: string
  reply?: ReplyInfo | null
  error?: string
  startedAt: number
  endedAt: number
}

async function sendMessage(
  api: ApiChild,
  s: Session,
  content: string,
  cmid: string,
  mode: 'json' | 'sse',
): Promise<SendOutcome> {
  const startedAt = performance.now()
  const out: SendOutcome = { mode, ok: false, acked: false, status: 0, ms: 0, startedAt, endedAt: 0 }
  const finish = () => {
    out.endedAt = performance.now()
    out.ms = out.endedAt - startedAt
    return out
  }
  try {
    const res = await fetch(`${api.url}/v1/sessions/${s.id}/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: mode === 'sse' ? 'text/event-stream' : 'application/json',
        authorization: `Bearer ${s.token}`,
        origin: api.origin,
      },
      body: JSON.stringify({ content, client_message_id: cmid }),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    })
    out.status = res.status
    if (res.status !== 200) {
      out.error = await httpError(res)
      return finish()
    }
    if (mode === 'json') {
      const body = (await res.json()) as { message: { id: string }; reply: ReplyInfo | null }
      out.acked = true
      out.messageId = body.message.id
      out.reply = body.reply
      out.ok = true
      return finish()
    }
    let ended: 'done' | 'error' | null = null
    await readSse(res.body!, (e) => {
      if (e.event === 'message') {
        out.acked = true
        out.messageId = (JSON.parse(e.data) as { id: string }).id
      } else if (e.event === 'delta') {
        out.firstDeltaMs ??= performance.now() - startedAt
      } else if (e.event === 'done') {
        out.reply = JSON.parse(e.data) as ReplyInfo | null
        ended = 'done'
      } else if (e.event === 'error') {
        const d = JSON.parse(e.data) as { code?: string }
        out.error = `sse event error ${d.code ?? ''}`.trim()
        ended = 'error'
      }
    })
    if (ended === 'done') out.ok = true
    else if (!ended) out.error = 'sse ended without done'
    return finish()
  } catch (err) {
    out.error = (out.status === 200 ? 'mid-stream ' : '') + errorClass(err)
    return finish()
  }
}

interface StoredMessage {
  id: string
  seq: number
  message_type: 'user' | 'ai' | 'agent' | 'system'
  content: string
  client_message_id: string | null
  status: string
  suggest_human: boolean
  sources: unknown[]
  reply_to: string | null
}

async function history(api: ApiChild, s: Session): Promise<StoredMessage[]> {
  const all: StoredMessage[] = []
  let after = 0
  for (;;) {
    const res = await fetch(`${api.url}/v1/sessions/${s.id}/messages?after=${after}`, {
      headers: { authorization: `Bearer ${s.token}`, origin: api.origin },
      signal: AbortSignal.timeout(60_000),
    })
    if (!res.ok) throw new Error(`history of ${s.id}: ${await httpError(res)}`)
    const { messages } = (await res.json()) as { messages: StoredMessage[] }
    all.push(...messages)
    if (messages.length < 500) return all
    after = messages.at(-1)!.seq
  }
}

const MODEL_PHRASE = 'According to our documentation'

/**
 * What wrote an answer, from what the widget can see: the fake model's phrase means the model; no
 * sources and a person offered is the honest "not in the knowledge base" (no model call); a quoted
 * passage with a person offered is the extractive fallback after a model failure.
 */
function classifyAnswer(m: Pick<StoredMessage, 'content' | 'status' | 'suggest_human' | 'sources'>) {
  const byModel = m.content.includes(MODEL_PHRASE)
  if (byModel && m.status === 'partial') return 'model, partial (cut, person offered)'
  if (byModel) return 'model'
  if (!m.sources.length && m.suggest_human) return 'no answer in knowledge (no model call)'
  if (m.suggest_human) return 'fallback (extractive after model failure)'
  return 'extractive without fault'
}

// ---------------------------------------------------------------------------------------------------
// Phase 1: load

interface SendRecord {
  visitor: number
  cmid: string
  repeat: boolean
  retryKind?: 'concurrent' | 'after'
  outcome: SendOutcome
}

async function phaseLoad() {
  console.log(
    `load: ${VISITORS} visitors x ${MESSAGES} messages, concurrency ${CONCURRENCY}, SSE ${SSE_SHARE * 100}%, ` +
      `retries ${RETRY_SHARE * 100}%, model fails ${FAIL_SHARE * 100}% / stalls ${STALL_SHARE * 100}%`,
  )
  const { fake, served } = await startFake(SEED, VISITORS * MESSAGES * 4 + 1000)
  const api = await startApi(fake, 'memory://')
  const mem = memorySampler(api.pid)
  const sessions: (Session | null)[] = new Array(VISITORS).fill(null)
  const sessionMs: number[] = []
  const sessionErrors: Record<string, number> = {}
  const sends: SendRecord[] = []
  const attempted = new Map<string, { visitor: number; content: string }>()
  let done = 0
  const t0 = performance.now()
  const progress = setInterval(() => {
    const p = procMem(api.pid)
    console.log(
      `  ${Math.round((performance.now() - t0) / 1000)} s: ${done}/${VISITORS} visitors done, ${sends.length} sends, API RSS ${p ? mb(p.rss) : '?'} MB, API CPU ${mem.m.api_cpu_s} s`,
    )
  }, 10_000)

  try {
    await runPool(VISITORS, CONCURRENCY, async (v) => {
      const rand = prng(SEED * 7919 + v)
      const created = await createSession(api, `load-${v}`)
      sessionMs.push(created.ms)
      if (!created.session) {
        inc(sessionErrors, created.error ?? 'unknown')
        done++
        return
      }
      const s = created.session
      sessions[v] = s
      for (let m = 0; m < MESSAGES; m++) {
        const q = QUESTIONS[Math.floor(rand() * QUESTIONS.length)]!
        const cmid = randomUUID()
        const mode = rand() < SSE_SHARE ? 'sse' : 'json'
        const retry = rand() < RETRY_SHARE ? (rand() < 0.5 ? 'concurrent' : 'after') : undefined
        attempted.set(cmid, { visitor: v, content: q.text })
        if (retry === 'concurrent') {
          // The widget's request timed out client-side and was sent again while the first still ran.
          const first = sendMessage(api, s, q.text, cmid, mode)
          await sleep(Math.floor(rand() * 50))
          const again = sendMessage(api, s, q.text, cmid, mode)
          const [a, b] = await Promise.all([first, again])
          sends.push(
            { visitor: v, cmid, repeat: false, outcome: a },
            { visitor: v, cmid, repeat: true, retryKind: 'concurrent', outcome: b },
          )
        } else {
          const a = await sendMessage(api, s, q.text, cmid, mode)
          sends.push({ visitor: v, cmid, repeat: false, outcome: a })
          if (retry === 'after') {
            // The response was lost on the way back: the widget sends the same message again.
            const b = await sendMessage(api, s, q.text, cmid, mode)
            sends.push({ visitor: v, cmid, repeat: true, retryKind: 'after', outcome: b })
          }
        }
      }
      done++
    })
  } finally {
    clearInterval(progress)
  }
  const wallMs = performance.now() - t0

  // Integrity, through the API.
  console.log('  reading every session back through the API...')
  const tv = performance.now()
  const storedByCmid = new Map<string, StoredMessage[]>()
  const answersByReplyTo = new Map<string, StoredMessage[]>()
  const answerKinds: Record<string, number> = {}
  const partialAnswers = { partial: 0 }
  let storedVisitor = 0
  let storedAnswers = 0
  let escalatedSessions = 0
  let historyErrors = 0
  const live = sessions.map((s, i) => ({ s, i })).filter((x): x is { s: Session; i: number } => x.s !== null)
  await runPool(live.length, 20, async (k) => {
    let msgs: StoredMessage[]
    try {
      msgs = await history(api, live[k]!.s)
    } catch {
      historyErrors++
      return
    }
    if (msgs.some((m) => m.message_type === 'system')) escalatedSessions++
    for (const m of msgs) {
      if (m.message_type === 'user') {
        storedVisitor++
        const list = storedByCmid.get(m.client_message_id ?? '') ?? []
        list.push(m)
        storedByCmid.set(m.client_message_id ?? '', list)
      } else if (m.message_type === 'ai') {
        storedAnswers++
        inc(answerKinds, classifyAnswer(m))
        if (m.status === 'partial') partialAnswers.partial++
        if (m.reply_to) {
          const list = answersByReplyTo.get(m.reply_to) ?? []
          list.push(m)
          answersByReplyTo.set(m.reply_to, list)
        }
      }
    }
  })
  const verifyMs = performance.now() - tv
  const memory = mem.stop()
  const fakeServed = served()

  api.child.kill('SIGTERM')
  const exit = await Promise.race([api.exited, sleep(30_000).then(() => null)])
  if (!exit) api.child.kill('SIGKILL')
  await fake.close()

  // Figures.
  const totalSends = sends.length
  const repeats = sends.filter((r) => r.repeat).length
  const byError: Record<string, number> = {}
  for (const r of sends) if (r.outcome.error) inc(byError, r.outcome.error)
  const sessionErrorCount = Object.values(sessionErrors).reduce((a, b) => a + b, 0)
  for (const [k, n] of Object.entries(sessionErrors)) inc(byError, `create session: ${k}`, n)
  const acked = new Set(sends.filter((r) => r.outcome.acked).map((r) => r.cmid))
  const missingAcked = [...acked].filter((c) => !storedByCmid.has(c))
  const duplicated = [...storedByCmid.values()].filter((l) => l.length > 1).length
  const unexpected = [...storedByCmid.keys()].filter((c) => !attempted.has(c)).length
  const visitorMsgs = [...storedByCmid.values()].flat()
  const unanswered = visitorMsgs.filter((m) => !answersByReplyTo.has(m.id)).length
  const doubleAnswered = visitorMsgs.filter((m) => (answersByReplyTo.get(m.id)?.length ?? 0) > 1).length
  // Replies seen by the client: every send that got one, by kind (what the visitor saw).
  const clientReplyKinds: Record<string, number> = {}
  for (const r of sends) if (r.outcome.reply) inc(clientReplyKinds, classifyAnswer(r.outcome.reply))
  // A repeat must return the first send's message (and answer, when both have one).
  let repeatMismatch = 0
  const firstByCmid = new Map(sends.filter((r) => !r.repeat).map((r) => [r.cmid, r.outcome]))
  for (const r of sends.filter((x) => x.repeat)) {
    const f = firstByCmid.get(r.cmid)
    if (!f?.ok || !r.outcome.ok) continue
    if (
      f.messageId !== r.outcome.messageId ||
      (f.reply && r.outcome.reply && f.reply.id !== r.outcome.reply.id)
    )
      repeatMismatch++
  }

  const expectedStored = totalSends - repeats
  const integrity = {
    sends: totalSends,
    repeats,
    expected_visitor_messages: expectedStored,
    stored_visitor_messages: storedVisitor,
    stored_equals_sends_minus_repeats: storedVisitor === expectedStored,
    acknowledged_but_missing: missingAcked.length,
    stored_twice: duplicated,
    stored_but_never_sent: unexpected,
    answers: storedAnswers,
    visitor_messages_without_answer: unanswered,
    visitor_messages_with_two_answers: doubleAnswered,
    escalated_sessions: escalatedSessions,
    history_read_errors: historyErrors,
    repeat_returned_other_message_or_answer: repeatMismatch,
    pass_stored:
      storedVisitor === expectedStored &&
      missingAcked.length === 0 &&
      duplicated === 0 &&
      unexpected === 0 &&
      historyErrors === 0,
    pass_answers: unanswered === 0 && doubleAnswered === 0 && historyErrors === 0,
  }

  const lat = latencyStats(sends.map((r) => r.outcome.ms))
  const result = {
    visitors: VISITORS,
    sessions_created: live.length,
    session_errors: sessionErrorCount,
    messages_per_visitor: MESSAGES,
    concurrency: CONCURRENCY,
    wall_s: r1(wallMs / 1000),
    verify_s: r1(verifyMs / 1000),
    throughput_sends_per_s: r1(totalSends / (wallMs / 1000)),
    sends: totalSends,
    sends_json: sends.filter((r) => r.outcome.mode === 'json').length,
    sends_sse: sends.filter((r) => r.outcome.mode === 'sse').length,
    repeats,
    repeats_concurrent: sends.filter((r) => r.retryKind === 'concurrent').length,
    repeats_after: sends.filter((r) => r.retryKind === 'after').length,
    ok_sends: sends.filter((r) => r.outcome.ok).length,
    failed_sends: sends.filter((r) => !r.outcome.ok).length,
    stored_visitor_messages: storedVisitor,
    answers: storedAnswers,
    answers_by_kind: answerKinds,
    model_answers: answerKinds.model ?? 0,
    fallbacks: answerKinds['fallback (extractive after model failure)'] ?? 0,
    partial_answers: partialAnswers.partial,
    replies_seen_by_clients_by_kind: clientReplyKinds,
    latency_send_ms: lat,
    latency_send_json_ms: latencyStats(
      sends.filter((r) => r.outcome.mode === 'json').map((r) => r.outcome.ms),
    ),
    latency_send_sse_ms: latencyStats(sends.filter((r) => r.outcome.mode === 'sse').map((r) => r.outcome.ms)),
    latency_sse_first_delta_ms: latencyStats(
      sends.flatMap((r) => (r.outcome.firstDeltaMs === undefined ? [] : [r.outcome.firstDeltaMs])),
    ),
    latency_create_session_ms: latencyStats(sessionMs),
    errors_by_class: byError,
    integrity,
    memory: {
      api_rss_max_mb: mb(memory.api_rss_max_kb),
      api_rss_peak_vmhwm_mb: mb(memory.api_hwm_kb),
      api_rss_end_mb: mb(memory.api_rss_last_kb),
      bench_rss_max_mb: mb(memory.bench_rss_max_kb),
      samples: memory.samples,
      api_cpu_s: memory.api_cpu_s,
      api_cpu_cores_used: memory.api_cpu_share,
      host_load_avg_1m_max: memory.host_load_max,
    },
    fake_model: fakeServed,
    api_logs: api.logs,
    api_error_lines: api.errorLines.slice(0, 10),
    api_stderr: api.stderr.slice(0, 20),
    api_exit_after_run: exit ? { code: exit.code, signal: exit.signal } : 'killed after 30 s',
  }

  console.log('\nLoad phase')
  console.table({
    visitors: { value: VISITORS },
    'sessions created': { value: live.length },
    sends: { value: totalSends },
    'repeats (network retries)': {
      value: `${repeats} (${result.repeats_concurrent} concurrent, ${result.repeats_after} after)`,
    },
    'stored visitor messages': { value: storedVisitor },
    'sends - repeats': { value: expectedStored },
    answers: { value: storedAnswers },
    'model answers': { value: result.model_answers },
    'fallbacks (model failed)': { value: result.fallbacks },
    'no answer in knowledge': { value: answerKinds['no answer in knowledge (no model call)'] ?? 0 },
    'partial answers': { value: result.partial_answers },
    'p50 / p95 / p99 ms': { value: `${lat.p50_ms} / ${lat.p95_ms} / ${lat.p99_ms} (max ${lat.max_ms})` },
    'SSE first delta p50 / p95 ms': {
      value: `${result.latency_sse_first_delta_ms.p50_ms} / ${result.latency_sse_first_delta_ms.p95_ms}`,
    },
    'throughput sends/s': { value: result.throughput_sends_per_s },
    'wall time s': { value: result.wall_s },
    'API RSS max MB (VmHWM)': {
      value: `${result.memory.api_rss_max_mb} (${result.memory.api_rss_peak_vmhwm_mb})`,
    },
    'bench RSS max MB': { value: result.memory.bench_rss_max_mb },
    'API CPU (cores busy on average)': { value: `${memory.api_cpu_s} s (${memory.api_cpu_share})` },
    'host load avg 1m max (cpus)': { value: `${memory.host_load_max} (${cpus().length})` },
  })
  console.log('errors by class')
  console.table(Object.keys(byError).length ? byError : { none: 0 })
  console.log('answers by kind (stored)')
  console.table(answerKinds)
  console.log('fake model: behaviours served')
  console.table(fakeServed.behaviours)
  console.log(
    `integrity: stored visitor messages ${storedVisitor} vs sends - repeats ${expectedStored}: ${integrity.pass_stored ? 'PASS' : 'FAIL'}` +
      ` (acknowledged but missing ${missingAcked.length}, stored twice ${duplicated}, unknown ${unexpected})`,
  )
  console.log(
    `integrity: answers ${storedAnswers} for ${storedVisitor} visitor messages: ${integrity.pass_answers ? 'PASS' : 'FAIL'}` +
      ` (without answer ${unanswered}, with two ${doubleAnswered}, escalated sessions ${escalatedSessions})`,
  )
  if (!integrity.pass_stored || !integrity.pass_answers) process.exitCode = 1
  return result
}

// ---------------------------------------------------------------------------------------------------
// Phase 2: SIGTERM under load

interface StreamRecord {
  session: number
  status: number
  opened: boolean
  messages: number
  seenSeqs: Set<number>
  bye: boolean
  end: 'open' | 'ended' | 'error'
  error?: string
  endedAt?: number
}

async function phaseSigterm() {
  console.log(
    `\nSIGTERM: ${SIGTERM_STREAMS} event streams, ${SIGTERM_SENDERS} visitors sending, SIGTERM after ${SIGTERM_AFTER_MS} ms`,
  )
  const dir = mkdtempSync(join(tmpdir(), 'parley-load-'))
  const dbUrl = join(dir, 'pglite')
  const { fake, served } = await startFake(SEED + 1, 100_000)
  const api = await startApi(fake, dbUrl)
  const mem = memorySampler(api.pid)
  const nSessions = Math.max(SIGTERM_STREAMS, SIGTERM_SENDERS)
  const sessions: Session[] = []
  for (let i = 0; i < nSessions; i++) {
    const c = await createSession(api, `term-${i}`)
    if (!c.session) throw new Error(`could not create a session: ${c.error}`)
    sessions.push(c.session)
  }

  // The visitors' event streams.
  const streams: StreamRecord[] = []
  const streamDone: Promise<void>[] = []
  for (let i = 0; i < SIGTERM_STREAMS; i++) {
    const rec: StreamRecord = {
      session: i,
      status: 0,
      opened: false,
      messages: 0,
      seenSeqs: new Set(),
      bye: false,
      end: 'open',
    }
    streams.push(rec)
    const s = sessions[i]!
    streamDone.push(
      (async () => {
        try {
          const res = await fetch(`${api.url}/v1/sessions/${s.id}/events`, {
            headers: { accept: 'text/event-stream', authorization: `Bearer ${s.token}`, origin: api.origin },
          })
          rec.status = res.status
          if (res.status !== 200) {
            rec.end = 'error'
            rec.error = await httpError(res)
            return
          }
          rec.opened = true
          await readSse(res.body!, (e) => {
            if (e.event === 'bye') rec.bye = true
            else if (e.event === 'message') {
              rec.messages++
              const m = JSON.parse(e.data) as { seq: number; message_type: string }
              rec.seenSeqs.add(m.seq)
            }
          })
          rec.end = 'ended'
        } catch (err) {
          rec.end = 'error'
          rec.error = errorClass(err)
        } finally {
          rec.endedAt = performance.now()
        }
      })(),
    )
  }
  // Wait until they are all registered server-side (a stream counts once its response started).
  const openDeadline = Date.now() + 30_000
  while (streams.some((r) => r.status === 0) && Date.now() < openDeadline) await sleep(20)

  // /readyz, polled over fresh connections.
  const readyz: { t: number; result: string }[] = []
  let polling = true
  const poller = (async () => {
    while (polling) {
      const t = performance.now()
      const result = await fetch(`${api.url}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
        (r) => String(r.status),
        (err) => errorClass(err),
      )
      readyz.push({ t, result })
      await sleep(25)
    }
  })()

  // Visitors sending continuously.
  interface TermSend {
    session: number
    cmid: string
    outcome: SendOutcome
  }
  const termSends: TermSend[] = []
  let sending = true
  const senders = Array.from({ length: SIGTERM_SENDERS }, async (_, i) => {
    const rand = prng(SEED * 31 + i)
    while (sending) {
      const q = QUESTIONS[Math.floor(rand() * QUESTIONS.length)]!
      const cmid = randomUUID()
      const outcome = await sendMessage(api, sessions[i]!, q.text, cmid, rand() < SSE_SHARE ? 'sse' : 'json')
      termSends.push({ session: i, cmid, outcome })
      if (!outcome.ok && /ECONNREFUSED/.test(outcome.error ?? '')) await sleep(50)
    }
  })

  await sleep(SIGTERM_AFTER_MS)
  const sentBeforeTerm = termSends.length
  const tTerm = performance.now()
  api.child.kill('SIGTERM')
  const exit = await Promise.race([api.exited, sleep(60_000).then(() => null)])
  const tExit = performance.now()
  if (!exit) api.child.kill('SIGKILL')
  sending = false
  polling = false
  await Promise.all(senders)
  await poller
  await Promise.race([Promise.all(streamDone), sleep(5000)])
  const memory = mem.stop()
  const fakeServed = served()
  await fake.close()

  // Streams.
  const endedCleanly = streams.filter((r) => r.opened && r.bye && r.end === 'ended').length
  const byeThenError = streams.filter((r) => r.opened && r.bye && r.end === 'error').length
  const cutWithoutBye = streams.filter((r) => r.opened && !r.bye && r.end !== 'open').length
  const stillOpen = streams.filter((r) => r.end === 'open').length
  const notOpened = streams.filter((r) => !r.opened).length
  const streamErrors: Record<string, number> = {}
  for (const r of streams) if (r.error) inc(streamErrors, r.error)
  const streamEndMs = latencyStats(streams.filter((r) => r.endedAt).map((r) => r.endedAt! - tTerm))

  // /readyz during the shutdown.
  const readyzAfter: Record<string, number> = {}
  for (const r of readyz.filter((x) => x.t >= tTerm)) inc(readyzAfter, r.result)
  const first503 = readyz.find((x) => x.t >= tTerm && x.result === '503')

  // Sends around the shutdown.
  const inFlightAtTerm = termSends.filter(
    (s) => s.outcome.startedAt < tTerm && s.outcome.endedAt >= tTerm,
  ).length
  const inFlightOk = termSends.filter(
    (s) => s.outcome.startedAt < tTerm && s.outcome.endedAt >= tTerm && s.outcome.ok,
  ).length
  const sendErrors: Record<string, number> = {}
  for (const s of termSends)
    if (s.outcome.error)
      inc(
        sendErrors,
        `${s.outcome.startedAt < tTerm ? 'started before' : 'started after'} SIGTERM: ${s.outcome.error}`,
      )
  const ackedSends = termSends.filter((s) => s.outcome.acked)
  const acked2xx = termSends.filter((s) => s.outcome.status >= 200 && s.outcome.status < 300)

  // The database, reopened here once the child is gone.
  let stored: { cmid: string; id: string; seq: number; session_id: string }[] = []
  let answered = new Set<string>()
  let dbError: string | undefined
  try {
    const db = await openDatabase(dbUrl)
    try {
      const ids = sessions.map((s) => s.id)
      const u = await db.pool.query(
        `select client_message_id as cmid, id, seq, session_id from chatbot_conversations where message_type = 'user' and session_id = any($1::uuid[])`,
        [ids],
      )
      stored = u.rows
      const a = await db.pool.query(
        `select reply_to from chatbot_conversations where message_type = 'ai' and reply_to is not null and session_id = any($1::uuid[])`,
        [ids],
      )
      answered = new Set(a.rows.map((r: { reply_to: string }) => r.reply_to))
    } finally {
      await db.close()
    }
  } catch (err) {
    dbError = String(err)
  }
  rmSync(dir, { recursive: true, force: true })
  const storedCmids = new Set(stored.map((r) => r.cmid))
  const lostAcked = ackedSends.filter((s) => !storedCmids.has(s.cmid))
  const lost2xx = acked2xx.filter((s) => !storedCmids.has(s.cmid))
  const storedNotAcked = stored.filter((r) => !ackedSends.some((s) => s.cmid === r.cmid)).length
  const storedUnanswered = stored.filter((r) => !answered.has(r.id)).length
  // Live delivery: acknowledged visitor messages, sent before SIGTERM, whose session had a stream.
  const bySession = new Map(stored.map((r) => [r.cmid, r]))
  let deliverable = 0
  let delivered = 0
  for (const s of ackedSends) {
    if (s.session >= SIGTERM_STREAMS || s.outcome.endedAt > tTerm) continue
    const row = bySession.get(s.cmid)
    if (!row) continue
    deliverable++
    if (streams[s.session]!.seenSeqs.has(row.seq)) delivered++
  }

  const result = {
    streams: SIGTERM_STREAMS,
    senders: SIGTERM_SENDERS,
    sigterm_after_ms: SIGTERM_AFTER_MS,
    shutdown_grace_ms: SHUTDOWN_GRACE_MS ? Number(SHUTDOWN_GRACE_MS) : 5000,
    streams_opened: SIGTERM_STREAMS - notOpened,
    streams_ended_cleanly_with_bye: endedCleanly,
    streams_bye_then_connection_error: byeThenError,
    streams_cut_without_bye: cutWithoutBye,
    streams_still_open_after_exit: stillOpen,
    stream_errors: streamErrors,
    stream_end_after_sigterm_ms: streamEndMs,
    live_delivery_before_sigterm: { acked_visitor_messages: deliverable, seen_on_event_stream: delivered },
    readyz_after_sigterm: readyzAfter,
    readyz_503_seen: !!first503,
    readyz_first_503_after_ms: first503 ? r1(first503.t - tTerm) : null,
    exit_code: exit ? exit.code : null,
    exit_signal: exit ? exit.signal : null,
    exit_after_ms: exit ? r1(exit.at - tTerm) : `not within 60 s (SIGKILLed at ${r1(tExit - tTerm)} ms)`,
    sends_total: termSends.length,
    sends_completed_before_sigterm: sentBeforeTerm,
    sends_in_flight_at_sigterm: inFlightAtTerm,
    sends_in_flight_at_sigterm_completed_ok: inFlightOk,
    sends_acknowledged: ackedSends.length,
    sends_2xx: acked2xx.length,
    send_errors: sendErrors,
    stored_visitor_messages: stored.length,
    acknowledged_but_lost: lostAcked.length,
    got_2xx_but_lost: lost2xx.length,
    stored_without_acknowledgement: storedNotAcked,
    stored_visitor_messages_without_answer: storedUnanswered,
    db_reopen_error: dbError ?? null,
    pass: !dbError && lostAcked.length === 0 && exit?.code === 0,
    memory: {
      api_rss_max_mb: mb(memory.api_rss_max_kb),
      bench_rss_max_mb: mb(memory.bench_rss_max_kb),
      api_cpu_s: memory.api_cpu_s,
      host_load_avg_1m_max: memory.host_load_max,
    },
    fake_model: fakeServed,
    api_logs: api.logs,
    api_error_lines: api.errorLines.slice(0, 10),
    api_stderr: api.stderr.slice(0, 40),
  }

  console.log('\nSIGTERM phase')
  console.table({
    'streams opened': { value: result.streams_opened },
    'ended cleanly (got event: bye)': { value: endedCleanly },
    'got bye, then connection error': { value: byeThenError },
    'cut without bye': { value: cutWithoutBye },
    'still open after exit': { value: stillOpen },
    'stream end after SIGTERM p50 / max ms': { value: `${streamEndMs.p50_ms} / ${streamEndMs.max_ms}` },
    '/readyz after SIGTERM': { value: JSON.stringify(readyzAfter) },
    'exit code / after ms': { value: `${result.exit_code ?? result.exit_signal} / ${result.exit_after_ms}` },
    'sends (acknowledged)': { value: `${termSends.length} (${ackedSends.length})` },
    'in flight at SIGTERM (finished ok)': { value: `${inFlightAtTerm} (${inFlightOk})` },
    'stored visitor messages': { value: stored.length },
    'acknowledged but lost': { value: lostAcked.length },
    'stored, never acknowledged': { value: storedNotAcked },
    'stored, no answer': { value: storedUnanswered },
    'live delivery (seen / acked)': { value: `${delivered} / ${deliverable}` },
  })
  if (Object.keys(sendErrors).length) console.table(sendErrors)
  console.log(`SIGTERM: ${result.pass ? 'PASS' : 'FAIL'} (no acknowledged send lost, exit code 0)`)
  if (!result.pass) process.exitCode = 1
  return result
}

// ---------------------------------------------------------------------------------------------------

const started = performance.now()
const out: Record<string, unknown> = {
  when: new Date().toISOString(),
  node: process.version,
  cpus: cpus().length,
  settings: {
    visitors: VISITORS,
    concurrency: CONCURRENCY,
    messages_per_visitor: MESSAGES,
    sse_share: SSE_SHARE,
    retry_share: RETRY_SHARE,
    model_fail_share: FAIL_SHARE,
    model_fail_mix: Object.fromEntries(FAIL_MIX.map(([b, w]) => [String(b), w])),
    model_stall_share: STALL_SHARE,
    model_stall_mix: Object.fromEntries(STALL_MIX.map(([b, w]) => [String(b), w])),
    llm_first_token_timeout_ms: FIRST_TOKEN_TIMEOUT_MS,
    llm_timeout_ms: LLM_TIMEOUT_MS ? Number(LLM_TIMEOUT_MS) : 'API default (60000)',
    send_timeout_ms: SEND_TIMEOUT_MS,
    seed: SEED,
  },
}
if (PHASES.has('load')) out.load = await phaseLoad()
if (PHASES.has('sigterm')) out.sigterm = await phaseSigterm()
out.total_s = r1((performance.now() - started) / 1000)
mkdirSync(join(ROOT, 'bench/results'), { recursive: true })
writeFileSync(join(ROOT, 'bench/results/load.json'), JSON.stringify(out, null, 2) + '\n')
console.log(`\nwrote bench/results/load.json (${out.total_s} s)`)
