import { SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, OWNER, readEvents, TENANT, type TestApp } from '../helpers/app'
import { makeUser } from './tenants'

/**
 * Classes: a live stream outlives its credential (revoked key, removed member, expired token or
 * session), and one client opens streams without limit. Every open stream is cut once its credential
 * stops being valid (on a timer, and at once on a revocation); streams are capped per session or
 * principal, per IP and per process, with an idle expiry; over a cap: 429 stream_limit.
 */

let t: TestApp
let owner: Record<string, string>
beforeAll(async () => {
  t = await createTestApp({
    STREAM_RECHECK_MS: '300',
    STREAMS_PER_SESSION: '3',
    STREAMS_PER_IP: '5',
    STREAMS_MAX: '8',
    TRUSTED_PROXY_HOPS: '1',
  })
  owner = await t.login(OWNER)
})
afterAll(() => t.close())

const open = (path: string, headers: Record<string, string>) => t.app.request(path, { headers })
const endsWith = (event: string) => (e: { event: string }[]) => e.some((x) => x.event === event)

async function tenantStream(headers: Record<string, string>) {
  const res = await open(`/v1/tenants/${TENANT}/events`, headers)
  expect(res.status).toBe(200)
  return res
}

async function secretKey(scopes: string[]) {
  const res = await t.json('POST', `/v1/tenants/${TENANT}/api-keys`, { name: 'stream', scopes }, owner)
  const body = (await res.json()) as any
  return { id: body.api_key.id as string, auth: { authorization: `Bearer ${body.secret}` } }
}

async function memberToken() {
  const u = await makeUser(t, 'streamer')
  await t.deps.pool.query(`insert into tenant_members (tenant_id, user_id, role) values ($1, $2, 'agent')`, [
    TENANT,
    u.id,
  ])
  const res = await t.json('POST', '/v1/auth/login', { email: u.email, password: u.password })
  return { id: u.id, auth: { authorization: `Bearer ${((await res.json()) as any).access_token}` } }
}

// [credential, how it stops being valid, within how long the stream must end]
const REVOCATIONS: [string, () => Promise<{ auth: Record<string, string>; revoke: () => Promise<void> }>][] =
  [
    [
      'secret key revoked through the API (cut at once)',
      async () => {
        const k = await secretKey(['read'])
        return {
          auth: k.auth,
          revoke: async () => {
            const res = await t.json('DELETE', `/v1/tenants/${TENANT}/api-keys/${k.id}`, undefined, owner)
            expect(res.status).toBe(204)
          },
        }
      },
    ],
    [
      'secret key revoked behind the API (another process): cut at the next check',
      async () => {
        const k = await secretKey(['admin'])
        return {
          auth: k.auth,
          revoke: async () => {
            await t.deps.pool.query('update api_keys set revoked_at = now() where id = $1', [k.id])
          },
        }
      },
    ],
    [
      'member removed',
      async () => {
        const m = await memberToken()
        return {
          auth: m.auth,
          revoke: async () => {
            await t.deps.pool.query('delete from tenant_members where tenant_id = $1 and user_id = $2', [
              TENANT,
              m.id,
            ])
          },
        }
      },
    ],
    [
      'console token expires',
      async () => {
        const { rows } = await t.deps.pool.query(`select id, email from auth.users where email = $1`, [
          OWNER.email,
        ])
        const token = await new SignJWT({ role: 'authenticated', email: rows[0].email })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(rows[0].id)
          .setAudience('authenticated')
          .setIssuedAt()
          .setExpirationTime(Math.floor(Date.now() / 1000) + 2)
          .sign(t.deps.jwtSecret)
        return { auth: { authorization: `Bearer ${token}` }, revoke: async () => {} }
      },
    ],
  ]

