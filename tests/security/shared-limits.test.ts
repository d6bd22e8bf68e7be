import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT, createTestApp, OWNER, TENANT, type TestApp } from '../helpers/app'
import { makeUser } from './tenants'

/**
 * Class: anonymous traffic spends someone else's budget. Unauthenticated requests never spend a
 * tenant's or a principal's budget; a publishable key's session budget cannot be used up from a few
 * addresses; console members and API keys are limited per principal, not per address.
 */

const LIMITS = {
  TRUSTED_PROXY_HOPS: '1',
  RATE_LIMIT_IP_PER_MIN: '5',
  RATE_LIMIT_PRINCIPAL_PER_MIN: '20',
  RATE_LIMIT_TENANT_PER_MIN: '30',
  RATE_LIMIT_KEY_IP_PER_MIN: '3',
  RATE_LIMIT_KEY_PER_MIN: '20',
}

let t: TestApp
let n = 0
/** A fresh client address for each use, so set-up traffic never spends a test's budget. */
const ip = () => `198.51.100.${++n}`
const from = (addr: string, headers: Record<string, string> = {}) => ({ 'x-forwarded-for': addr, ...headers })
let agent: Record<string, string>
let owner: Record<string, string>
let apiKey: Record<string, string>

beforeAll(async () => {
  t = await createTestApp(LIMITS)
  const login = async (who: typeof OWNER) => {
    const res = await t.json('POST', '/v1/auth/login', who, from(ip()))
    return { authorization: `Bearer ${((await res.json()) as any).access_token}` }
  }
  owner = await login(OWNER)
  agent = await login(AGENT)
  const res = await t.json(
    'POST',
    `/v1/tenants/${TENANT}/api-keys`,
    { name: 'k', scopes: ['read'] },
    from(ip(), owner),
  )
  apiKey = { authorization: `Bearer ${((await res.json()) as any).secret}` }
})
afterAll(() => t.close())

const get = (path: string, headers: Record<string, string>) => t.app.request(path, { headers })

// Every way an attacker can hit a tenant's routes without being one of its principals.
const STRANGERS: [string, () => Record<string, string>][] = [
  ['no credential', () => ({})],
  ['garbage bearer', () => ({ authorization: 'Bearer nope' })],
  ['forged JWT', () => ({ authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl' })],
  ['unknown secret key', () => ({ authorization: `Bearer sk_${'A'.repeat(43)}` })],
  ['visitor token', () => ({ authorization: `Bearer ${'ab'.repeat(32)}` })],
]

describe('unauthenticated floods', () => {
  it.each(STRANGERS)(
    '%s: 60 refused requests spend neither the tenant nor its members',
    async (_, headers) => {
      const attackers = [ip(), ip(), ip()]
      const statuses = new Set<number>()
      for (let i = 0; i < 60; i++) {
        const res = await get(`/v1/tenants/${TENANT}/sessions`, from(attackers[i % 3], headers()))
        statuses.add(res.status)
      }
      // Refused (401), then limited per attacker address (429): never served.
      expect([...statuses].every((s) => s === 401 || s === 429)).toBe(true)
      expect(statuses.has(429)).toBe(true)
      // The tenant's own agent (from another address) and its visitors are still served.
      expect((await get(`/v1/tenants/${TENANT}/sessions`, from(ip(), agent))).status).toBe(200)
      const v = await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, from(ip()))
      expect(v.status).toBe(201)
    },
  )

  it('a signed-in stranger cannot spend this tenant budget either', async () => {
    const u = await makeUser(t, 'stranger')
    const res = await t.json('POST', '/v1/auth/login', { email: u.email, password: u.password }, from(ip()))
    const stranger = { authorization: `Bearer ${((await res.json()) as any).access_token}` }
    // A signed-in non-member: its 404s are counted on that principal, never on the tenant.
    const addr = ip()
    const statuses = new Set<number>()
    for (let i = 0; i < 40; i++)
      statuses.add((await get(`/v1/tenants/${TENANT}/sessions`, from(addr, stranger))).status)
    expect([...statuses].sort()).toEqual([404, 429])
    expect((await get(`/v1/tenants/${TENANT}/sessions`, from(ip(), agent))).status).toBe(200)
  })
})

describe('publishable key', () => {
  it('a handful of addresses cannot lock out real visitors', async () => {
    const attackers = [ip(), ip(), ip()]
    let created = 0
    let limited = 0
    for (let i = 0; i < 30; i++) {
      const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, from(attackers[i % 3]))
      if (res.status === 201) created++
      else if (res.status === 429) limited++
    }
    expect(created).toBe(9) // 3 per address
    expect(limited).toBe(21)
    for (let i = 0; i < 3; i++) {
      const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, from(ip()))
      expect(res.status).toBe(201)
    }
  })

  it('still has a ceiling per key against many addresses', async () => {
    let limited = 0
    for (let i = 0; i < 25; i++) {
      const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo' }, from(ip()))
      if (res.status === 429) limited++
    }
    expect(limited).toBeGreaterThan(0)
  })
})

describe('authenticated principals', () => {
  it('an office behind one address is limited per principal, not per address', async () => {
    const office = ip()
    // 6 requests each from three principals: 18 from one address, over three times its anonymous limit.
    for (let i = 0; i < 6; i++) {
      for (const who of [agent, owner, apiKey]) {
        const res = await get(`/v1/tenants/${TENANT}/sessions`, from(office, who))
        expect(res.status, `request ${i} ${await res.clone().text()}`).toBe(200)
      }
    }
    // Anonymous traffic from that address is still counted per address.
    const anon = await get('/v1/widget/config?key=pk_demo', from(office))
    expect(anon.status).toBe(200)
  })

  it('one principal over its own limit does not block the others', async () => {
    const addr = ip()
    let limited = 0
    for (let i = 0; i < 25; i++) if ((await get('/v1/me', from(addr, agent))).status === 429) limited++
    expect(limited).toBeGreaterThan(0)
    expect((await get('/v1/me', from(addr, apiKey))).status).toBe(200)
  })

  it('failed credentials are limited per address', async () => {
    const addr = ip()
    const statuses: number[] = []
    for (let i = 0; i < 8; i++)
      statuses.push(
        (await get('/v1/me', from(addr, { authorization: `Bearer sk_${'B'.repeat(43)}` }))).status,
      )
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401])
    expect(statuses.slice(5)).toEqual([429, 429, 429])
  })
})
