import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT, createTestApp, OWNER, TENANT, type TestApp } from '../helpers/app'

/** Tenant secret keys: hashed, scoped, listed by prefix, revocable, last use recorded, one tenant only. */
let t: TestApp
let owner: Record<string, string>
const OTHER = '00000000-0000-4000-8000-00000000ff0a'

async function key(scopes: string[]) {
  const res = await t.json(
    'POST',
    `/v1/tenants/${TENANT}/api-keys`,
    { name: `k-${scopes.join('-')}`, scopes },
    owner,
  )
  expect(res.status).toBe(201)
  const body = (await res.json()) as any
  return {
    id: body.api_key.id as string,
    auth: { authorization: `Bearer ${body.secret}` },
    secret: body.secret as string,
    prefix: body.api_key.prefix as string,
  }
}

beforeAll(async () => {
  t = await createTestApp()
  owner = await t.login(OWNER)
  await t.deps.pool.query(`insert into tenants (id, name, slug) values ($1, 'Other', 'other-keys')`, [OTHER])
})
afterAll(() => t.close())

describe('API keys', () => {
  it('are stored hashed, shown once, listed by prefix', async () => {
    const k = await key(['read'])
    expect(k.secret).toMatch(/^sk_/)
    const row = (await t.deps.pool.query('select key_hash, prefix from api_keys where id = $1', [k.id]))
      .rows[0]
    expect(row.key_hash).not.toContain(k.secret)
    expect(k.secret.startsWith(row.prefix)).toBe(true)
    const list = JSON.stringify(
      await (await t.json('GET', `/v1/tenants/${TENANT}/api-keys`, undefined, owner)).json(),
    )
    expect(list).toContain(k.prefix)
    expect(list).not.toContain(k.secret)
  })

  const matrix: [string[], string, string, unknown, number][] = [
    [['read'], 'GET', `/v1/tenants/${TENANT}/sessions`, undefined, 200],
    [['read'], 'POST', `/v1/tenants/${TENANT}/knowledge/faqs`, { question: 'Q?', answer: 'A.' }, 403],
    [['write'], 'GET', `/v1/tenants/${TENANT}/knowledge/faqs`, undefined, 200],
    [
      ['write'],
      'POST',
      `/v1/tenants/${TENANT}/canned-replies`,
      { shortcut: 'hi', title: 'Hi', content: 'Hello!' },
      201,
    ],
    [['write'], 'POST', `/v1/tenants/${TENANT}/knowledge/faqs`, { question: 'Q?', answer: 'A.' }, 403],
    [
      ['admin'],
      'POST',
      `/v1/tenants/${TENANT}/knowledge/faqs`,
      { question: 'Gift cards?', answer: 'Valid 1 year.' },
      201,
    ],
    [['admin'], 'GET', `/v1/tenants/${OTHER}/sessions`, undefined, 404],
    [['admin'], 'POST', `/v1/tenants/${TENANT}/api-keys`, { name: 'escalate' }, 403],
  ]
  it.each(matrix)('scope %j: %s %s -> %s', async (scopes, method, path, body, status) => {
    const k = await key(scopes)
    const res = await t.json(method, path, body, k.auth)
    expect(res.status).toBe(status)
  })

  it('revoking a key cuts access at the next request; last use is recorded', async () => {
    const k = await key(['read'])
    expect((await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, k.auth)).status).toBe(200)
    expect(
      (await t.deps.pool.query('select last_used_at from api_keys where id = $1', [k.id])).rows[0]
        .last_used_at,
    ).toBeTruthy()
    expect((await t.json('DELETE', `/v1/tenants/${TENANT}/api-keys/${k.id}`, undefined, owner)).status).toBe(
      204,
    )
    expect((await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, k.auth)).status).toBe(401)
  })

  it('agents cannot manage keys; forged and unknown keys are refused', async () => {
    const agent = await t.login(AGENT)
    expect((await t.json('POST', `/v1/tenants/${TENANT}/api-keys`, { name: 'x' }, agent)).status).toBe(403)
    for (const bad of ['sk_' + 'a'.repeat(43), 'sk_', 'sk_../../etc']) {
      expect(
        (await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, { authorization: `Bearer ${bad}` }))
          .status,
      ).toBe(401)
    }
  })
})
