import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asMember } from '../../../api/src/auth/member'
import { withMemberTx } from '../../../api/src/db/tx'
import { AGENT, createTestApp, OWNER, readEvents, TENANT, type TestApp } from '../../helpers/app'

let t: TestApp
let agent: Record<string, string>
let owner: Record<string, string>
beforeAll(async () => {
  t = await createTestApp()
  agent = await t.login(AGENT)
  owner = await t.login(OWNER)
})
afterAll(() => t.close())

describe('sign-in', () => {
  it('refuses a wrong password and an unknown user alike', async () => {
    for (const body of [
      { ...AGENT, password: 'nope' },
      { email: 'who@demo.local', password: 'demo1234' },
    ]) {
      const res = await t.json('POST', '/v1/auth/login', body)
      expect(res.status).toBe(401)
      expect(((await res.json()) as any).error.message).toBe('Wrong e-mail or password.')
    }
  })

  it('returns the user and memberships from /v1/me', async () => {
    const me = (await (await t.json('GET', '/v1/me', undefined, agent)).json()) as any
    expect(me.user.email).toBe('agent@demo.local')
    expect(me.memberships).toEqual([
      { tenant_id: TENANT, role: 'agent', tenant: { id: TENANT, name: 'Ma Boutique', slug: 'ma-boutique' } },
    ])
  })

  it.each([
    ['no header', {}],
    ['garbage token', { authorization: 'Bearer abc.def.ghi' }],
    [
      'alg none',
      {
        authorization:
          'Bearer ' +
          Buffer.from('{"alg":"none"}').toString('base64url') +
          '.' +
          Buffer.from(
            `{"sub":"00000000-0000-4000-8000-000000000002","role":"authenticated","aud":"authenticated"}`,
          ).toString('base64url') +
          '.',
      },
    ],
  ])('refuses %s with 401', async (_n, headers) => {
    expect((await t.json('GET', '/v1/me', undefined, headers as any)).status).toBe(401)
  })
})

describe('inbox', () => {
  it('lists sessions, shows one, and an agent reply reaches the visitor live', async () => {
    const v = await t.visitor()
    await v.send('Comment retourner un article ?')
    const list = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, agent)
    ).json()) as any
    const row = list.sessions.find((s: any) => s.id === v.id)
    expect(row.last_message.message_type).toBe('ai')
    expect(row.message_count).toBe(2)

    const stream = await t.json('GET', `/v1/sessions/${v.id}/events`, undefined, v.auth)
    expect(stream.status).toBe(200)
    const reading = readEvents(stream, (e) =>
      e.some((x) => x.event === 'message' && x.data.message_type === 'agent'),
    )
    await new Promise((r) => setTimeout(r, 100))
    const note = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${v.id}/messages`,
      { content: 'secret note', private: true },
      agent,
    )
    expect(note.status).toBe(201)
    const reply = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${v.id}/messages`,
      { content: 'Bonjour, je suis Alex.' },
      agent,
    )
    expect(reply.status).toBe(201)
    const events = await reading
    const agentMsg = events.find((e) => e.event === 'message' && e.data.message_type === 'agent')!
    expect(agentMsg.data.content).toBe('Bonjour, je suis Alex.')
    expect(agentMsg.data.agent.name).toBe('Alex')
    expect(events.some((e) => JSON.stringify(e.data).includes('secret note'))).toBe(false)
    expect((await v.messages()).some((m: any) => m.content === 'secret note')).toBe(false)

    const detail = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${v.id}`, undefined, agent)
    ).json()) as any
    expect(detail.session.status).toBe('escalated')
    expect(detail.session.assignee.name).toBe('Alex')
    expect(detail.messages.find((m: any) => m.private).content).toBe('secret note')
  })

  it('the bot is silent once an agent has replied, until the session is resolved', async () => {
    const v = await t.visitor()
    await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${v.id}/messages`,
      { content: 'Je prends la main.' },
      agent,
    )
    expect(((await (await v.send('Combien coûte la livraison ?')).json()) as any).reply).toBeNull()
    const resolved = await t.json('POST', `/v1/tenants/${TENANT}/sessions/${v.id}/resolve`, undefined, agent)
    expect(((await resolved.json()) as any).session.status).toBe('resolved')
    const rating = await t.json('POST', `/v1/sessions/${v.id}/rating`, { score: 5 }, v.auth)
    expect(((await rating.json()) as any).session.csat).toBe(5)
    const again = (await (await v.send('Combien coûte la livraison ?')).json()) as any
    expect(again.reply.content).toContain('4,90')
  })

  it('resumes the visitor stream from Last-Event-ID without gaps or duplicates', async () => {
    const v = await t.visitor()
    await v.send('Quels sont vos horaires ?')
    await v.send('Puis-je suivre ma commande ?')
    const res = await t.json('GET', `/v1/sessions/${v.id}/events`, undefined, {
      ...v.auth,
      'last-event-id': '1',
    })
    const events = await readEvents(res, (e) => e.filter((x) => x.event === 'message').length >= 3)
    expect(events.filter((e) => e.event === 'message').map((e) => e.id)).toEqual(['2', '3', '4'])
  })

  it('streams tenant events to the console', async () => {
    const stream = await t.json('GET', `/v1/tenants/${TENANT}/events`, undefined, agent)
    const reading = readEvents(stream, (e) =>
      e.some((x) => x.event === 'session' && x.data.reason === 'message'),
    )
    await new Promise((r) => setTimeout(r, 100))
    const v = await t.visitor()
    await v.send('Bonjour')
    const events = await reading
    const ev = events.find((e) => e.event === 'session' && e.data.reason === 'message')!
    expect(ev.data.session_id).toBe(v.id)
    expect(ev.data.session.last_message).toBeTruthy()
  })
})

