/**
 * Channels: Telegram updates posted to the webhook at a steady rate (BENCH_CHANNEL_RATE, default 50 per
 * second; BENCH_CHANNEL_MESSAGES in all, default 250), each from its own chat, answered by the
 * extractive answerer and sent back through a local Bot API stand-in. Measures the webhook's own
 * response time (budget: p95 < 50 ms, so platforms never retry) and inbound-to-send latency (the
 * stand-in receiving sendMessage). Prints a table and writes bench/results/channels.json. Embedded
 * PGlite by default; BENCH_DATABASE_URL runs it on a PostgreSQL server (a database per run, dropped).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { loadConfig } from '../api/src/config'
import { seedDemo } from '../api/src/demo'
import { startServer } from '../api/src/server'
import { percentile } from './lib'

const QUESTIONS = [
  'Quels sont les délais de livraison ?',
  'How much does shipping cost?',
  'Comment retourner un article ?',
  'When will I get my refund?',
  'Quels moyens de paiement acceptez-vous ?',
]
const TOTAL = Number(process.env.BENCH_CHANNEL_MESSAGES ?? 250)
const RATE = Number(process.env.BENCH_CHANNEL_RATE ?? 50)
const WEBHOOK_P95_BUDGET_MS = 50
const TOKEN = '555000111:BENCHbenchBENCHbenchBENCHbench00'

/** A Telegram Bot API stand-in: setWebhook, and sendMessage recording when each chat got its answer. */
async function telegramStandIn() {
  let secret = ''
  const answeredAt = new Map<string, number>()
  let waiting: (() => void) | undefined
  const server = createServer((req, res) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => {
      const body = data ? JSON.parse(data) : {}
      if (req.url?.endsWith('/setWebhook')) secret = body.secret_token
      if (req.url?.endsWith('/sendMessage')) {
        if (!answeredAt.has(String(body.chat_id))) answeredAt.set(String(body.chat_id), performance.now())
        waiting?.()
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ ok: true, result: { message_id: answeredAt.size } }))
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    secret: () => secret,
    answeredAt,
    async waitFor(n: number, timeoutMs: number) {
      const deadline = Date.now() + timeoutMs
      while (answeredAt.size < n && Date.now() < deadline)
        await new Promise<void>((r) => {
          waiting = r
          setTimeout(r, 100)
        })
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

const round = (x: number) => Math.round(x * 10) / 10

/**
 * A fresh database per run: a PGlite folder, or with BENCH_DATABASE_URL (a PostgreSQL server, e.g. a
 * private one) a database created there and dropped after.
 */
async function freshDatabase(): Promise<{
  url: string
  name?: string
  server?: pg.Client
  drop: () => Promise<void>
}> {
  const server = process.env.BENCH_DATABASE_URL
  if (!server) {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-channels-'))
    return {
      url: join(dataDir, 'pglite'),
      drop: async () => rmSync(dataDir, { recursive: true, force: true }),
    }
  }
  const name = `parley_bench_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: server })
  await admin.connect()
  await admin.query(`create database ${name}`)
  await admin.end()
  const url = new URL(server)
  url.pathname = `/${name}`
  const stats = new pg.Client({ connectionString: server })
  await stats.connect()
  return {
    url: url.toString(),
    name,
    server: stats,
    drop: async () => {
      await stats.query(`drop database if exists ${name} with (force)`)
      await stats.end()
    },
  }
}

async function runScenario(scenario: string, RATE: number, TOTAL: number, worker: boolean) {
  const db = await freshDatabase()
  const standIn = await telegramStandIn()
  const config = loadConfig({
    DATABASE_URL: db.url,
    SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'c'.repeat(40),
    TELEGRAM_API_URL: `${standIn.url}`,
    PUBLIC_URL: 'https://parley.example',
    RATE_LIMIT_IP_PER_MIN: '1000000',
    WORKER: worker ? '1' : '0',
  })
  const api = await startServer(config)
  await seedDemo(api, [])
  const webhookMs: number[] = []
  const sentAt = new Map<string, number>()
  let errors = 0
  let wall = 0
  let cpuMsPerCall = NaN
  let commitsPerCall = NaN
  try {
    const login = await fetch(`${api.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@demo.local', password: 'demo1234' }),
    })
    const { access_token } = (await login.json()) as { access_token: string }
    const created = await fetch(`${api.url}/v1/tenants/00000000-0000-4000-8000-0000000000a1/channels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: JSON.stringify({
        platform: 'telegram',
        bot_id: '00000000-0000-4000-8000-0000000000b1',
        access_token: TOKEN,
      }),
    })
    if (created.status !== 201) throw new Error(`channel: ${created.status} ${await created.text()}`)
    const { channel } = (await created.json()) as { channel: { id: string } }
    const hook = `${api.url}/v1/channels/${channel.id}/webhook`

    // Load-insensitive figures beside the times: this process's CPU per call, and (on a server) the
    // database's commits per call, over the posting phase.
    const commits = async () =>
      db.server
        ? Number(
            (await db.server.query(`select xact_commit from pg_stat_database where datname = $1`, [db.name]))
              .rows[0].xact_commit,
          )
        : NaN
    const commits0 = await commits()
    const cpu0 = process.cpuUsage()
    const started = performance.now()
    const posts: Promise<void>[] = []
    for (let i = 0; i < TOTAL; i++) {
      const due = started + (i * 1000) / RATE
      const wait = due - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      const chat = String(900000 + i)
      const body = JSON.stringify({
        update_id: i + 1,
        message: {
          message_id: 1,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(chat), type: 'private' },
          from: { id: Number(chat), first_name: 'Bench', language_code: i % 2 ? 'en' : 'fr' },
          text: QUESTIONS[i % QUESTIONS.length],
        },
      })
      posts.push(
        (async () => {
          const t0 = performance.now()
          sentAt.set(chat, t0)
          try {
            const res = await fetch(hook, {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'x-telegram-bot-api-secret-token': standIn.secret(),
              },
              body,
            })
            await res.arrayBuffer()
            webhookMs.push(performance.now() - t0)
            if (res.status !== 200) errors++
          } catch {
            // A reset connection is what a platform would retry: counted as an error.
            errors++
          }
        })(),
      )
    }
    await Promise.all(posts)
    const cpu = process.cpuUsage(cpu0)
    cpuMsPerCall = (cpu.user + cpu.system) / 1000 / TOTAL
    // pg_stat counters are reported with a delay: wait for them to move on.
    await new Promise((r) => setTimeout(r, db.server ? 800 : 0))
    commitsPerCall = (await commits()) - commits0
    commitsPerCall /= TOTAL
    if (worker) await standIn.waitFor(TOTAL, 180_000)
    wall = performance.now() - started
  } finally {
    await api.shutdown()
    await standIn.close()
    await db.drop()
  }

  const e2e = [...standIn.answeredAt].map(([chat, at]) => at - sentAt.get(chat)!).sort((a, b) => a - b)
  const hooks = [...webhookMs].sort((a, b) => a - b)
  const stats = (xs: number[]) => ({
    n: xs.length,
    p50_ms: round(percentile(xs, 50)),
    p95_ms: round(percentile(xs, 95)),
    p99_ms: round(percentile(xs, 99)),
    max_ms: round(xs.at(-1) ?? 0),
  })
  return {
    scenario,
    rate_per_s: RATE,
    messages: TOTAL,
    webhook_errors: errors,
    webhook: stats(hooks),
    cpu_ms_per_call: round(cpuMsPerCall),
    db_commits_per_call: Number.isNaN(commitsPerCall) ? null : Math.round(commitsPerCall * 100) / 100,
    inbound_to_send: worker ? stats(e2e) : null,
    answered_per_s: worker ? round((e2e.length / wall) * 1000) : null,
  }
}

/**
 * Three runs: the webhook alone at 50/s (the worker in another process, as on a PostgreSQL server with
 * WORKER=0 on the web process: here nothing answers), then end to end at 50/s in one process, then end
 * to end at a rate one embedded process sustains (BENCH_CHANNEL_SUSTAINED, default 5/s).
 */
export async function benchChannels() {
  const sustained = Number(process.env.BENCH_CHANNEL_SUSTAINED ?? 5)
  // BENCH_CHANNEL_RUNS=webhook: the first run only (quick A/B comparisons on a shared machine).
  const only = process.env.BENCH_CHANNEL_RUNS === 'webhook'
  const runs = [await runScenario('webhook only (worker elsewhere)', RATE, TOTAL, false)]
  if (!only)
    runs.push(
      await runScenario('end to end, one process', RATE, TOTAL, true),
      await runScenario('end to end, one process', sustained, Math.min(TOTAL, sustained * 10), true),
    )
  const rows = runs.flatMap((r) => [
    { scenario: r.scenario, rate_per_s: r.rate_per_s, measure: 'webhook response', ...r.webhook },
    ...(r.inbound_to_send
      ? [
          {
            scenario: r.scenario,
            rate_per_s: r.rate_per_s,
            measure: 'inbound -> sendMessage',
            ...r.inbound_to_send,
          },
        ]
      : []),
  ])
  console.table(rows)
  console.table(
    runs.map((r) => ({
      scenario: r.scenario,
      rate_per_s: r.rate_per_s,
      webhook_errors: r.webhook_errors,
      answered_per_s: r.answered_per_s,
      cpu_ms_per_call: r.cpu_ms_per_call,
      db_commits_per_call: r.db_commits_per_call,
      webhook_p95_within_50ms: r.webhook.p95_ms < WEBHOOK_P95_BUDGET_MS,
    })),
  )
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(
    'bench/results/channels.json',
    JSON.stringify(
      {
        when: new Date().toISOString(),
        node: process.version,
        webhook_p95_budget_ms: WEBHOOK_P95_BUDGET_MS,
        runs,
      },
      null,
      2,
    ) + '\n',
  )
  console.log('wrote bench/results/channels.json')
  if (runs.some((r) => r.webhook_errors) || runs[0]!.webhook.p95_ms >= WEBHOOK_P95_BUDGET_MS)
    process.exitCode = 1
}
