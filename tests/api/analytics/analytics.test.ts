import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT, createTestApp, DEMO_ORIGIN, OWNER, TENANT, type TestApp } from '../../helpers/app'

/**
 * A scripted day of conversations on the demo tenant, in New York time (UTC-5 in January), with every
 * message's time set through SQL. The expected figures are worked out by hand below.
 */
const AGENT_ID = '00000000-0000-4000-8000-000000000002'
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>

type Visitor = Awaited<ReturnType<TestApp['visitor']>>

/** Local New York wall time of 2026-01-DD as an instant (UTC-5). */
const ny = (day: number, hms: string) => new Date(`2026-01-${String(day).padStart(2, '0')}T${hms}-05:00`)

/** Sets the times of a session's messages in seq order (private notes included), and its start. */
async function retime(v: { id: string }, times: Date[]) {
  const { rows } = await t.deps.pool.query(
    'select id from chatbot_conversations where session_id = $1 order by seq',
    [v.id],
  )
  expect(rows.length, 'scripted times must cover every message').toBe(times.length)
  for (const [i, r] of rows.entries())
    await t.deps.pool.query('update chatbot_conversations set created_at = $2 where id = $1', [
      r.id,
      times[i],
    ])
  // Last: the session's own update marks it changed for the analytics.
  await t.deps.pool.query('update chatbot_sessions set created_at = $2 where id = $1', [v.id, times[0]])
}

async function say(v: Visitor, text: string) {
  const res = await v.send(text)
  expect(res.status).toBe(200)
  return (await res.json()) as any
}

const thumbs = (v: Visitor, messageId: string, rating: 'up' | 'down') =>
  t.json('POST', `/v1/sessions/${v.id}/messages/${messageId}/feedback`, { rating }, v.auth)

const get = (path: string, headers = owner) => t.json('GET', path, undefined, headers)

let sessions: Record<string, string>

