/**
 * Orders: the bot's order answer over real HTTP (embedded database), BENCH_ORDER_TURNS turns per case
 * (default 40), one at a time: a verified owner asking about their order, the same refusal for another
 * verified customer, an unknown order and an unverified visitor, and a knowledge question as the
 * baseline turn. The refusal cases must not differ in a way that tells whether the order exists: the
 * table shows their p50/p95 side by side. Prints a table and writes bench/results/orders.json.
 */
import { createHmac } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../api/src/config'
import { upsertOrder } from '../api/src/contacts/orders'
import { withTx } from '../api/src/db/tx'
import { seedDemo } from '../api/src/demo'
import { startServer } from '../api/src/server'
import { median, percentile } from './lib'

const TURNS = Number(process.env.BENCH_ORDER_TURNS ?? 40)
const SECRET = 'b'.repeat(64)
const TENANT = '00000000-0000-4000-8000-0000000000a1'

export async function benchOrders() {
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-bench-orders-'))
  const config = loadConfig({
    DATABASE_URL: join(dataDir, 'pglite'),
    PORT: '0',
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'o'.repeat(40),
    RATE_LIMIT_IP_PER_MIN: '1000000',
    RATE_LIMIT_SESSION_MESSAGES_PER_MIN: '1000000',
    RATE_LIMIT_KEY_PER_MIN: '1000000',
    RATE_LIMIT_KEY_IP_PER_MIN: '1000000',
    RATE_LIMIT_TENANT_PER_MIN: '1000000',
  })
  const running = await startServer(config)
  try {
    await seedDemo(running, [])
    const pool = running.deps.pool
    await pool.query(
      `update widget_configs set identity_secret = $1, identity_mode = 'optional' where publishable_key = 'pk_demo'`,
      [SECRET],
    )
    await withTx(pool, (db) =>
      upsertOrder(
        db,
        TENANT,
        '4512',
        {
          contact: { user_id: 'owner-1' },
          status: 'shipped',
          currency: 'EUR',
          items: [{ name: 'Mug', quantity: 2, unit_price: 12 }],
        },
        'api',
      ),
    )
    const session = async (userId?: string) => {
      const identity = userId
        ? { user_id: userId, user_hash: createHmac('sha256', SECRET).update(`${userId}\n\n`).digest('hex') }
        : undefined
      const res = await fetch(`${running.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ key: 'pk_demo', ...(identity ? { identity } : {}) }),
      })
      const { session, token } = (await res.json()) as any
      return { id: session.id as string, token: token as string }
    }
    const cases: [string, string | undefined, string][] = [
      ['owner: status', 'owner-1', 'Where is my order 4512?'],
      ['other customer: refusal', 'other-1', 'Where is my order 4512?'],
      ['unknown order: refusal', 'owner-1', 'Where is my order 9999?'],
      ['unverified: refusal', undefined, 'Where is my order 4512?'],
      ['knowledge question (baseline)', undefined, 'Quels sont les délais de livraison ?'],
    ]
    const rows = []
    for (const [label, user, question] of cases) {
      const s = await session(user)
      const times: number[] = []
      let content = ''
      for (let i = 0; i < TURNS + 3; i++) {
        const started = performance.now()
        const res = await fetch(`${running.url}/v1/sessions/${s.id}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${s.token}` },
          body: JSON.stringify({
            content: question,
            client_message_id: `c${cases.findIndex((x) => x[0] === label)}-${i}`,
          }),
        })
        const body = (await res.json()) as any
        if (res.status !== 200) throw new Error(`orders bench: ${res.status} ${JSON.stringify(body)}`)
        if (i >= 3) times.push(performance.now() - started) // three warm-up turns
        content = body.reply?.content ?? ''
      }
      times.sort((a, b) => a - b)
      rows.push({
        case: label,
        turns: TURNS,
        p50_ms: Math.round(median(times) * 10) / 10,
        p95_ms: Math.round(percentile(times, 95) * 10) / 10,
        reply: content.slice(0, 60),
      })
    }
    console.log("\norders: the bot's order answer, one turn at a time (ms, HTTP round trip)")
    console.table(rows)
    mkdirSync('bench/results', { recursive: true })
    writeFileSync('bench/results/orders.json', JSON.stringify({ turns: TURNS, rows }, null, 2))
  } finally {
    await running.shutdown()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
