import { createHmac } from 'node:crypto'
import { SignJWT, UnsecuredJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, DEMO_ORIGIN, OWNER, type TestApp } from '../helpers/app'

/**
 * Identity verification: a visitor becomes a known user only with the site's proof (HMAC of the
 * user id, or a short-lived JWT), on every path that sets identity; nobody else ever sees that
 * user's conversation.
 */
let t: TestApp
let secret: string
const BOT = '00000000-0000-4000-8000-0000000000b1'
const hash = (id: string, key = secret) => createHmac('sha256', key).update(id).digest('hex')
const jwt = (sub: string, opts: { key?: string; exp?: string; iat?: number } = {}) => {
  const s = new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime(opts.exp ?? '10m')
  opts.iat === undefined ? s.setIssuedAt() : s.setIssuedAt(opts.iat)
  return s.sign(new TextEncoder().encode(opts.key ?? secret))
}
const h = { origin: DEMO_ORIGIN }

async function session(identity?: object) {
  return t.json('POST', '/v1/sessions', { key: 'pk_demo', ...(identity ? { identity } : {}) }, h)
}
async function opened(identity?: object) {
  const res = await session(identity)
  expect(res.status).toBe(201)
  const body = (await res.json()) as any
  return { id: body.session.id as string, auth: { authorization: `Bearer ${body.token}`, ...h } }
}
const messages = async (s: { id: string; auth: Record<string, string> }) =>
  (
    (await (await t.json('GET', `/v1/sessions/${s.id}/messages`, undefined, s.auth)).json()) as any
  ).messages.map((m: any) => m.content)
const setMode = (mode: string) => t.json('PATCH', `/v1/bots/${BOT}/widget`, { identity_mode: mode }, owner)
let owner: Record<string, string>

beforeAll(async () => {
  t = await createTestApp()
  owner = await t.login(OWNER)
  const res = await t.json('POST', `/v1/bots/${BOT}/widget/identity-secret`, {}, owner)
  secret = ((await res.json()) as any).identity_secret
  expect(secret).toMatch(/^idsec_/)
  expect(
    JSON.stringify(await (await t.json('GET', `/v1/bots/${BOT}/widget`, undefined, owner)).json()),
  ).not.toContain(secret)
  expect(
    JSON.stringify(await (await t.json('GET', '/v1/widget/config?key=pk_demo', undefined, h)).json()),
  ).not.toContain(secret)
  expect((await setMode('optional')).status).toBe(200)
})
afterAll(() => t.close())

describe('impersonation is refused on every identity path', () => {
  const forged: [string, () => Promise<object>][] = [
    ['a hash of another user id', async () => ({ user_id: 'alice', user_hash: hash('mallory') })],
    [
      'a hash made with another key',
      async () => ({ user_id: 'alice', user_hash: hash('alice', 'guessed-key') }),
    ],
    ['a truncated hash', async () => ({ user_id: 'alice', user_hash: hash('alice').slice(0, 62) + '00' })],
    ['a JWT for another subject', async () => ({ user_id: 'alice', user_jwt: await jwt('mallory') })],
    [
      'a JWT signed with another key',
      async () => ({ user_id: 'alice', user_jwt: await jwt('alice', { key: 'k'.repeat(40) }) }),
    ],
    ['an expired JWT', async () => ({ user_id: 'alice', user_jwt: await jwt('alice', { exp: '-1m' }) })],
    [
      'a JWT issued too long ago',
      async () => ({
        user_id: 'alice',
        user_jwt: await jwt('alice', { exp: '30d', iat: Math.floor(Date.now() / 1000) - 86400 }),
      }),
    ],
    [
      'an unsigned (alg none) JWT',
      async () => ({
        user_id: 'alice',
        user_jwt: new UnsecuredJWT({ sub: 'alice' }).setIssuedAt().setExpirationTime('10m').encode(),
      }),
    ],
  ]

  it.each(forged)('session creation: %s', async (_name, make) => {
    const res = await session(await make())
    expect(res.status).toBe(401)
    expect(((await res.json()) as any).error.code).toBe('identity_invalid')
  })

  it.each(forged)('identify(): %s', async (_name, make) => {
    const anon = await opened()
    const res = await t.json('POST', `/v1/sessions/${anon.id}/identify`, await make(), anon.auth)
    expect(res.status).toBe(401)
  })
})