beforeAll(async () => {
  t = await createTestApp()
  owner = await t.login(OWNER)
  agent = await t.login(AGENT)
  await t.deps.pool.query(
    `update tenants set settings = settings || '{"timezone": "America/New_York"}'::jsonb where id = $1`,
    [TENANT],
  )

  // S1: answered, thumbs up, rated 5: AI-resolved. First response 4 s, resolution 4 s.
  const s1 = await t.visitor()
  const a1 = await say(s1, 'Quels sont les délais de livraison ?')
  expect((await thumbs(s1, a1.reply.id, 'up')).status).toBe(201)
  // The widget asks for a rating once a session is resolved; an AI-only session's rating is set here.
  await t.deps.pool.query('update chatbot_sessions set csat_score = 5 where id = $1', [s1.id])
  await retime(s1, [ny(14, '10:00:00'), ny(14, '10:00:04')])

  // S2: an "I don't know", then the visitor left: abandoned after a decline. First response 2 s.
  const s2 = await t.visitor()
  await say(s2, 'Do you sell cars?')
  await retime(s2, [ny(14, '11:00:00'), ny(14, '11:00:02')])

  // S3: the same question asked again in other words: not resolved. First response 3 s.
  const s3 = await t.visitor()
  await say(s3, 'Comment choisir ma taille ?')
  await say(s3, 'Et pour choisir ma taille ?')
  await retime(s3, [ny(14, '12:00:00'), ny(14, '12:00:03'), ny(14, '12:01:00'), ny(14, '12:01:02')])

  // S4: answered, then escalated; the agent replies after 120 s and resolves; the visitor rates 4.
  const s4 = await t.visitor()
  await say(s4, 'Quels sont les délais de livraison ?')
  expect((await t.json('POST', `/v1/sessions/${s4.id}/escalate`, { reason: 'talk' }, s4.auth)).status).toBe(
    200,
  )
  const inbox = (action: string, body: unknown = {}) =>
    t.json('POST', `/v1/tenants/${TENANT}/sessions/${s4.id}/${action}`, body, agent)
  expect((await inbox('claim')).status).toBe(200)
  expect((await inbox('messages', { content: 'Je regarde cela.' })).status).toBe(201)
  expect((await inbox('messages', { content: 'private note', private: true })).status).toBe(201)
  expect((await inbox('resolve')).status).toBe(200)
  const rated = await t.json(
    'POST',
    `/v1/sessions/${s4.id}/rating`,
    { score: 4 },
    { ...s4.auth, origin: DEMO_ORIGIN },
  )
  expect(rated.status, await rated.clone().text()).toBe(200)
  const s4Times = (
    await t.deps.pool.query('select count(*)::int as n from chatbot_conversations where session_id = $1', [
      s4.id,
    ])
  ).rows[0].n
  // visitor, answer, the escalation's system text, [any other system text], the agent's reply, the note, [the resolution text]
  const seq = (
    await t.deps.pool.query(
      'select message_type, private from chatbot_conversations where session_id = $1 order by seq',
      [s4.id],
    )
  ).rows
  const times: Date[] = []
  let minute = 0
  for (const m of seq) {
    if (m.message_type === 'user') times.push(ny(14, '13:00:00'))
    else if (m.message_type === 'ai') times.push(ny(14, '13:00:05'))
    else if (m.message_type === 'agent') times.push(m.private ? ny(14, '13:05:00') : ny(14, '13:02:10'))
    else times.push(new Date(ny(14, '13:00:10').getTime() + minute++ * 1000 * 60 * 20))
  }
  expect(times.length).toBe(s4Times)
  await t.deps.pool.query(
    `update escalations set created_at = $2, first_response_at = $3, resolved_at = $4 where session_id = $1`,
    [s4.id, ny(14, '13:00:10'), ny(14, '13:02:10'), ny(14, '13:30:00')],
  )
  await t.deps.pool.query('update chatbot_sessions set resolved_at = $2 where id = $1', [
    s4.id,
    ny(14, '13:30:00'),
  ])
  await retime(s4, times)

  // S5: answered but thumbs down: not resolved. First response 6 s.
  const s5 = await t.visitor()
  const a5 = await say(s5, 'Comment choisir ma taille ?')
  expect((await thumbs(s5, a5.reply.id, 'down')).status).toBe(201)
  await retime(s5, [ny(14, '14:00:00'), ny(14, '14:00:06')])

  // S7: 03:00 UTC on the 15th is 22:00 on the 14th in New York: counts on the 14th. 10 s.
  const s7 = await t.visitor()
  await say(s7, 'Quels sont les délais de livraison ?')
  await retime(s7, [ny(14, '22:00:00'), ny(14, '22:00:10')])

  // S8: 04:00 UTC on the 14th is 23:00 on the 13th in New York: counts on the 13th. 1 s.
  const s8 = await t.visitor()
  await say(s8, 'Quels sont les délais de livraison ?')
  await retime(s8, [ny(13, '23:00:00'), ny(13, '23:00:01')])

  // S9: opened, never written in: not a conversation.
  const s9 = await t.visitor()
  await t.deps.pool.query('update chatbot_sessions set created_at = $2 where id = $1', [
    s9.id,
    ny(14, '15:00:00'),
  ])
  sessions = { s1: s1.id, s2: s2.id, s3: s3.id, s4: s4.id, s5: s5.id, s7: s7.id, s8: s8.id }
}, 60_000)

afterAll(async () => {
  await t?.close()
})

