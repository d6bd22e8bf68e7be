/**
 * Escalation-to-console latency: N visitors at once each ask for a person; the time from the start of
 * the visitor's send to the agent console's SSE event announcing that session escalated. Runs the API
 * on a fresh embedded database over real HTTP. Prints a table and writes bench/results/escalation.json.
 * `npx tsx bench/escalation.ts` (ESC_VISITORS=200 by default).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { loadConfig } from '../api/src/config'
import { seedDemo } from '../api/src/demo'
import { startServer } from '../api/src/server'
import { percentile, readSse } from './lib'

const TENANT = '00000000-0000-4000-8000-0000000000a1'
const ORIGIN = 'http://bench.test'
const pct = percentile

export async function benchEscalation(visitors = Number(process.env.ESC_VISITORS ?? 200)) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-esc-'))
  const config = loadConfig({
    DATABASE_URL: join(dir, 'db'),
    PORT: '0',
    LOG_LEVEL: 'error',
    JWT_SECRET: 'b'.repeat(40),
    RATE_LIMIT_IP_PER_MIN: '1000000',
    RATE_LIMIT_KEY_PER_MIN: '1000000',
    RATE_LIMIT_KEY_IP_PER_MIN: '1000000',
    RATE_LIMIT_PRINCIPAL_PER_MIN: '1000000',
    RATE_LIMIT_TENANT_PER_MIN: '1000000',
    RATE_LIMIT_SESSION_MESSAGES_PER_MIN: '1000000',
  })
  const running = await startServer(config)
  try {
    await seedDemo(running, [ORIGIN])
    // Room for every escalation (two agents x 50, capacity's upper bound), so assignment stays on the measured path.
    await running.deps.pool.query(`update tenant_members set capacity = 50, availability = 'online'`)
    const login = await fetch(`${running.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'agent@demo.local', password: 'demo1234' }),
    })
    const { access_token } = (await login.json()) as { access_token: string }

    // The console's live stream: when did each session's escalation arrive?
    const seen = new Map<string, number>()
    const ctrl = new AbortController()
    const events = await fetch(`${running.url}/v1/tenants/${TENANT}/events`, {
      headers: { authorization: `Bearer ${access_token}` },
      signal: ctrl.signal,
    })
    void readSse(events.body!, (ev) => {
      if (ev.event !== 'session') return
      const e = JSON.parse(ev.data)
      if (e.session?.status === 'escalated' && !seen.has(e.session_id))
        seen.set(e.session_id, performance.now())
    }).catch(() => {})

    const sessions = await Promise.all(
      Array.from({ length: visitors }, async () => {
        const res = await fetch(`${running.url}/v1/sessions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: ORIGIN },
          body: JSON.stringify({ key: 'pk_demo' }),
        })
        return (await res.json()) as { session: { id: string }; token: string }
      }),
    )
    const started = new Map<string, number>()
    const wallStart = performance.now()
    let errors = 0
    await Promise.all(
      sessions.map(async (s, i) => {
        started.set(s.session.id, performance.now())
        const res = await fetch(`${running.url}/v1/sessions/${s.session.id}/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: ORIGIN, authorization: `Bearer ${s.token}` },
          body: JSON.stringify({
            content: i % 2 ? 'Je veux parler à un humain, svp' : 'I want to talk to a person please',
            client_message_id: `esc-${i}`,
          }),
        })
        if (!res.ok) errors++
        await res.arrayBuffer()
      }),
    )
    const deadline = Date.now() + 30_000
    while (seen.size < visitors - errors && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const wallMs = performance.now() - wallStart
    ctrl.abort()
    const latencies = [...started.entries()]
      .filter(([id]) => seen.has(id))
      .map(([id, t0]) => seen.get(id)! - t0)
      .sort((a, b) => a - b)
    const row = {
      visitors,
      escalated_seen_in_console: latencies.length,
      send_errors: errors,
      p50_ms: Math.round(pct(latencies, 50)),
      p95_ms: Math.round(pct(latencies, 95)),
      p99_ms: Math.round(pct(latencies, 99)),
      max_ms: Math.round(latencies.at(-1) ?? 0),
      wall_ms: Math.round(wallMs),
    }
    console.table([row])
    mkdirSync('bench/results', { recursive: true })
    writeFileSync(
      'bench/results/escalation.json',
      JSON.stringify({ when: new Date().toISOString(), rows: [row] }, null, 2),
    )
    return { rows: [row] }
  } finally {
    await running.shutdown()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchEscalation()