describe('settings', () => {
  it('creates, updates and deletes a FAQ that the bot then uses', async () => {
    const created = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/knowledge/faqs`,
      {
        question: 'Avez-vous une carte cadeau ?',
        answer: 'Oui, la carte cadeau existe de 20 à 200 euros.',
        language: 'fr',
      },
      owner,
    )
    expect(created.status).toBe(201)
    const { faq } = (await created.json()) as any
    const v = await t.visitor()
    expect(
      ((await (await v.send('Vous faites des cartes cadeaux ?')).json()) as any).reply.content,
    ).toContain('20 à 200')
    const patched = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}/knowledge/faqs/${faq.id}`,
      { answer: 'Oui, de 10 à 500 euros.' },
      owner,
    )
    expect(((await patched.json()) as any).faq.answer).toBe('Oui, de 10 à 500 euros.')
    expect(((await (await v.send('carte cadeau ?')).json()) as any).reply.content).toContain('10 à 500')
    expect(
      (await t.json('DELETE', `/v1/tenants/${TENANT}/knowledge/faqs/${faq.id}`, undefined, owner)).status,
    ).toBe(204)
    expect(
      (await t.json('GET', `/v1/tenants/${TENANT}/knowledge/faqs/${faq.id}`, undefined, owner)).status,
    ).toBe(404)
  })

  it('lets agents read but not change the knowledge base', async () => {
    const res = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/knowledge/faqs`,
      { question: 'Q', answer: 'A' },
      agent,
    )
    expect(res.status).toBe(403)
  })

  it('refuses a duplicate tenant slug with 409 and names the problem of a bad one', async () => {
    const dup = await t.json('POST', '/v1/tenants', { name: 'Copie', slug: 'ma-boutique' }, owner)
    expect(dup.status).toBe(409)
    const bad = await t.json('POST', '/v1/tenants', { name: 'X', slug: 'Not A Slug' }, owner)
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toMatch(/^slug:/)
  })

  it('creates a bot with a widget closed to every site, then opens it to one', async () => {
    const { bot } = (await (
      await t.json('POST', `/v1/tenants/${TENANT}/bots`, { name: 'Support' }, owner)
    ).json()) as any
    const { widget } = (await (
      await t.json('GET', `/v1/bots/${bot.id}/widget`, undefined, owner)
    ).json()) as any
    expect(widget.allowed_origins).toEqual([])
    const denied = await t.json(
      'POST',
      '/v1/sessions',
      { key: widget.publishable_key },
      { origin: 'https://site.test' },
    )
    expect(denied.status).toBe(403)
    await t.json('PATCH', `/v1/bots/${bot.id}/widget`, { allowed_origins: ['https://site.test'] }, owner)
    const allowed = await t.json(
      'POST',
      '/v1/sessions',
      { key: widget.publishable_key },
      { origin: 'https://site.test' },
    )
    expect(allowed.status).toBe(201)
  })
})

describe('tenant isolation', () => {
  it('a member of tenant A gets 404 for tenant B, by route and with the application check bypassed', async () => {
    // A second tenant, made by a second user through the API.
    await t.deps.pool.query(
      `insert into auth.users (id, email, encrypted_password) select '00000000-0000-4000-8000-0000000000f1', 'b@other.test', encrypted_password from auth.users where email = 'owner@demo.local'`,
    )
    const b = await t.login({ email: 'b@other.test', password: 'demo1234' })
    const tb = (
      (await (await t.json('POST', '/v1/tenants', { name: 'Other', slug: 'other-shop' }, b)).json()) as any
    ).tenant
    const { bot } = (await (
      await t.json('POST', `/v1/tenants/${tb.id}/bots`, { name: 'B bot' }, b)
    ).json()) as any
    const { widget } = (await (await t.json('GET', `/v1/bots/${bot.id}/widget`, undefined, b)).json()) as any
    const vb = await t.visitor(widget.publishable_key)
    await vb.send('secret of tenant B')

    // By route: every id-taking route says 404 to tenant A's agent.
    for (const [method, path] of [
      ['GET', `/v1/tenants/${tb.id}/sessions`],
      ['GET', `/v1/tenants/${tb.id}/sessions/${vb.id}`],
      ['GET', `/v1/tenants/${TENANT}/sessions/${vb.id}`],
      ['POST', `/v1/tenants/${TENANT}/sessions/${vb.id}/resolve`],
      ['GET', `/v1/bots/${bot.id}`],
      ['GET', `/v1/bots/${bot.id}/widget`],
      ['GET', `/v1/tenants/${tb.id}`],
    ]) {
      const res = await t.json(method, path, undefined, agent)
      expect(res.status, `${method} ${path}`).toBe(404)
    }

    // With the application's checks bypassed: raw queries as tenant A's agent see nothing of B.
    const agentId = '00000000-0000-4000-8000-000000000002'
    const seen = await withMemberTx(t.deps.pool, { sub: agentId, role: 'authenticated' }, async (db) => ({
      role: (await db.query('select current_user as u')).rows[0].u,
      sessions: (await db.query('select id from chatbot_sessions where tenant_id = $1', [tb.id])).rows,
      messages: (await db.query(`select id from chatbot_conversations where content = 'secret of tenant B'`))
        .rows,
      widget: (await db.query('select id from widget_configs where bot_id = $1', [bot.id])).rows,
      updated: (await db.query(`update chatbot_sessions set status = 'resolved' where id = $1`, [vb.id]))
        .rowCount,
    }))
    expect(seen).toEqual({ role: 'authenticated', sessions: [], messages: [], widget: [], updated: 0 })

    // And the service helper, handed tenant B's id directly, still finds no membership.
    const fakeContext = { var: { deps: t.deps, user: { sub: agentId, role: 'authenticated' } } } as any
    await expect(asMember(fakeContext, tb.id, async () => 'leak')).rejects.toMatchObject({ status: 404 })
  })
})