describe('analytics figures', () => {
  it('match the scripted conversations exactly, per day in the tenant timezone and in total', async () => {
    const res = await get(`/v1/tenants/${TENANT}/analytics?from=2026-01-13&to=2026-01-14`)
    const body = (await res.json()) as any
    expect(res.status, JSON.stringify(body)).toBe(200)
    expect(body.timezone).toBe('America/New_York')
    expect(body.definitions.ai_resolved).toMatch(/thumbs-down/)
    expect(body.definitions.ai_resolved).toMatch(/abandoned/)
    expect(body.totals).toEqual({
      conversations: 7,
      ai_resolved: 3,
      escalated: 1,
      deflection_rate: 0.4286,
      csat_avg: 4.5,
      csat_count: 2,
      thumbs_up: 1,
      thumbs_down: 1,
      // 1 2 3 4 5 6 10
      first_response_p50_s: 4,
      first_response_p90_s: 7.6,
      human_first_response_p50_s: 120,
      human_first_response_p90_s: 120,
      // 1 4 10 1800
      resolution_p50_s: 7,
      resolution_p90_s: 1263,
    })
    expect(body.days.map((d: any) => [d.date, d.conversations, d.ai_resolved, d.escalated])).toEqual([
      ['2026-01-13', 1, 1, 0],
      ['2026-01-14', 6, 2, 1],
    ])
    expect(body.agents).toEqual([
      {
        agent_id: AGENT_ID,
        name: expect.any(String),
        conversations_handled: 1,
        avg_resolution_minutes: 29.8,
        csat: 4,
        escalations_received: 1,
      },
    ])
    // The reasons, one per conversation.
    const facts = await t.deps.pool.query(
      'select session_id, ai_resolved, repeated_question, abandoned_after_decline from analytics_sessions',
    )
    const by = new Map(facts.rows.map((r) => [r.session_id, r]))
    expect(by.get(sessions.s2)).toMatchObject({ abandoned_after_decline: true, ai_resolved: false })
    expect(by.get(sessions.s3)).toMatchObject({ repeated_question: true, ai_resolved: false })
    expect(by.get(sessions.s1)).toMatchObject({ ai_resolved: true, repeated_question: false })
  })

  it('a day outside the range is left out, and one day alone holds only its conversations', async () => {
    const body = (await (
      await get(`/v1/tenants/${TENANT}/analytics?from=2026-01-13&to=2026-01-13`)
    ).json()) as any
    expect(body.totals.conversations).toBe(1)
    expect(body.days).toHaveLength(1)
    expect(body.agents).toEqual([])
  })

  it('a change after the figures were computed shows at once (the row is recomputed)', async () => {
    const s = await t.visitor()
    await say(s, 'Quels sont les délais de livraison ?')
    await retime(s, [ny(12, '09:00:00'), ny(12, '09:00:03')])
    const before = (await (
      await get(`/v1/tenants/${TENANT}/analytics?from=2026-01-12&to=2026-01-12`)
    ).json()) as any
    expect(before.totals).toMatchObject({ conversations: 1, ai_resolved: 1 })
    const msgs = await s.messages()
    const answer = msgs.find((m: any) => m.message_type === 'ai')
    expect((await thumbs(s, answer.id, 'down')).status).toBe(201)
    const after = (await (
      await get(`/v1/tenants/${TENANT}/analytics?from=2026-01-12&to=2026-01-12`)
    ).json()) as any
    expect(after.totals).toMatchObject({ conversations: 1, ai_resolved: 0, thumbs_down: 1 })
    // The job brings every row up to date and moves its mark; the figures stay the same.
    await t.deps.analytics!.drain()
    const job = (await (
      await get(`/v1/tenants/${TENANT}/analytics?from=2026-01-12&to=2026-01-14`)
    ).json()) as any
    expect(job.totals).toMatchObject({ conversations: 8, ai_resolved: 3, thumbs_down: 2 })
    // Those closed days now come from the daily rollup, with the same figures as computed live.
    const rolled = await t.deps.pool.query(
      `select day::text as day, conversations from analytics_daily where tenant_id = $1 order by day`,
      [TENANT],
    )
    expect(rolled.rows).toEqual([
      { day: '2026-01-12', conversations: 1 },
      { day: '2026-01-13', conversations: 1 },
      { day: '2026-01-14', conversations: 6 },
    ])
    const again = (await (
      await get(`/v1/tenants/${TENANT}/analytics?from=2026-01-13&to=2026-01-14`)
    ).json()) as any
    expect(again.totals).toMatchObject({
      conversations: 7,
      ai_resolved: 3,
      escalated: 1,
      csat_avg: 4.5,
      csat_count: 2,
      thumbs_up: 1,
      thumbs_down: 1,
      first_response_p90_s: 7.6,
    })
  })

  it('filters by bot, and refuses a bot of another workspace', async () => {
    const bot = (await t.deps.pool.query('select id from bots where tenant_id = $1 limit 1', [TENANT]))
      .rows[0].id
    const mine = (await (
      await get(`/v1/tenants/${TENANT}/analytics?from=2026-01-13&to=2026-01-14&bot_id=${bot}`)
    ).json()) as any
    expect(mine.totals.conversations).toBe(7)
    const res = await get(
      `/v1/tenants/${TENANT}/analytics?from=2026-01-13&to=2026-01-14&bot_id=00000000-0000-4000-8000-00000000ffff`,
    )
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error.message).toMatch(/bot_id/)
  })

  it('validates the range, naming the field', async () => {
    const cases: [string, RegExp][] = [
      ['to=2026-01-14', /^from: /],
      ['from=2026-01-14', /^to: /],
      ['from=14/01/2026&to=2026-01-14', /^from: must be a date as YYYY-MM-DD/],
      ['from=2026-02-30&to=2026-03-01', /^from: is not a calendar date/],
      ['from=2026-01-14&to=2026-01-13', /^to: must be on or after from/],
      ['from=2025-01-01&to=2026-01-02', /^to: the range is at most 366 days/],
      ['from=2026-01-13&to=2026-01-14&bot_id=x', /^bot_id: must be a uuid/],
      ['from=2026-01-13&to=2026-01-14&extra=1', /extra|Unrecognized/],
    ]
    for (const [qs, message] of cases) {
      const res = await get(`/v1/tenants/${TENANT}/analytics?${qs}`)
      const body = (await res.json()) as any
      expect(res.status, qs).toBe(400)
      expect(body.error.code, qs).toBe('validation_failed')
      expect(body.error.message, qs).toMatch(message)
    }
    // 366 days is allowed.
    expect((await get(`/v1/tenants/${TENANT}/analytics?from=2025-01-14&to=2026-01-14`)).status).toBe(200)
  })

  it('is for owners and admins: an agent is refused', async () => {
    const res = await get(`/v1/tenants/${TENANT}/analytics?from=2026-01-13&to=2026-01-14`, agent)
    expect(res.status).toBe(403)
  })
})

