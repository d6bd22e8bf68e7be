import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { verifyWebhook } from '../../../api/src/escalation/webhook'
import { AGENT, createTestApp, DEMO_ORIGIN, OWNER, readEvents, TENANT, type TestApp } from '../../helpers/app'

/** Escalation rules, the handoff to people, assignment, notifications and the inbox actions. */
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
const OWNER_ID = '00000000-0000-4000-8000-000000000001'
const AGENT_ID = '00000000-0000-4000-8000-000000000002'
const FRENCH = "je veux parler à un humain, c'est pour un remboursement"

const rules = (path = '', body?: unknown, headers = owner, method = body === undefined ? 'GET' : 'POST') =>
  t.json(method, `/v1/tenants/${TENANT}/escalation-rules${path}`, body, headers)
const inbox = (id: string, action: string, body: unknown = {}, headers = agent) =>
  t.json('POST', `/v1/tenants/${TENANT}/sessions/${id}/${action}`, body, headers)

async function send(v: Awaited<ReturnType<TestApp['visitor']>>, content: string) {
  const res = await v.send(content)
  expect(res.status).toBe(200)
  return (await res.json()) as any
}

beforeAll(async () => {
  t = await createTestApp({ FETCH_ALLOW_LOOPBACK: '1' })
  owner = await t.login(OWNER)
  agent = await t.login(AGENT)
})
afterAll(() => t.close())
beforeEach(async () => {
  await t.deps.pool.query(`delete from escalation_rules`)
  await t.deps.pool.query(`update chatbot_sessions set status = 'resolved', assignee_id = null`)
  await t.deps.pool.query(
    `update tenant_members set availability = 'online', capacity = 5, last_assigned_at = null`,
  )
  await t.deps.pool.query(`update widget_configs set business_hours = null`)
})

describe('rules', () => {
  it('refuses invalid rules with a message naming the field; agents cannot write rules', async () => {
    const cases: [unknown, RegExp][] = [
      [
        { name: 'x', trigger_conditions: { all: [{ type: 'message_regex', pattern: '(a)\\1' }] } },
        /^trigger_conditions\.all\[0\]\.pattern: /,
      ],
      [{ name: 'x', trigger_keywords: ['refund'], priority_level: 9 }, /^priority_level: /],
      [
        { name: 'x', trigger_keywords: ['refund'], agent_assignment_logic: { strategy: 'specific' } },
        /^agent_assignment_logic/,
      ],
      [{ name: 'x' }, /keyword|condition/i],
    ]
    for (const [body, message] of cases) {
      const res = await rules('', body)
      expect(res.status).toBe(400)
      expect(((await res.json()) as any).error.message).toMatch(message)
    }
    expect((await rules('', { name: 'x', trigger_keywords: ['refund'] }, agent)).status).toBe(403)
  })

  it('explains which rule fires and why, condition by condition; a real escalation stores the same trace', async () => {
    await rules('', { name: 'Refunds', trigger_keywords: ['remboursement', 'refund'], priority_level: 4 })
    await rules('', {
      name: 'Angry',
      trigger_keywords: [],
      trigger_conditions: { all: [{ type: 'sentiment', in: ['negative'] }] },
      priority_level: 5,
    })
    const test = (await (await rules('/test', { message: FRENCH, context: {} })).json()) as any
    expect(test.fired).toMatchObject({ name: 'Refunds', priority: 4 })
    const angry = test.trace.find((r: any) => r.name === 'Angry')
    expect(angry.fired).toBe(false)
    expect(JSON.stringify(angry.conditions)).toMatch(/sentiment/)
    const refunds = test.trace.find((r: any) => r.name === 'Refunds')
    expect(refunds.keywords.matched).toEqual(['remboursement'])

    const v = await t.visitor()
    const res = await send(v, FRENCH)
    expect(res.reply).toBeNull()
    expect(res.escalation.reason).toMatch(/Refunds|remboursement/)
    const row = (
      await t.deps.pool.query(
        'select reason, trace, priority, status from escalations where session_id = $1',
        [v.id],
      )
    ).rows[0]
    expect(row.priority).toBe(4)
    expect(row.trace.find((r: any) => r.name === 'Refunds')).toEqual(refunds)
    const messages = await v.messages()
    expect(messages.at(-1)).toMatchObject({ message_type: 'system' })
    expect(messages.at(-1).content).toMatch(/équipe/)
  })

  it('escalates a visitor who asks for a person in words even without any rule', async () => {
    const v = await t.visitor()
    const res = await send(v, 'Can I talk to a human please?')
    expect(res.reply).toBeNull()
    expect(res.escalation.reason).toMatch(/asked for a person/)
  })

  it('fires on consecutive low-confidence answers, and the trace says why a triage-less intent rule did not', async () => {
    await rules('', {
      name: 'Lost bot',
      trigger_keywords: [],
      trigger_conditions: { all: [{ type: 'low_confidence_streak', min: 2 }] },
      priority_level: 2,
    })
    await rules('', {
      name: 'Cancel intent',
      trigger_keywords: [],
      trigger_conditions: { all: [{ type: 'intent', in: ['cancel_order'] }] },
      priority_level: 5,
    })
    const v = await t.visitor()
    expect((await send(v, 'What is the wingspan of a pelican?')).reply.suggest_human).toBe(true)
    expect((await send(v, 'Who painted the ceiling of the Sistine chapel?')).reply.suggest_human).toBe(true)
    const third = await send(v, 'And the Mona Lisa?')
    expect(third.reply).toBeNull()
    const trace = (await t.deps.pool.query('select trace from escalations where session_id = $1', [v.id]))
      .rows[0].trace
    expect(trace.find((r: any) => r.name === 'Lost bot').fired).toBe(true)
    expect(JSON.stringify(trace.find((r: any) => r.name === 'Cancel intent'))).toMatch(/unknown/i)
  })
})