describe('verified users', () => {
  it('see their own history on any device; an anonymous visitor or another user never does', async () => {
    const laptop = await opened({ user_id: 'alice', user_hash: hash('alice'), name: 'Alice' })
    await t.json(
      'POST',
      `/v1/sessions/${laptop.id}/messages`,
      { content: 'my order 1234 is late', client_message_id: 'a1' },
      laptop.auth,
    )
    const phone = await opened({ user_id: 'alice', user_jwt: await jwt('alice') })
    expect(phone.id).toBe(laptop.id)
    expect(await messages(phone)).toContain('my order 1234 is late')
    // The first device keeps working: each device has its own token.
    expect((await t.json('GET', `/v1/sessions/${laptop.id}`, undefined, laptop.auth)).status).toBe(200)

    const anonymous = await opened({ user_id: 'alice', name: 'Alice (claimed)' })
    expect(anonymous.id).not.toBe(laptop.id)
    expect(await messages(anonymous)).not.toContain('my order 1234 is late')
    const bob = await opened({ user_id: 'bob', user_hash: hash('bob') })
    expect(bob.id).not.toBe(laptop.id)
    expect((await t.json('GET', `/v1/sessions/${laptop.id}/messages`, undefined, bob.auth)).status).toBe(401)
  })

  it('identify() attaches an anonymous conversation to the user, and never re-assigns one that belongs to someone else', async () => {
    const anon = await opened()
    const res = await t.json(
      'POST',
      `/v1/sessions/${anon.id}/identify`,
      { user_id: 'carol', user_hash: hash('carol') },
      anon.auth,
    )
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).session.id).toBe(anon.id)
    const steal = await t.json(
      'POST',
      `/v1/sessions/${anon.id}/identify`,
      { user_id: 'dave', user_hash: hash('dave') },
      anon.auth,
    )
    expect(steal.status).toBe(409)
    const other = await opened()
    const sw = (await (
      await t.json(
        'POST',
        `/v1/sessions/${other.id}/identify`,
        { user_id: 'carol', user_hash: hash('carol') },
        other.auth,
      )
    ).json()) as any
    expect(sw.session.id).toBe(anon.id)
    expect(sw.token).toMatch(/^[0-9a-f]{64}$/)
  })

  it('keeps a claimed but unverified name as unverified context, never as the user', async () => {
    const anon = await opened({ user_id: 'eve', name: 'Eve', email: 'eve@example.com' })
    const row = (
      await t.deps.pool.query(
        'select identified_user_id, customer_context from chatbot_sessions where id = $1',
        [anon.id],
      )
    ).rows[0]
    expect(row.identified_user_id).toBeNull()
    expect(row.customer_context).toMatchObject({ name: 'Eve', email: 'eve@example.com' })
    expect(row.customer_context.verified).toBeUndefined()
  })
})

describe('required mode', () => {
  it('refuses anonymous sessions and unverified sends', async () => {
    const earlier = await opened()
    expect((await setMode('required')).status).toBe(200)
    try {
      const res = await session()
      expect(res.status).toBe(401)
      expect(((await res.json()) as any).error.code).toBe('identity_required')
      const send = await t.json(
        'POST',
        `/v1/sessions/${earlier.id}/messages`,
        { content: 'hi', client_message_id: 'r1' },
        earlier.auth,
      )
      expect(send.status).toBe(403)
      expect((await session({ user_id: 'frank', user_hash: hash('frank') })).status).toBe(201)
    } finally {
      await setMode('optional')
    }
  })
})
