import { SignJWT, UnsecuredJWT, type JWTPayload } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, OWNER, readEvents, TENANT, type TestApp } from '../helpers/app'
import { makeUser, ok } from './tenants'

/**
 * Console token tampering: every forged, stale or misdirected bearer is refused (401) on every kind of
 * console route, and a valid token opens only the tenants its user is a member of now (404 otherwise,
 * the membership being read on every request).
 */
let t: TestApp
let agentId: string
let ownerId: string
let demoBot: string
let visitorToken: string
let visitorSession: string
const SECRET = new TextEncoder().encode('x'.repeat(40))
const WRONG = new TextEncoder().encode('y'.repeat(40))
const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  t = await createTestApp()
  const users = (
    await t.deps.pool.query(
      `select id, email from auth.users where email in ('owner@demo.local', 'agent@demo.local')`,
    )
  ).rows
  ownerId = users.find((u) => u.email === 'owner@demo.local').id
  agentId = users.find((u) => u.email === 'agent@demo.local').id
  demoBot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
  const v = await t.visitor()
  visitorToken = v.token
  visitorSession = v.id
  await ok(await v.send('Combien coûte la livraison ?'))
})
afterAll(() => t.close())

const claims = (sub: string, extra: JWTPayload = {}): JWTPayload => ({
  sub,
  role: 'authenticated',
  aud: 'authenticated',
  iss: 'parley',
  email: 'agent@demo.local',
  ...extra,
})

async function sign(
  payload: JWTPayload,
  opts: { key?: Uint8Array; alg?: string; exp?: number | null; header?: Record<string, unknown> } = {},
) {
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: opts.alg ?? 'HS256', typ: 'JWT', ...opts.header })
    .setIssuedAt()
  if (opts.exp !== null) jwt.setExpirationTime(opts.exp ?? now() + 600)
  return jwt.sign(opts.key ?? SECRET)
}
const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** Console routes of every family: who am I, tenants, inbox, bots, knowledge, rules. */
const PROBES = () => [
  ['GET', '/v1/me'],
  ['GET', '/v1/tenants'],
  ['GET', `/v1/tenants/${TENANT}`],
  ['GET', `/v1/tenants/${TENANT}/sessions`],
  ['GET', `/v1/tenants/${TENANT}/sessions/${visitorSession}`],
  ['GET', `/v1/bots/${demoBot}`],
  ['GET', `/v1/tenants/${TENANT}/knowledge/faqs`],
  ['GET', `/v1/tenants/${TENANT}/escalation-rules`],
  ['GET', `/v1/tenants/${TENANT}/members`],
  ['GET', `/v1/tenants/${TENANT}/events`],
  ['POST', `/v1/tenants/${TENANT}/sessions/${visitorSession}/messages`],
]

/** Strings of the demo tenant that a refused request must never return. */
const LEAKS = ['Ma Boutique', 'Livraison', 'livraison', 'Camille', 'agent@demo.local', 'pk_demo', 'Lina']

async function expectAllRefused(authorization: string, label: string) {
  for (const [method, path] of PROBES()) {
    const res = await t.json(method!, path!, method === 'POST' ? { content: 'forged reply' } : undefined, {
      authorization,
    })
    const body = (res.headers.get('content-type') ?? '').includes('event-stream')
      ? (await res.body?.cancel(), '<stream>')
      : await res.text()
    expect(res.status, `${label}: ${method} ${path} -> ${body.slice(0, 200)}`).toBe(401)
    for (const s of LEAKS) expect(body, `${label}: ${method} ${path} leaked ${s}`).not.toContain(s)
  }
}

describe('a valid token (control)', () => {
  it('opens every probe, so the refusals below are the token, not the routes', async () => {
    const token = await sign(claims(agentId))
    for (const [method, path] of PROBES()) {
      const res = await t.json(method!, path!, method === 'POST' ? { content: 'control reply' } : undefined, {
        authorization: `Bearer ${token}`,
      })
      if ((res.headers.get('content-type') ?? '').includes('event-stream')) await res.body?.cancel()
      expect([200, 201], `${method} ${path}`).toContain(res.status)
    }
  })
})

