/**
 * Analytics over a million messages: generates ANALYTICS_MESSAGES messages (10 per session, visitor
 * and assistant turns, some escalated, rated and thumbed) over the last 90 days with generate_series,
 * then times GET /v1/tenants/:t/analytics over real HTTP for 7, 30 and 90-day ranges: cold (no
 * per-conversation rows yet: the route computes them; ANALYTICS_COLD=7,30,90 picks the ranges, 7 by
 * default) and after the analytics job (daily rollup and per-conversation rows read).
 * Also times topic clustering of 10,000 questions of one day. Prints tables and writes
 * bench/results/analytics.json. `npx tsx bench/analytics.ts` (BENCH_ONLY=analytics in npm run bench).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { clusterQuestions } from '../api/src/analytics/topics'
import { loadConfig } from '../api/src/config'
import { seedDemo } from '../api/src/demo'
import { startServer } from '../api/src/server'
import { percentile } from './lib'

const TENANT = '00000000-0000-4000-8000-0000000000a1'
const AGENT_ID = '00000000-0000-4000-8000-000000000002'
const PER_SESSION = 10
const RUNS = Number(process.env.ANALYTICS_RUNS ?? 20)

const QUESTIONS = [
  'Quels sont les délais de livraison ?',
  'How long does shipping take?',
  '¿Cuánto tarda el envío?',
  'Je voudrais un remboursement',
  'How do I get a refund?',
  'Comment choisir ma taille ?',
  'What size should I order?',
  'I forgot my password',
  'Where is my order 48213?',
  'Can I pay with Klarna?',
  'Do you sell cars?',
  'Quels sont vos horaires ?',
  'Can I cancel my order?',
  '¿Puedo cambiar la talla?',
  'Is delivery free to Belgium?',
]

export async function benchAnalytics(messages = Number(process.env.ANALYTICS_MESSAGES ?? 1_000_000)) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-analytics-'))
  const config = loadConfig({
    DATABASE_URL: join(dir, 'db'),
    PORT: '0',
    LOG_LEVEL: 'error',
    JWT_SECRET: 'b'.repeat(40),
    RATE_LIMIT_IP_PER_MIN: '1000000',
    RATE_LIMIT_PRINCIPAL_PER_MIN: '1000000',
    RATE_LIMIT_TENANT_PER_MIN: '1000000',
  })
  const running = await startServer(config)
  const pool = running.deps.pool
  try {
    await seedDemo(running, ['http://bench.test'])
    const sessions = Math.ceil(messages / PER_SESSION)
    const bot = (await pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
    let t0 = performance.now()
    // Sessions spread over the last 90 days (UTC), oldest first.
    await pool.query(
      `insert into chatbot_sessions (id, tenant_id, bot_id, visitor_id, token_hash, token_expires_at, status,
                                     csat_score, last_seq, created_at, resolved_at)
       select md5('s' || i)::uuid, $1, $2, 'v' || i, md5('t' || i), now() + interval '1 day',
              case when i % 20 = 0 then 'resolved' else 'active' end,
              case when i % 10 = 0 then 1 + i % 5 end, $4,
              now() - interval '90 days' + (i * (interval '90 days' / $3)),
              case when i % 20 = 0 then now() - interval '90 days' + (i * (interval '90 days' / $3)) + interval '20 minutes' end
         from generate_series(1, $3) as i`,
      [TENANT, bot, sessions, PER_SESSION],
    )
    await pool.query(
      `insert into chatbot_conversations (tenant_id, session_id, seq, message_type, content, ai_metadata, agent_id, created_at)
       select $1, md5('s' || i)::uuid, k,
              case when k % 2 = 1 then 'user' when i % 20 = 0 and k = $4 then 'agent' else 'ai' end,
              case when k % 2 = 1 then ($5::text[])[1 + (i * 7 + k) % array_length($5::text[], 1)] else 'An answer.' end,
              case when k % 2 = 0 and i % 13 = 0 and k = $4 then '{"suggest_human": true, "sources": []}'::jsonb
                   when k % 2 = 0 then '{"sources": [{"n": 1}]}'::jsonb else '{}'::jsonb end,
              case when i % 20 = 0 and k = $4 then $2::uuid end,
              now() - interval '90 days' + (i * (interval '90 days' / $3)) + k * interval '7 seconds'
         from generate_series(1, $3) as i, generate_series(1, $4) as k`,
      [TENANT, AGENT_ID, sessions, PER_SESSION, QUESTIONS],
    )
    await pool.query(
      `insert into escalations (tenant_id, session_id, reason, status, assignee_id, created_at, first_response_at, resolved_at, outcome)
       select $1, md5('s' || i)::uuid, 'bench', 'resolved', $2,
              s.created_at + interval '30 seconds', s.created_at + interval '70 seconds', s.resolved_at, 'resolved'
         from generate_series(20, $3, 20) as i join chatbot_sessions s on s.id = md5('s' || i)::uuid`,
      [TENANT, AGENT_ID, sessions],
    )
    await pool.query(
      `insert into message_feedback (tenant_id, session_id, message_id, source, rating)
       select $1, m.session_id, m.id, 'visitor', case when m.seq = 2 then 'up' else 'down' end
         from chatbot_conversations m where m.tenant_id = $1 and m.seq in (2, 4) and abs(hashtext(m.session_id::text)) % 9 = 0`,
      [TENANT],
    )
    await pool.query('analyze')
    const generateMs = performance.now() - t0
    console.error(`analytics bench: generated in ${Math.round(generateMs / 1000)} s`)
    const count = Number((await pool.query(`select count(*) from chatbot_conversations`)).rows[0].count)

    const login = await fetch(`${running.url}/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@demo.local', password: 'demo1234' }),
    })
    const { access_token } = (await login.json()) as { access_token: string }
    const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
    const time = async (days: number) => {
      const started = performance.now()
      const res = await fetch(
        `${running.url}/v1/tenants/${TENANT}/analytics?from=${day(-(days - 1))}&to=${day(0)}`,
        { headers: { authorization: `Bearer ${access_token}` } },
      )
      const body = (await res.json()) as any
      if (res.status !== 200) throw new Error(`analytics: ${res.status} ${JSON.stringify(body)}`)
      return { ms: performance.now() - started, conversations: body.totals.conversations as number }
    }

    // Cold: the first query of each range computes the rows it lacks (7 days first, so 30 and 90 reuse them).
    const cold = []
    for (const days of (process.env.ANALYTICS_COLD ?? '7').split(',').filter(Boolean).map(Number)) {
      const r = await time(days)
      cold.push({ range_days: days, conversations: r.conversations, cold_ms: Math.round(r.ms) })
    }
    await pool.query('delete from analytics_sessions')
    await pool.query('delete from analytics_state')
    t0 = performance.now()
    await running.deps.analytics!.drain()
    const jobMs = performance.now() - t0
    console.error(`analytics bench: job refreshed everything in ${Math.round(jobMs / 1000)} s`)
    const rows = []
    for (const days of [7, 30, 90]) {
      const samples: number[] = []
      let conversations = 0
      for (let i = 0; i < RUNS; i++) {
        const r = await time(days)
        samples.push(r.ms)
        conversations = r.conversations
      }
      samples.sort((a, b) => a - b)
      rows.push({
        range_days: days,
        conversations,
        runs: RUNS,
        p50_ms: Math.round(percentile(samples, 50)),
        p95_ms: Math.round(percentile(samples, 95)),
        cold_ms: cold.find((c) => c.range_days === days)?.cold_ms ?? null,
      })
    }
    console.table([
      {
        messages: count,
        sessions,
        generate_s: Math.round(generateMs / 100) / 10,
        job_refresh_all_s: Math.round(jobMs / 100) / 10,
      },
    ])
    console.table(rows)

    // Topics: 10,000 questions of one day.
    const questions = Array.from({ length: 10_000 }, (_, i) => ({
      id: String(i),
      session_id: 's',
      content: QUESTIONS[(i * 7) % QUESTIONS.length]!,
    }))
    const topicSamples: number[] = []
    let topicCount = 0
    for (let i = 0; i < 5; i++) {
      const s = performance.now()
      topicCount = (await clusterQuestions(questions)).length
      topicSamples.push(performance.now() - s)
    }
    topicSamples.sort((a, b) => a - b)
    const topics = {
      questions: questions.length,
      topics: topicCount,
      runs: 5,
      p50_ms: Math.round(percentile(topicSamples, 50)),
      max_ms: Math.round(topicSamples.at(-1)!),
    }
    console.table([topics])
    mkdirSync('bench/results', { recursive: true })
    const result = {
      when: new Date().toISOString(),
      messages: count,
      sessions,
      generate_ms: Math.round(generateMs),
      job_refresh_all_ms: Math.round(jobMs),
      rows,
      topics,
    }
    writeFileSync('bench/results/analytics.json', JSON.stringify(result, null, 2))
    return result
  } finally {
    await running.shutdown()
    rmSync(dir, { recursive: true, force: true })
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchAnalytics()
