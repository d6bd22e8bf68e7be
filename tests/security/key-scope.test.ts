import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withMemberTx } from '../../api/src/db/tx'
import { createTestApp, OWNER, TENANT, type TestApp } from '../helpers/app'

/**
 * Class: an API key reaches beyond its tenant. Its claims carry its creator's sub, so anything that
 * read "the member's tenants" gave a key the creator's other tenants. A key acts for its own tenant
 * only, on every route, whatever its scope, and in the database's policies too.
 */

let t: TestApp
let owner: Record<string, string>
let other: { id: string; bot: string }
const keys: Record<string, { id: string; auth: Record<string, string> }> = {}

beforeAll(async () => {
  t = await createTestApp()
  owner = await t.login(OWNER)
  // The demo owner also owns a second tenant, with a bot.
  const res = await t.json('POST', '/v1/tenants', { name: 'Owner second shop', slug: 'second-shop' }, owner)
  expect(res.status).toBe(201)
  const id = ((await res.json()) as any).tenant.id as string
  const bot = await t.json('POST', `/v1/tenants/${id}/bots`, { name: 'Second bot' }, owner)
  other = { id, bot: ((await bot.json()) as any).bot.id }
  for (const scope of ['read', 'write', 'admin']) {
    const k = await t.json('POST', `/v1/tenants/${TENANT}/api-keys`, { name: scope, scopes: [scope] }, owner)
    const body = (await k.json()) as any
    keys[scope] = { id: body.api_key.id, auth: { authorization: `Bearer ${body.secret}` } }
  }
})
afterAll(() => t.close())

const SCOPES = ['read', 'write', 'admin'] as const

// [method, path, body?] of the creator's other tenant: each must be refused to a key of TENANT.
const CROSS: [string, () => string, unknown?][] = [
  ['GET', () => `/v1/tenants/${other.id}`],
  ['PATCH', () => `/v1/tenants/${other.id}`, { name: 'pwned' }],
  ['GET', () => `/v1/tenants/${other.id}/members`],
  ['GET', () => `/v1/tenants/${other.id}/bots`],
  ['POST', () => `/v1/tenants/${other.id}/bots`, { name: 'pwned' }],
  ['GET', () => `/v1/bots/${other.bot}`],
  ['GET', () => `/v1/bots/${other.bot}/widget`],
  ['PATCH', () => `/v1/bots/${other.bot}`, { name: 'pwned' }],
  ['GET', () => `/v1/tenants/${other.id}/sessions`],
  ['GET', () => `/v1/tenants/${other.id}/escalation-rules`],
  ['GET', () => `/v1/tenants/${other.id}/knowledge/faqs`],
  ['GET', () => `/v1/tenants/${other.id}/events`],
  ['PATCH', () => `/v1/tenants/${other.id}/members/me`, { availability: 'away' }],
]

describe.each(SCOPES)('a %s-scope key', (scope) => {
  it('lists only its own tenant on GET /v1/tenants', async () => {
    const res = await t.json('GET', '/v1/tenants', undefined, keys[scope].auth)
    expect(res.status).toBe(200)
    const ids = ((await res.json()) as any).tenants.map((x: any) => x.id)
    expect(ids).toEqual([TENANT])
  })

  it('shows only itself on GET /v1/me', async () => {
    const res = await t.json('GET', '/v1/me', undefined, keys[scope].auth)
    expect(res.status).toBe(200)
    const body = (await res.json()) as any
    expect(body.memberships.map((m: any) => m.tenant_id)).toEqual([TENANT])
    expect(JSON.stringify(body)).not.toContain(other.id)
    expect(JSON.stringify(body)).not.toContain(OWNER.email)
  })

  it('cannot create a tenant', async () => {
    const res = await t.json(
      'POST',
      '/v1/tenants',
      { name: 'By key', slug: `by-key-${scope}` },
      keys[scope].auth,
    )
    expect([403]).toContain(res.status)
    const n = await t.deps.pool.query(`select count(*)::int as n from tenants where slug = $1`, [
      `by-key-${scope}`,
    ])
    expect(n.rows[0].n).toBe(0)
  })

  it.each(CROSS)('%s %s of the creator’s other tenant is refused', async (method, path, body) => {
    const res = await t.json(method, path(), body, keys[scope].auth)
    expect([403, 404], `${method} ${path()} -> ${res.status}`).toContain(res.status)
    if (res.headers.get('content-type')?.includes('event-stream')) await res.body?.cancel()
  })

  it('the database alone keeps it to its tenant (policies and helpers)', async () => {
    const claims = {
      sub: (await t.deps.pool.query(`select id from auth.users where email = $1`, [OWNER.email])).rows[0].id,
      role: 'authenticated' as const,
      api_key: {
        id: keys[scope].id,
        tenant_id: TENANT,
        role: scope === 'admin' ? 'admin' : 'agent',
        read_only: scope === 'read',
      },
    }
    const seen = await withMemberTx(t.deps.pool, claims, async (db) => ({
      tenants: (await db.query('select id from tenants')).rows.map((r) => r.id),
      member: (await db.query('select public.is_tenant_member($1) as ok', [other.id])).rows[0].ok,
      owner: (await db.query(`select public.has_tenant_role($1, array['owner']) as ok`, [other.id])).rows[0]
        .ok,
    }))
    expect(seen).toEqual({ tenants: [TENANT], member: false, owner: false })
    await expect(
      withMemberTx(t.deps.pool, claims, (db) =>
        db.query(`insert into tenants (name, slug) values ('x', 'x-by-key')`),
      ),
    ).rejects.toThrow()
  })
})

it('a signed-in member still sees all of their tenants', async () => {
  const res = await t.json('GET', '/v1/tenants', undefined, owner)
  const ids = ((await res.json()) as any).tenants.map((x: any) => x.id)
  expect(ids).toEqual(expect.arrayContaining([TENANT, other.id]))
})