describe('CSV export', () => {
  it('has a row per day and the totals, quoted, with formula cells neutralised', async () => {
    // An agent whose name a spreadsheet would run as a formula.
    await t.deps.pool.query(
      `update tenant_members set display_name = $2 where tenant_id = $1 and user_id = $3`,
      [TENANT, '=HYPERLINK("http://evil.test","x"),1', AGENT_ID],
    )
    const res = await get(`/v1/tenants/${TENANT}/analytics/export.csv?from=2026-01-13&to=2026-01-14`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="analytics-2026-01-13-to-2026-01-14.csv"',
    )
    const lines = (await res.text()).split('\r\n')
    expect(lines[0]).toMatch(/^date,conversations,ai_resolved,escalated,deflection_rate,/)
    expect(lines[1]).toMatch(/^2026-01-13,1,1,0,1,/)
    expect(lines[2]).toMatch(/^2026-01-14,6,2,1,0\.3333,/)
    expect(lines[3]).toMatch(/^total,7,3,1,0\.4286,4\.5,2,1,1,4,7\.6,120,120,7,1263$/)
    const agentLine = lines.find((l) => l.includes('HYPERLINK'))!
    expect(agentLine).toBe(`"'=HYPERLINK(""http://evil.test"",""x""),1",1,29.8,4,1`)
  })
})