describe('handoff', () => {
  it('keeps the bot silent once a person has the session, until it is handed back', async () => {
    const v = await t.visitor()
    await send(v, FRENCH)
    for (const q of ['Combien coûte la livraison ?', 'How do I return an item?', 'hello?']) {
      const res = await send(v, q)
      expect(res.reply).toBeNull()
    }
    const ai = (await v.messages()).filter((m: any) => m.message_type === 'ai')
    expect(ai).toHaveLength(0)
    expect((await inbox(v.id, 'handback')).status).toBe(200)
    const after = await send(v, 'How much does shipping cost?')
    expect(after.reply.content).toMatch(/€4\.90/)
  })

  it('assigns to online agents with room only: two escalations at once never overfill an agent', async () => {
    await t.deps.pool.query(`update tenant_members set availability = 'offline' where user_id = $1`, [
      OWNER_ID,
    ])
    await t.deps.pool.query(`update tenant_members set capacity = 1 where user_id = $1`, [AGENT_ID])
    const [a, b] = [await t.visitor(), await t.visitor()]
    await Promise.all([send(a, 'I want to talk to a person'), send(b, 'I want to talk to a person')])
    const rows = (
      await t.deps.pool.query(
        'select assignee_id from escalations where session_id = any($1) order by created_at',
        [[a.id, b.id]],
      )
    ).rows
    expect(rows.map((r) => r.assignee_id).sort()).toEqual([AGENT_ID, null].sort())
  })

  it('round-robins between online agents', async () => {
    await rules('', {
      name: 'RR',
      trigger_keywords: ['invoice'],
      agent_assignment_logic: { strategy: 'round_robin' },
    })
    const got: string[] = []
    for (let i = 0; i < 4; i++) {
      const v = await t.visitor()
      await send(v, 'question about my invoice')
      got.push(
        (await t.deps.pool.query('select assignee_id from escalations where session_id = $1', [v.id])).rows[0]
          .assignee_id,
      )
    }
    expect(new Set(got).size).toBe(2)
    expect(got[0]).not.toBe(got[1])
    expect(got[0]).toBe(got[2])
  })

  it('outside opening hours tells the visitor when the team is back and takes an e-mail', async () => {
    await t.deps.pool.query(
      `update widget_configs set business_hours = '{"timezone": "UTC", "days": {}}'::jsonb where publishable_key = 'pk_demo'`,
    )
    const cfg = (await (
      await t.json('GET', '/v1/widget/config?key=pk_demo', undefined, { origin: DEMO_ORIGIN })
    ).json()) as any
    expect(cfg.open).toBe(false)
    await t.deps.pool.query(
      `update widget_configs set business_hours = '{"timezone": "UTC", "days": {"mon": [["00:00", "00:01"]]}}'::jsonb where publishable_key = 'pk_demo'`,
    )
    const v = await t.visitor()
    await send(v, 'I need to speak to an agent')
    const system = (await v.messages()).at(-1)
    expect(system.content).toMatch(/away right now.*back/i)
    const contact = await t.json(
      'POST',
      `/v1/sessions/${v.id}/contact`,
      { email: 'ana@example.com' },
      { ...v.auth, origin: DEMO_ORIGIN },
    )
    expect(contact.status).toBe(200)
    const ctx = (
      await t.deps.pool.query('select customer_context from chatbot_sessions where id = $1', [v.id])
    ).rows[0].customer_context
    expect(ctx.email).toBe('ana@example.com')
    expect(
      (
        await t.json(
          'POST',
          `/v1/sessions/${v.id}/contact`,
          { email: 'not an email' },
          { ...v.auth, origin: DEMO_ORIGIN },
        )
      ).status,
    ).toBe(400)
  })
})

