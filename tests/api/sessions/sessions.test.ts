import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, DEMO_ORIGIN, readEvents, type TestApp } from '../../helpers/app'

let t: TestApp
beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('widget config and sessions', () => {
  it('returns the widget config for a publishable key', async () => {
    const res = await t.json('GET', '/v1/widget/config?key=pk_demo')
    expect(res.status).toBe(200)
    const body = (await res.json()) as any
    expect(body.bot.name).toBe('Lina')
    expect(body.suggestions.length).toBeGreaterThan(0)
    expect(body.theme.primary_color).toMatch(/^#[0-9a-f]{6}$/i)
  })

  it('refuses an unknown publishable key with 404', async () => {
    const res = await t.json('POST', '/v1/sessions', { key: 'pk_nope' })
    expect(res.status).toBe(404)
    expect(((await res.json()) as any).error.code).toBe('not_found')
  })

  it('creates a session with a 256-bit token stored only as a hash', async () => {
    const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo', visitor_id: 'visitor-1' })
    expect(res.status).toBe(201)
    const { session, token } = (await res.json()) as any
    expect(session).toMatchObject({ status: 'active', visitor_id: 'visitor-1' })
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    const { rows } = await t.deps.pool.query('select token_hash from chatbot_sessions where id = $1', [
      session.id,
    ])
    expect(rows[0].token_hash).not.toContain(token)
    expect(rows[0].token_hash).toHaveLength(64)
  })
})

describe('asking questions', () => {
  it('answers a French question from the FAQ and cites it', async () => {
    const v = await t.visitor()
    const res = await v.send('Quels sont les délais de livraison ?')
    expect(res.status).toBe(200)
    const { message, reply } = (await res.json()) as any
    expect(message).toMatchObject({ message_type: 'user', content: 'Quels sont les délais de livraison ?' })
    expect(reply.message_type).toBe('ai')
    expect(reply.content).toContain('2 à 4 jours ouvrés')
    expect(reply.sources[0]).toMatchObject({ title: 'Quels sont les délais de livraison ?' })
    expect(reply.sources[0].url).toMatch(/^https:\/\//)
  })

  it('finds the answer without accents and in English', async () => {
    const v = await t.visitor()
    const fr = (await (await v.send('comment etre rembourse ?')).json()) as any
    expect(fr.reply.content).toMatch(/rembours/i)
    const en = (await (await v.send('How much does shipping cost?')).json()) as any
    expect(en.reply.content).toContain('€4.90')
    expect(en.reply.sources[0].title).toBe('How much does shipping cost?')
  })

  it('says plainly when it does not know, in the visitor language, and offers a human', async () => {
    const v = await t.visitor()
    const { reply } = (await (await v.send('Vendez-vous des voitures de course ?')).json()) as any
    expect(reply.sources).toEqual([])
    expect(reply.suggest_human).toBe(true)
    expect(reply.content).toMatch(/pas trouvé/)
  })

  it('streams the answer as SSE: message, deltas, done', async () => {
    const v = await t.visitor()
    const res = await t.json(
      'POST',
      `/v1/sessions/${v.id}/messages`,
      { content: 'Comment retourner un article ?', client_message_id: 'sse-1' },
      { ...v.auth, accept: 'text/event-stream' },
    )
    expect(res.headers.get('content-type')).toContain('text/event-stream')
    const events = await readEvents(res, (e) => e.some((x) => x.event === 'done'))
    expect(events[0].event).toBe('message')
    const deltas = events.filter((e) => e.event === 'delta')
    expect(deltas.length).toBeGreaterThan(1)
    const done = events.find((e) => e.event === 'done')!.data
    expect(deltas.map((d) => d.data.text).join('')).toBe(done.content)
    expect(done.sources).toHaveLength(1)
  })

  it('keeps history in order with message_type on each', async () => {
    const v = await t.visitor()
    await v.send('Quels moyens de paiement acceptez-vous ?')
    await v.send('Puis-je suivre ma commande ?')
    const messages = await v.messages()
    expect(messages.map((m: any) => m.message_type)).toEqual(['user', 'ai', 'user', 'ai'])
    expect(messages.map((m: any) => m.seq)).toEqual([1, 2, 3, 4])
    const after = (await (
      await t.json('GET', `/v1/sessions/${v.id}/messages?after=2`, undefined, v.auth)
    ).json()) as any
    expect(after.messages.map((m: any) => m.seq)).toEqual([3, 4])
  })
})

describe('idempotent sends', () => {
  it('a retry with the same client_message_id returns the first result and stores nothing twice', async () => {
    const v = await t.visitor()
    const first = (await (await v.send('Quels sont vos horaires ?', 'same-id')).json()) as any
    const again = (await (await v.send('Quels sont vos horaires ?', 'same-id')).json()) as any
    expect(again.message.id).toBe(first.message.id)
    expect(again.reply.id).toBe(first.reply.id)
    expect(await v.messages()).toHaveLength(2)
  })

  it('concurrent retries still store one message and one answer', async () => {
    const v = await t.visitor()
    const results = await Promise.all([1, 2, 3].map(() => v.send('Combien coûte la livraison ?', 'race')))
    const bodies = (await Promise.all(results.map((r) => r.json()))) as any[]
    expect(new Set(bodies.map((b) => b.message.id)).size).toBe(1)
    expect(new Set(bodies.map((b) => b.reply.id)).size).toBe(1)
    expect(await v.messages()).toHaveLength(2)
  })

  it('the same id with different content is a 409', async () => {
    const v = await t.visitor()
    await v.send('Bonjour', 'dup')
    const res = await v.send('Autre chose', 'dup')
    expect(res.status).toBe(409)
    expect(await v.messages()).toHaveLength(2)
  })
})

describe('bad input', () => {
  it.each([
    ['malformed JSON', '{"content": ', 'application/json', 400, 'invalid_json'],
    ['wrong content type', 'content=hi', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
    [
      'empty message',
      { content: '   ', client_message_id: 'e1' },
      'application/json',
      400,
      'validation_failed',
    ],
    [
      '20 KB message',
      { content: 'a'.repeat(20_000), client_message_id: 'e2' },
      'application/json',
      400,
      'message_too_long',
    ],
    ['missing client_message_id', { content: 'hello' }, 'application/json', 400, 'validation_failed'],
    [
      'oversized body',
      { content: 'a'.repeat(70_000), client_message_id: 'e3' },
      'application/json',
      413,
      'payload_too_large',
    ],
  ])('%s -> %i %s, nothing stored', async (_name, body, type, status, code) => {
    const v = await t.visitor()
    const res = await t.app.request(`/v1/sessions/${v.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': type as string, ...v.auth },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })
    expect(res.status).toBe(status)
    const err = (await res.json()) as any
    expect(err.error.code).toBe(code)
    expect(typeof err.error.message).toBe('string')
    expect(await v.messages()).toHaveLength(0)
  })

  it('a NUL character is refused with 400 naming the field (tests/security/nul-input.test.ts)', async () => {
    const v = await t.visitor()
    const res = await v.send('bon\u0000jour')
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error.message).toMatch(/^content: /)
  })

  it('refuses a missing, unknown or foreign session token', async () => {
    const a = await t.visitor()
    const b = await t.visitor()
    expect((await t.json('GET', `/v1/sessions/${a.id}/messages`)).status).toBe(401)
    expect(
      (
        await t.json('GET', `/v1/sessions/${a.id}/messages`, undefined, {
          authorization: 'Bearer ' + 'f'.repeat(64),
        })
      ).status,
    ).toBe(401)
    const foreign = await t.json('GET', `/v1/sessions/${a.id}/messages`, undefined, b.auth)
    expect(foreign.status).toBe(401)
    expect(
      (
        await t.json(
          'POST',
          `/v1/sessions/${a.id}/messages`,
          { content: 'x', client_message_id: 'z' },
          b.auth,
        )
      ).status,
    ).toBe(401)
    expect(await a.messages()).toHaveLength(0)
  })

  it('refuses an expired session token', async () => {
    const v = await t.visitor()
    await t.deps.pool.query(
      `update chatbot_sessions set token_expires_at = now() - interval '1 minute' where id = $1`,
      [v.id],
    )
    expect((await t.json('GET', `/v1/sessions/${v.id}`, undefined, v.auth)).status).toBe(401)
  })

  it('answers unknown routes with 404 and wrong methods with 405, in the error shape', async () => {
    const nf = await t.json('GET', '/v1/nope')
    expect(nf.status).toBe(404)
    expect(((await nf.json()) as any).error.code).toBe('not_found')
    const na = await t.json('DELETE', '/v1/sessions')
    expect(na.status).toBe(405)
    expect(na.headers.get('allow')).toContain('POST')
  })
})

describe('CORS', () => {
  it('answers preflight only for an allowed origin', async () => {
    const ok = await t.app.request('/v1/sessions', {
      method: 'OPTIONS',
      headers: { origin: DEMO_ORIGIN, 'access-control-request-method': 'POST' },
    })
    expect(ok.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN)
    const no = await t.app.request('/v1/sessions', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.test', 'access-control-request-method': 'POST' },
    })
    expect(no.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('refuses a session from an origin the widget does not list', async () => {
    const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, { origin: 'https://evil.test' })
    expect(res.status).toBe(403)
    expect(((await res.json()) as any).error.code).toBe('origin_not_allowed')
    const ok = await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, { origin: DEMO_ORIGIN })
    expect(ok.status).toBe(201)
    expect(ok.headers.get('access-control-allow-origin')).toBe(DEMO_ORIGIN)
  })

  it("accepts the API's own origin (the console's preview), and no look-alike of it", async () => {
    // app.request serves http://localhost/...: that is this API's own origin here.
    const own = await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, { origin: 'http://localhost' })
    expect(own.status).toBe(201)
    for (const origin of [
      'http://localhost:8080',
      'https://localhost',
      'http://localhost.evil.test',
      'null',
    ]) {
      const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, { origin })
      expect(res.status, origin).toBe(403)
    }
  })
})

describe('escalation and rating', () => {
  it('after the visitor asks for a human the bot stays silent', async () => {
    const v = await t.visitor()
    const res = await t.json('POST', `/v1/sessions/${v.id}/escalate`, { reason: 'refund' }, v.auth)
    expect(((await res.json()) as any).session.status).toBe('escalated')
    const { reply } = (await (await v.send('Quels sont les délais de livraison ?')).json()) as any
    expect(reply).toBeNull()
    expect((await v.messages()).map((m: any) => m.message_type)).toEqual(['system', 'user'])
    const { rows } = await t.deps.pool.query(
      'select count(*)::int as n from escalations where session_id = $1',
      [v.id],
    )
    expect(rows[0].n).toBe(1)
  })

  it('records thumbs on bot answers only', async () => {
    const v = await t.visitor()
    const { message, reply } = (await (await v.send('Comment choisir ma taille ?')).json()) as any
    const up = await t.json(
      'POST',
      `/v1/sessions/${v.id}/messages/${reply.id}/feedback`,
      { rating: 'up' },
      v.auth,
    )
    expect(up.status).toBe(201)
    const bad = await t.json(
      'POST',
      `/v1/sessions/${v.id}/messages/${message.id}/feedback`,
      { rating: 'up' },
      v.auth,
    )
    expect(bad.status).toBe(400)
  })
})