describe('forged and stale console tokens are 401 everywhere', () => {
  const TABLE: [string, () => Promise<string>][] = [
    [
      'alg none',
      async () =>
        new UnsecuredJWT(claims(agentId))
          .setIssuedAt()
          .setExpirationTime(now() + 600)
          .encode(),
    ],
    [
      'alg none, upper case, with a real signature appended',
      async () => {
        const real = (await sign(claims(agentId))).split('.')[2]
        return `${b64({ alg: 'NONE', typ: 'JWT' })}.${b64({ ...claims(agentId), exp: now() + 600 })}.${real}`
      },
    ],
    ['HS256 signed with the wrong key', () => sign(claims(agentId), { key: WRONG })],
    ['HS512 with the right key (algorithm not pinned)', () => sign(claims(agentId), { alg: 'HS512' })],
    ['HS384 with the right key', () => sign(claims(agentId), { alg: 'HS384' })],
    [
      'header says RS256, HMAC signature',
      async () => {
        const [, payload, sig] = (await sign(claims(agentId))).split('.')
        return `${b64({ alg: 'RS256', typ: 'JWT' })}.${payload}.${sig}`
      },
    ],
    [
      'payload swapped to the owner, signature of the agent token',
      async () => {
        const [header, , sig] = (await sign(claims(agentId))).split('.')
        return `${header}.${b64({ ...claims(ownerId), exp: now() + 600 })}.${sig}`
      },
    ],
    ['expired', () => sign(claims(agentId), { exp: now() - 120 })],
    ['not yet valid (nbf in the future)', () => sign(claims(agentId, { nbf: now() + 3600 }))],
    ['missing sub', () => sign({ role: 'authenticated', aud: 'authenticated' })],
    ['wrong aud (anon)', () => sign(claims(agentId, { aud: 'anon' }))],
    ['wrong aud (service_role)', () => sign(claims(agentId, { aud: 'service_role' }))],
    ['no aud', () => sign({ sub: agentId, role: 'authenticated' })],
    ['role service_role', () => sign(claims(agentId, { role: 'service_role' }))],
    ['role anon', () => sign(claims(agentId, { role: 'anon' }))],
    ['garbage', async () => 'abc.def.ghi'],
    ['two dots only', async () => '..'],
    ['a visitor session token', async () => visitorToken],
  ]

  it.each(TABLE)('%s', async (label, make) => {
    await expectAllRefused(`Bearer ${await make()}`, label)
  })

  // Signed with the real key, so only someone holding it could mint these; still, they must open nothing.
  it.each([
    ['empty sub', () => sign(claims('', { email: undefined }))],
    ['sub not a uuid', () => sign(claims("' or 1=1 --", { email: undefined }))],
    ['sub of nobody', () => sign(claims('00000000-0000-4000-8000-00000000dead', { email: undefined }))],
  ])('%s (signed with our key): 401 or 404, never data and never a 500', async (label, make) => {
    const authorization = `Bearer ${await make()}`
    for (const [method, path] of PROBES()) {
      const res = await t.json(method!, path!, method === 'POST' ? { content: 'forged reply' } : undefined, {
        authorization,
      })
      const body = (res.headers.get('content-type') ?? '').includes('event-stream')
        ? (await res.body?.cancel(), '<stream>')
        : await res.text()
      if (path === '/v1/me' || path === '/v1/tenants') {
        // Nothing to show: a user with no memberships.
        expect([200, 401, 404], `${label}: ${path} ${body}`).toContain(res.status)
        if (res.status === 200) expect(JSON.parse(body).memberships ?? JSON.parse(body).tenants).toEqual([])
      } else expect([401, 404], `${label}: ${method} ${path} -> ${body.slice(0, 200)}`).toContain(res.status)
      for (const s of LEAKS) expect(body, `${label}: ${method} ${path} leaked ${s}`).not.toContain(s)
    }
  })

  // A signed token without exp would never expire: exp (and sub) are required claims.
  it('a token without exp (signed with our key) is refused', async () => {
    await expectAllRefused(`Bearer ${await sign(claims(agentId), { exp: null })}`, 'no exp')
  })

  it.each([
    ['no header', ''],
    ['Basic scheme with a valid token', 'Basic '],
    ['Bearer with nothing', 'Bearer '],
    ['two bearers in one header', 'Bearer VALID, Bearer VALID'],
    ['token in a cookie-like form', 'token=VALID'],
  ])('malformed Authorization: %s', async (label, header) => {
    const valid = await sign(claims(agentId))
    const value = header === 'Basic ' ? `Basic ${valid}` : header.replaceAll('VALID', valid)
    await expectAllRefused(value, label)
  })

  it('a token in the query string is not accepted', async () => {
    const valid = await sign(claims(agentId))
    for (const q of [`access_token=${valid}`, `token=${valid}`]) {
      expect((await t.json('GET', `/v1/tenants/${TENANT}/sessions?${q}`)).status).toBe(401)
    }
  })
})