describe('notifications', () => {
  let receiver: Server
  let url: string
  const got: { headers: any; body: string; status: number }[] = []
  let failures = 2

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        const status = failures-- > 0 ? 503 : 200
        got.push({ headers: req.headers, body, status })
        res.writeHead(status).end()
      })
    })
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`
  })
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())))

  it('sends a signed webhook, retried until the receiver accepts it; the secret is shown once', async () => {
    const put = await t.json('PUT', `/v1/tenants/${TENANT}/webhook`, { url }, owner)
    const set = (await put.json()) as any
    expect(put.status, JSON.stringify(set)).toBe(200)
    expect(set.webhook.secret).toMatch(/^whsec_/)
    const read = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/webhook`, undefined, owner)
    ).json()) as any
    expect(read.webhook.secret).toBeUndefined()
    const v = await t.visitor()
    await send(v, 'talk to a human now')
    await expect
      .poll(() => got.filter((g) => g.status === 200).length, { timeout: 15_000, interval: 200 })
      .toBe(1)
    expect(got).toHaveLength(3)
    expect(new Set(got.map((g) => g.headers['x-parley-delivery'])).size).toBe(1)
    const ok = got.at(-1)!
    expect(
      verifyWebhook(
        set.webhook.secret,
        ok.headers['x-parley-timestamp'],
        ok.body,
        ok.headers['x-parley-signature'],
      ),
    ).toBe(true)
    expect(
      verifyWebhook(
        set.webhook.secret,
        ok.headers['x-parley-timestamp'],
        ok.body.replace('human', 'HUMAN'),
        ok.headers['x-parley-signature'],
      ),
    ).toBe(false)
    const payload = JSON.parse(ok.body)
    expect(payload).toMatchObject({ event: 'escalation.created', data: { session: { id: v.id } } })
    // The row is updated just after the receiver answered: poll rather than race it.
    const row = async () =>
      (
        await t.deps.pool.query(
          `select status, attempts from webhook_deliveries order by created_at desc limit 1`,
        )
      ).rows[0]
    await expect.poll(row, { timeout: 5000, interval: 100 }).toEqual({ status: 'delivered', attempts: 3 })
  })

  it('refuses a webhook URL on a private address', async () => {
    const res = await t.json(
      'PUT',
      `/v1/tenants/${TENANT}/webhook`,
      { url: 'http://169.254.169.254/latest' },
      owner,
    )
    expect(res.status).toBe(400)
  })
})