describe('streams end with their credential', () => {
  it.each(REVOCATIONS)('%s', async (_, setup) => {
    const { auth, revoke } = await setup()
    const res = await tenantStream(auth)
    const reading = readEvents(res, endsWith('revoked'), 4000)
    await new Promise((r) => setTimeout(r, 100))
    await revoke()
    const events = await reading
    expect(events.at(-1)?.event).toBe('revoked')
  })

  it('a visitor stream ends when its session token expires', async () => {
    const v = await t.visitor()
    const res = await open(`/v1/sessions/${v.id}/events`, v.auth)
    expect(res.status).toBe(200)
    const reading = readEvents(res, endsWith('revoked'), 3000)
    await t.deps.pool.query(
      `update chatbot_sessions set token_expires_at = now() - interval '1 second' where id = $1`,
      [v.id],
    )
    expect((await reading).at(-1)).toMatchObject({ event: 'revoked', data: { reason: 'credential_revoked' } })
  })

  it('an unrevoked stream stays open across checks', async () => {
    const k = await secretKey(['read'])
    const res = await tenantStream(k.auth)
    const events = await readEvents(res, endsWith('revoked'), 1000)
    expect(events.some((e) => e.event === 'revoked')).toBe(false)
  })
})

describe('stream caps', () => {
  const xff = (ip: string) => ({ 'x-forwarded-for': ip })

  it('per session, per IP and per process, with 429 stream_limit', async () => {
    const v = await t.visitor()
    const opened: Response[] = []
    const try1 = async (headers: Record<string, string>, id = v.id) => {
      const res = await open(`/v1/sessions/${id}/events`, headers)
      if (res.status === 200) opened.push(res)
      return res
    }
    // Per session: 3 (from several addresses).
    for (let i = 0; i < 3; i++)
      expect((await try1({ ...v.auth, ...xff(`192.0.2.${i + 1}`) })).status).toBe(200)
    const over = await try1({ ...v.auth, ...xff('192.0.2.9') })
    expect(over.status).toBe(429)
    expect(((await over.json()) as any).error.code).toBe('stream_limit')
    // Per IP: 5, across sessions.
    const sameIp = xff('203.0.113.7')
    const others = await Promise.all(Array.from({ length: 3 }, () => t.visitor()))
    let refused = 0
    for (const o of others)
      for (let i = 0; i < 2; i++) if ((await try1({ ...o.auth, ...sameIp }, o.id)).status === 429) refused++
    expect(refused).toBe(1) // 6 asked, 5 allowed
    // Per process: 8 in all (3 + 5 open now).
    const last = await t.visitor()
    const full = await try1({ ...last.auth, ...xff('198.51.100.1') }, last.id)
    expect(full.status).toBe(429)
    // Closing one frees a slot.
    await opened.pop()!.body!.cancel()
    await new Promise((r) => setTimeout(r, 100))
    expect((await try1({ ...last.auth, ...xff('198.51.100.1') }, last.id)).status).toBe(200)
    for (const r of opened) await r.body?.cancel()
    await new Promise((r) => setTimeout(r, 100))
    expect(t.deps.streams.size).toBe(0)
  })

  it('a console principal has its own cap, whatever its address', async () => {
    const k = await secretKey(['read'])
    const opened: Response[] = []
    for (let i = 0; i < 3; i++) opened.push(await tenantStream({ ...k.auth, ...xff(`192.0.2.${50 + i}`) }))
    const over = await open(`/v1/tenants/${TENANT}/events`, k.auth)
    expect(over.status).toBe(429)
    for (const r of opened) await r.body?.cancel()
  })

  it('an idle stream expires', async () => {
    const idle = await createTestApp({ STREAM_IDLE_MS: '1000' })
    try {
      const v = await idle.visitor()
      const res = await idle.app.request(`/v1/sessions/${v.id}/events`, { headers: v.auth })
      const events = await readEvents(res, endsWith('bye'), 4000)
      expect(events.at(-1)).toMatchObject({ event: 'bye', data: { reason: 'idle' } })
    } finally {
      await idle.close()
    }
  })
})