describe('valid signature, wrong person', () => {
  it('a user who is not a member of the tenant gets 404 on its routes, and /v1/me shows no membership', async () => {
    const outsider = await makeUser(t, 'outsider')
    const token = await sign(claims(outsider.id, { email: outsider.email }))
    const auth = { authorization: `Bearer ${token}` }
    for (const [method, path] of PROBES().filter(([, p]) => p!.includes(TENANT) || p!.includes(demoBot))) {
      const res = await t.json(method!, path!, method === 'POST' ? { content: 'x' } : undefined, auth)
      const body = await res.text()
      expect(res.status, `${method} ${path}: ${body}`).toBe(404)
      for (const s of LEAKS) expect(body).not.toContain(s)
    }
    const me = await ok(await t.json('GET', '/v1/me', undefined, auth))
    expect(me.memberships).toEqual([])
    expect((await ok(await t.json('GET', '/v1/tenants', undefined, auth))).tenants).toEqual([])
  })

  it('a user that does not exist in auth.users (signed by us) opens nothing', async () => {
    const token = await sign(claims(crypto.randomUUID()))
    expect(
      (await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, { authorization: `Bearer ${token}` }))
        .status,
    ).toBe(404)
  })

  it('a removed member is refused on the very next request, and a live inbox stream is revoked', async () => {
    const user = await makeUser(t, 'leaver')
    await t.deps.pool.query(
      `insert into tenant_members (tenant_id, user_id, role, display_name) values ($1, $2, 'agent', 'Leaver')`,
      [TENANT, user.id],
    )
    const { access_token } = await ok(
      await t.json('POST', '/v1/auth/login', { email: user.email, password: user.password }),
    )
    const auth = { authorization: `Bearer ${access_token}` }
    expect((await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, auth)).status).toBe(200)

    const stream = await t.json('GET', `/v1/tenants/${TENANT}/events`, undefined, auth)
    expect(stream.status).toBe(200)
    const reading = readEvents(
      stream,
      (e) => e.some((x) => x.event === 'revoked' || x.event === 'session'),
      4000,
    )
    await new Promise((r) => setTimeout(r, 50))

    await t.deps.pool.query(`delete from tenant_members where tenant_id = $1 and user_id = $2`, [
      TENANT,
      user.id,
    ])
    // Something happens in the tenant after the removal: a visitor writes.
    const v = await t.visitor()
    await ok(await v.send('REMOVED-MEMBER-MUST-NOT-SEE this'))
    const events = await reading
    expect(events.filter((e) => e.event === 'session')).toEqual([])
    expect(JSON.stringify(events)).not.toContain('REMOVED-MEMBER-MUST-NOT-SEE')

    for (const [method, path] of PROBES().filter(([, p]) => p!.includes(TENANT) || p!.includes(demoBot))) {
      const res = await t.json(method!, path!, method === 'POST' ? { content: 'x' } : undefined, auth)
      if ((res.headers.get('content-type') ?? '').includes('event-stream')) await res.body?.cancel()
      expect(res.status, `${method} ${path}`).toBe(404)
    }
  })
})

describe('tokens across the two sides', () => {
  it('a console JWT is not a visitor token on any /v1/sessions/:id route', async () => {
    const jwt = (await ok(await t.json('POST', '/v1/auth/login', OWNER))).access_token
    for (const [method, path] of [
      ['GET', `/v1/sessions/${visitorSession}`],
      ['GET', `/v1/sessions/${visitorSession}/messages`],
      ['GET', `/v1/sessions/${visitorSession}/events`],
      ['POST', `/v1/sessions/${visitorSession}/escalate`],
    ] as const) {
      const res = await t.json(method, path, undefined, { authorization: `Bearer ${jwt}` })
      expect(res.status, `${method} ${path}`).toBe(401)
      expect(await res.text()).not.toContain('livraison')
    }
  })

  it("a visitor token with one character changed, or another session's id, is 401", async () => {
    const flipped = visitorToken.slice(0, -1) + (visitorToken.endsWith('0') ? '1' : '0')
    expect(
      (
        await t.json('GET', `/v1/sessions/${visitorSession}/messages`, undefined, {
          authorization: `Bearer ${flipped}`,
        })
      ).status,
    ).toBe(401)
    expect(
      (
        await t.json('GET', `/v1/sessions/${visitorSession}/messages`, undefined, {
          authorization: `Bearer ${visitorToken.toUpperCase()}`,
        })
      ).status,
    ).toBe(200)
  })

  it('an expired visitor token is 401', async () => {
    const v = await t.visitor()
    await t.deps.pool.query(
      `update chatbot_sessions set token_expires_at = now() - interval '1 second' where id = $1`,
      [v.id],
    )
    expect((await t.json('GET', `/v1/sessions/${v.id}`, undefined, v.auth)).status).toBe(401)
  })
})