describe('inbox', () => {
  it('claim, reply, typing both ways, resolve with analytics, then the visitor rates', async () => {
    const v = await t.visitor()
    await send(v, FRENCH)
    const list = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions?status=escalated&priority=3`, undefined, agent)
    ).json()) as any
    const mine = list.sessions.find((s: any) => s.id === v.id)
    expect(mine.escalation).toMatchObject({ status: 'pending', reason: expect.stringMatching(/person/) })
    const detail = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${v.id}`, undefined, agent)
    ).json()) as any
    expect(detail.escalation.ai_summary).toMatch(/humain/)
    expect(detail.escalation.trace.length).toBeGreaterThan(0)

    expect(((await (await inbox(v.id, 'claim')).json()) as any).session.assignee.id).toBe(AGENT_ID)

    // The visitor's stream sees the agent typing; the console's stream sees the visitor typing.
    const widgetEvents = await t.app.request(`/v1/sessions/${v.id}/events`, {
      headers: { ...v.auth, origin: DEMO_ORIGIN },
    })
    const consoleEvents = await t.app.request(`/v1/tenants/${TENANT}/events`, { headers: agent })
    await new Promise((r) => setTimeout(r, 100))
    expect((await inbox(v.id, 'typing', { typing: true })).status).toBe(204)
    expect(
      (
        await t.json(
          'POST',
          `/v1/sessions/${v.id}/typing`,
          { typing: true },
          { ...v.auth, origin: DEMO_ORIGIN },
        )
      ).status,
    ).toBe(204)
    const w = await readEvents(widgetEvents, (e) => e.some((x) => x.event === 'typing'))
    expect(w.find((x) => x.event === 'typing')!.data).toEqual({ from: 'agent', name: 'Alex', typing: true })
    const cEvents = await readEvents(consoleEvents, (e) => e.some((x) => x.event === 'typing'))
    expect(cEvents.find((x) => x.event === 'typing')!.data).toEqual({
      session_id: v.id,
      from: 'visitor',
      typing: true,
    })

    await inbox(v.id, 'messages', { content: 'Bonjour, je regarde votre remboursement.' })
    await inbox(v.id, 'messages', { content: 'note: customer is VIP', private: true })
    const seen = await v.messages()
    expect(seen.map((m: any) => m.content)).toContain('Bonjour, je regarde votre remboursement.')
    expect(JSON.stringify(seen)).not.toContain('VIP')

    expect(
      (await t.json('POST', `/v1/sessions/${v.id}/rating`, { score: 5 }, { ...v.auth, origin: DEMO_ORIGIN }))
        .status,
    ).toBe(409)
    const resolved = await inbox(v.id, 'resolve')
    expect(resolved.status, await resolved.clone().text()).toBe(200)
    const stats = (
      await t.deps.pool.query(
        'select conversations_handled, avg_first_response_seconds from agent_analytics where agent_id = $1',
        [AGENT_ID],
      )
    ).rows[0]
    expect(stats.conversations_handled).toBeGreaterThanOrEqual(1)
    const esc = (
      await t.deps.pool.query(
        'select status, outcome, first_response_at, resolved_at from escalations where session_id = $1',
        [v.id],
      )
    ).rows[0]
    expect(esc).toMatchObject({ status: 'resolved', outcome: 'resolved' })
    expect(esc.first_response_at).toBeTruthy()
    // The console sees the rating live, without a reload.
    const watch = await t.app.request(`/v1/tenants/${TENANT}/events`, { headers: agent })
    await new Promise((r) => setTimeout(r, 100))
    expect(
      (await t.json('POST', `/v1/sessions/${v.id}/rating`, { score: 5 }, { ...v.auth, origin: DEMO_ORIGIN }))
        .status,
    ).toBe(200)
    const rated = await readEvents(watch, (e) =>
      e.some((x) => x.event === 'session' && x.data.session?.csat === 5),
    )
    expect(rated.find((x) => x.event === 'session')?.data).toMatchObject({
      session_id: v.id,
      session: { csat: 5 },
    })
  })

  it('agents set their availability; offline agents get nothing new', async () => {
    const res = await t.json('PATCH', `/v1/tenants/${TENANT}/members/me`, { availability: 'offline' }, agent)
    expect(((await res.json()) as any).member.availability).toBe('offline')
    await t.deps.pool.query(`update tenant_members set availability = 'offline' where user_id = $1`, [
      OWNER_ID,
    ])
    const v = await t.visitor()
    await send(v, 'speak to an agent')
    expect(
      (await t.deps.pool.query('select assignee_id from escalations where session_id = $1', [v.id])).rows[0]
        .assignee_id,
    ).toBeNull()
  })

  it('canned replies: created, listed, unique by shortcut', async () => {
    const body = { shortcut: 'refund', title: 'Refund timing', content: 'Refunds take 5 business days.' }
    expect((await t.json('POST', `/v1/tenants/${TENANT}/canned-replies`, body, agent)).status).toBe(201)
    expect((await t.json('POST', `/v1/tenants/${TENANT}/canned-replies`, body, agent)).status).toBe(409)
    const list = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/canned-replies`, undefined, agent)
    ).json()) as any
    expect(list.canned_replies.map((r: any) => r.shortcut)).toContain('refund')

    // Edited in place; a shortcut another reply uses is refused and nothing changes.
    const id = list.canned_replies.find((r: any) => r.shortcut === 'refund').id
    const other = { shortcut: 'delay', title: 'Delays', content: 'Parcels may take longer this week.' }
    expect((await t.json('POST', `/v1/tenants/${TENANT}/canned-replies`, other, agent)).status).toBe(201)
    const edited = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}/canned-replies/${id}`,
      { content: 'Refunds take 3 business days.' },
      agent,
    )
    expect(((await edited.json()) as any).canned_reply).toEqual({
      id,
      ...body,
      content: 'Refunds take 3 business days.',
    })
    const clash = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}/canned-replies/${id}`,
      { shortcut: 'delay', title: 'Renamed' },
      agent,
    )
    expect(clash.status).toBe(409)
    expect(((await clash.json()) as any).error.message).toContain('/delay')
    expect((await t.json('PATCH', `/v1/tenants/${TENANT}/canned-replies/${id}`, {}, agent)).status).toBe(400)
    expect(
      (await t.json('PATCH', `/v1/tenants/${TENANT}/canned-replies/${id}`, { shortcut: 'Has Space' }, agent))
        .status,
    ).toBe(400)
    const after = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/canned-replies`, undefined, agent)
    ).json()) as any
    expect(after.canned_replies.find((r: any) => r.id === id)).toMatchObject({
      shortcut: 'refund',
      title: 'Refund timing',
    })
  })
})
