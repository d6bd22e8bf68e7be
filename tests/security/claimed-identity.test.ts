import { createHmac } from 'node:crypto'
import { SignJWT } from 'jose'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestApp, DEMO_ORIGIN, OWNER, type TestApp } from '../helpers/app'

/**
 * Class: visitors pose as verified customers. What the visitor claims (context, a typed name or
 * e-mail, /contact) and what the site's server vouched for (customer_context.verified, written only
 * after an HMAC over user_id, e-mail and name, or a signed JWT's claims) are kept apart end to end.
 */
let t: TestApp
let secret: string
const BOT = '00000000-0000-4000-8000-0000000000b1'
const h = { origin: DEMO_ORIGIN }
const hmac = (payload: string) => createHmac('sha256', secret).update(payload).digest('hex')
const v2 = (user_id: string, email = '', name = '') => hmac(`${user_id}\n${email}\n${name}`)

beforeAll(async () => {
  t = await createTestApp()
  const owner = await t.login(OWNER)
  secret = ((await (await t.json('POST', `/v1/bots/${BOT}/widget/identity-secret`, {}, owner)).json()) as any)
    .identity_secret
  await t.json('PATCH', `/v1/bots/${BOT}/widget`, { identity_mode: 'optional' }, owner)
})
afterAll(() => t.close())

async function create(body: object) {
  const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo', ...body }, h)
  return { res, body: (await res.json()) as any }
}
const contextOf = async (id: string) =>
  (await t.deps.pool.query('select customer_context from chatbot_sessions where id = $1', [id])).rows[0]
    .customer_context

// [label, session body, what customer_context.verified must be (undefined: absent), claimed top-level fields]
const TABLE: [string, () => Promise<object>, object | undefined, object][] = [
  [
    'context claims identity_verified',
    async () => ({ context: { identity_verified: true, name: 'Boss' } }),
    undefined,
    { name: 'Boss' },
  ],
  [
    'context carries a verified object',
    async () => ({ context: { verified: 'yes', user_id: 'admin' } }),
    undefined,
    {},
  ],
  [
    'identity without proof',
    async () => ({ identity: { user_id: 'eve', name: 'Eve', email: 'eve@x.test' } }),
    undefined,
    { name: 'Eve', email: 'eve@x.test' },
  ],
  [
    'user_hash over the user id only: name and e-mail stay claimed',
    async () => ({ identity: { user_id: 'u1', user_hash: hmac('u1'), name: 'CEO', email: 'ceo@bank.test' } }),
    { user_id: 'u1' },
    { name: 'CEO', email: 'ceo@bank.test' },
  ],
  [
    'user_hash over user id, e-mail and name: all verified',
    async () => ({
      identity: { user_id: 'u2', user_hash: v2('u2', 'ann@x.test', 'Ann'), name: 'Ann', email: 'ann@x.test' },
    }),
    { user_id: 'u2', name: 'Ann', email: 'ann@x.test' },
    {},
  ],
  [
    'JWT with name and e-mail claims: verified',
    async () => ({
      identity: {
        user_id: 'u3',
        name: 'Jo',
        email: 'jo@x.test',
        user_jwt: await new SignJWT({ name: 'Jo', email: 'jo@x.test' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('u3')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(secret)),
      },
    }),
    { user_id: 'u3', name: 'Jo', email: 'jo@x.test' },
    {},
  ],
  [
    'JWT without claims: the typed name stays claimed',
    async () => ({
      identity: {
        user_id: 'u4',
        name: 'Admin',
        user_jwt: await new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject('u4')
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(secret)),
      },
    }),
    { user_id: 'u4' },
    { name: 'Admin' },
  ],
]

it.each(TABLE)('%s', async (_, body, verified, claimed) => {
  const { res, body: created } = await create(await body())
  expect(res.status).toBe(201)
  const ctx = await contextOf(created.session.id)
  if (verified === undefined) {
    expect(ctx.verified).toBeUndefined()
    expect(ctx.identity_verified).toBeUndefined()
  } else expect(ctx.verified).toEqual(verified)
  expect(ctx).toMatchObject(claimed)
})

it('a v2 hash with a changed name or e-mail is refused', async () => {
  for (const identity of [
    { user_id: 'u5', user_hash: v2('u5', 'a@x.test', 'A'), name: 'B', email: 'a@x.test' },
    { user_id: 'u5', user_hash: v2('u5', 'a@x.test', 'A'), name: 'A', email: 'evil@x.test' },
  ]) {
    const { res } = await create({ identity })
    expect(res.status).toBe(401)
  }
})

it('/contact on a verified session never overwrites the verified identity', async () => {
  const { body } = await create({
    identity: {
      user_id: 'u6',
      user_hash: v2('u6', 'real@x.test', 'Real'),
      name: 'Real',
      email: 'real@x.test',
    },
  })
  const auth = { authorization: `Bearer ${body.token}`, ...h }
  const res = await t.json(
    'POST',
    `/v1/sessions/${body.session.id}/contact`,
    { email: 'fake@x.test', name: 'Fake' },
    auth,
  )
  expect(res.status).toBe(200)
  const ctx = await contextOf(body.session.id)
  expect(ctx.verified).toEqual({ user_id: 'u6', name: 'Real', email: 'real@x.test' })
  expect(ctx).toMatchObject({ name: 'Fake', email: 'fake@x.test' })
})

it('identify() with a user-id-only hash keeps the typed name claimed', async () => {
  const { body } = await create({})
  const auth = { authorization: `Bearer ${body.token}`, ...h }
  const res = await t.json(
    'POST',
    `/v1/sessions/${body.session.id}/identify`,
    { user_id: 'u7', user_hash: hmac('u7'), name: 'Root' },
    auth,
  )
  expect(res.status).toBe(200)
  const ctx = await contextOf(body.session.id)
  expect(ctx.verified).toEqual({ user_id: 'u7' })
  expect(ctx.name).toBe('Root')
})
