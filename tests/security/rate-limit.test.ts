import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { Hono } from 'hono'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AppEnv, Deps } from '../../api/src/deps'
import { ApiError, errorBody } from '../../api/src/errors'
import { clientIp, type ClientIpContext } from '../../api/src/http/client-ip'
import { limitsConfigSchema } from '../../api/src/http/limits-config'
import {
  clearExpiredRateLimits,
  createLimiters,
  limitsFromConfig,
  rateLimit,
} from '../../api/src/http/rate-limit'
import type { Limiters } from '../../api/src/http/limits'
import {
  clearOldTokenUsage,
  createTokenBudget,
  tokenBudgetExceeded,
} from '../../api/src/answers/token-budget'
import { createTestDeps, TENANT } from '../helpers/app'

/** A real HTTP server around a tiny app, so the socket address clientIp reads is a real one. */
async function start(limiters: Limiters, trustedProxyHops: number) {
  const app = new Hono<AppEnv>()
  app.use(rateLimit(limiters, 'ip', (c) => clientIp(c, { trustedProxyHops })))
  app.get('/whoami', (c) => c.json({ ip: clientIp(c, { trustedProxyHops }) }))
  // The same rendering as app.ts's onError for ApiError.
  app.onError((err, c) => {
    if (err instanceof ApiError) return c.json(errorBody(err.code, err.message), err.status, err.headers)
    return c.json(errorBody('internal', String(err)), 500)
  })
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
  })
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    get: (headers: Record<string, string> = {}) => fetch(`${base}/whoami`, { headers }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const memoryLimiters = (points = 3) =>
  createLimiters({
    store: 'memory',
    limits: { ...limitsFromConfig(limitsConfigSchema.parse({})), ip: { points, duration: 60 } },
  })

describe('per-IP rate limit over real HTTP', () => {
  const servers: { close(): Promise<void> }[] = []
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()))
  })

  it('answers 429 with Retry-After and the contract body after N requests', async () => {
    const server = await start(memoryLimiters(3), 0)
    servers.push(server)
    for (let i = 0; i < 3; i++) {
      const res = await server.get()
      expect(res.status).toBe(200)
      expect((await res.json()).ip).toBe('127.0.0.1')
      expect(res.headers.get('RateLimit-Limit')).toBe('3')
      expect(res.headers.get('RateLimit-Remaining')).toBe(String(2 - i))
      expect(Number(res.headers.get('RateLimit-Reset'))).toBeGreaterThanOrEqual(1)
    }
    const res = await server.get()
    expect(res.status).toBe(429)
    const retryAfter = res.headers.get('Retry-After')!
    expect(retryAfter).toMatch(/^\d+$/)
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
    expect(Number(retryAfter)).toBeLessThanOrEqual(60)
    expect(res.headers.get('RateLimit-Remaining')).toBe('0')
    const body = await res.json()
    expect(body).toEqual({ error: { code: 'rate_limited', message: expect.stringContaining('Try again') } })
  })

  it('does not let a client evade by rotating X-Forwarded-For when no proxy is trusted', async () => {
    const server = await start(memoryLimiters(3), 0)
    servers.push(server)
    const statuses: number[] = []
    for (let i = 0; i < 6; i++) {
      const res = await server.get({ 'X-Forwarded-For': `198.51.100.${i}, 203.0.113.${i}` })
      if (i === 0) expect((await res.clone().json()).ip).toBe('127.0.0.1')
      statuses.push(res.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429])
  })

  it('with one trusted hop uses the rightmost X-Forwarded-For entry and ignores spoofed ones left of it', async () => {
    const server = await start(memoryLimiters(3), 1)
    servers.push(server)
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      // The client wrote "10.0.0.i" itself; our proxy appended the address it saw, 203.0.113.7.
      const res = await server.get({ 'X-Forwarded-For': `10.0.0.${i}, 203.0.113.7` })
      if (i === 0) expect((await res.clone().json()).ip).toBe('203.0.113.7')
      statuses.push(res.status)
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429])
    // A different client behind the same proxy has its own bucket: the rightmost entry really is the key.
    const other = await server.get({ 'X-Forwarded-For': '10.0.0.1, 203.0.113.8' })
    expect(other.status).toBe(200)
    expect((await other.json()).ip).toBe('203.0.113.8')
  })

  it('keeps the most restrictive RateLimit-* headers when several limiters apply', async () => {
    const limiters = createLimiters({
      store: 'memory',
      limits: { ip: { points: 100, duration: 60 }, session: { points: 2, duration: 60 } },
    })
    const app = new Hono<AppEnv>()
    app.use(rateLimit(limiters, 'ip', () => 'a'))
    // The function form, as module-level routers use it: (c) => c.var.deps.limiters.
    app.use(
      rateLimit(
        () => limiters,
        'session',
        (c) => c.req.header('x-session') ?? null,
      ),
    )
    app.get('/', (c) => c.text('ok'))
    const withSession = await app.request('/', { headers: { 'x-session': 's1' } })
    expect(withSession.headers.get('RateLimit-Limit')).toBe('2')
    expect(withSession.headers.get('RateLimit-Remaining')).toBe('1')
    // No session: that limiter is skipped, the IP one reports.
    const without = await app.request('/')
    expect(without.headers.get('RateLimit-Limit')).toBe('100')
  })
})

describe('database outage', () => {
  it('falls back to counting in this process instead of failing requests', async () => {
    // Nothing listens on port 1: every query fails fast, as in an outage.
    const pool = new pg.Pool({
      connectionString: 'postgres://parley@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    })
    const limiters = createLimiters({
      store: 'postgres',
      pool,
      limits: { ip: { points: 2, duration: 60 } },
      cleanupEveryMs: 0,
    })
    try {
      expect((await limiters.consume('ip', '192.0.2.9')).remaining).toBe(1)
      expect((await limiters.consume('ip', '192.0.2.9')).remaining).toBe(0)
      await expect(limiters.consume('ip', '192.0.2.9')).rejects.toMatchObject({
        status: 429,
        code: 'rate_limited',
      })
    } finally {
      await pool.end()
    }
  })
})

describe('clientIp', () => {
  const ctx = (remoteAddress: string | undefined, xff?: string): ClientIpContext => ({
    env: { incoming: { socket: { remoteAddress } } },
    req: { header: (name: string) => (name.toLowerCase() === 'x-forwarded-for' ? xff : undefined) },
  })
  const ip = (remote: string | undefined, xff?: string, trustedProxyHops = 0) =>
    clientIp(ctx(remote, xff), { trustedProxyHops })

  it('puts IPv6 clients of one /64 in one bucket, and other /64s in others', () => {
    const a = ip('2001:db8:1:2::1')
    expect(a).toBe('2001:db8:1:2::/64')
    expect(ip('2001:db8:1:2:ffff:eeee:dddd:cccc')).toBe(a)
    expect(ip('2001:0DB8:0001:0002:0000:0000:0000:0042')).toBe(a)
    expect(ip('2001:db8:1:3::1')).not.toBe(a)
    // Through a trusted proxy too, brackets and port included.
    expect(ip('10.0.0.2', '[2001:db8:1:2::99]:443', 1)).toBe(a)
  })

  it('normalises IPv4-mapped IPv6 and strips ports', () => {
    expect(ip('::ffff:1.2.3.4')).toBe('1.2.3.4')
    expect(ip('10.0.0.2', '198.51.100.1, ::ffff:203.0.113.9', 1)).toBe('203.0.113.9')
    expect(ip('10.0.0.2', '203.0.113.9:51234', 1)).toBe('203.0.113.9')
  })

  it('counts hops from the right and ignores the header without trusted hops', () => {
    const xff = '1.1.1.1, 2.2.2.2, 3.3.3.3'
    expect(ip('10.0.0.2', xff, 0)).toBe('10.0.0.2')
    expect(ip('10.0.0.2', xff, 1)).toBe('3.3.3.3')
    expect(ip('10.0.0.2', xff, 2)).toBe('2.2.2.2')
    // Fewer entries than hops: the leftmost is as far as our proxies vouch.
    expect(ip('10.0.0.2', '3.3.3.3', 2)).toBe('3.3.3.3')
    // No header, or garbage where our proxy should have written an address: the peer.
    expect(ip('10.0.0.2', undefined, 1)).toBe('10.0.0.2')
    expect(ip('10.0.0.2', '1.1.1.1, not-an-ip', 1)).toBe('10.0.0.2')
    expect(ip(undefined)).toBe('unknown')
  })
})

describe('postgres store', () => {
  let deps: Deps
  beforeAll(async () => {
    deps = await createTestDeps()
  })
  afterAll(async () => {
    await deps.bus.close()
    await deps.db.close()
  })

  it('shares counts between two limiter sets over one database (two API processes)', async () => {
    const limits = { ip: { points: 3, duration: 60 }, session: { points: 3, duration: 60 } }
    const a = createLimiters({ store: 'postgres', pool: deps.pool, limits, cleanupEveryMs: 0 })
    const b = createLimiters({ store: 'postgres', pool: deps.pool, limits, cleanupEveryMs: 0 })
    await a.consume('ip', '192.0.2.1')
    await b.consume('ip', '192.0.2.1')
    const third = await a.consume('ip', '192.0.2.1')
    expect(third.remaining).toBe(0)
    // b has never seen the key over the limit in its own memory: only the database knows.
    const over = await b.consume('ip', '192.0.2.1').catch((e) => e)
    expect(over).toBeInstanceOf(ApiError)
    expect(over.status).toBe(429)
    expect(over.code).toBe('rate_limited')
    expect(Number(over.headers['Retry-After'])).toBeGreaterThanOrEqual(1)
    // Same key, another limiter: its own count.
    expect((await b.consume('session', '192.0.2.1')).remaining).toBe(2)
    const { rows } = await deps.pool.query(`select key, points from app_private.rate_limits order by key`)
    expect(rows).toEqual([
      { key: 'ip:192.0.2.1', points: 4 },
      { key: 'session:192.0.2.1', points: 1 },
    ])
    // reset forgets the key in the database, so a process that never blocked it in memory counts anew.
    await b.reset('ip', '192.0.2.1')
    expect((await b.consume('ip', '192.0.2.1')).remaining).toBe(2)
  })

  it('stores long keys hashed and deletes expired rows', async () => {
    const limiters = createLimiters({
      store: 'postgres',
      pool: deps.pool,
      limits: { login: { points: 10, duration: 1 } },
      cleanupEveryMs: 0,
    })
    await limiters.consume('login', `203.0.113.1|${'x'.repeat(300)}@example.com`)
    const { rows } = await deps.pool.query(`select key from app_private.rate_limits where key like 'login:%'`)
    expect(rows).toHaveLength(1)
    expect(rows[0].key).toMatch(/^login:sha256:[A-Za-z0-9_-]{43}$/)
    expect(await clearExpiredRateLimits(deps.pool, Date.now() + 5000)).toBeGreaterThanOrEqual(1)
    const left = await deps.pool.query(
      `select count(*)::int as n from app_private.rate_limits where key like 'login:%'`,
    )
    expect(left.rows[0].n).toBe(0)
  })

  it('keeps the tables out of reach of the authenticated role', async () => {
    const { rows } = await deps.pool.query(
      `select c.relname, c.relrowsecurity, has_table_privilege('authenticated', c.oid, 'select') as readable
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'app_private' and c.relname in ('rate_limits', 'llm_token_usage') order by c.relname`,
    )
    expect(rows).toEqual([
      { relname: 'llm_token_usage', relrowsecurity: true, readable: false },
      { relname: 'rate_limits', relrowsecurity: true, readable: false },
    ])
  })

  it('token budget refuses after the daily budget and starts over the next UTC day', async () => {
    let clock = new Date('2026-11-23T23:59:00Z')
    const a = createTokenBudget({ store: 'postgres', pool: deps.pool, dailyTokens: 1000, now: () => clock })
    const b = createTokenBudget({ store: 'postgres', pool: deps.pool, dailyTokens: 1000, now: () => clock })
    expect(await a.check(TENANT)).toEqual({
      allowed: true,
      remaining: 1000,
      resets_at: '2026-11-24T00:00:00.000Z',
    })
    await a.spend(TENANT, 600)
    expect((await b.check(TENANT)).remaining).toBe(400)
    const spent = await b.spend(TENANT, 450)
    expect(spent).toMatchObject({ allowed: false, remaining: 0 })
    expect(await a.check(TENANT)).toMatchObject({ allowed: false, remaining: 0 })
    const err = tokenBudgetExceeded(spent, clock)
    expect(err.status).toBe(429)
    expect(err.headers['Retry-After']).toBe('60')

    clock = new Date('2026-11-24T00:00:01Z')
    expect(await a.check(TENANT)).toEqual({
      allowed: true,
      remaining: 1000,
      resets_at: '2026-11-25T00:00:00.000Z',
    })
    // Negative or broken usage reports never lower the total.
    expect((await a.spend(TENANT, -50)).remaining).toBe(1000)
    expect((await a.spend(TENANT, Number.NaN)).remaining).toBe(1000)

    const { rows } = await deps.pool.query(
      `select day::text, tokens from app_private.llm_token_usage order by day`,
    )
    expect(rows).toEqual([
      { day: '2026-11-23', tokens: 1050 },
      { day: '2026-11-24', tokens: 0 },
    ])
    expect(await clearOldTokenUsage(deps.pool, 0, clock)).toBe(1)
  })
})

describe('token budget in memory', () => {
  it('refuses after the budget, resets on a new day, and 0 means unlimited', async () => {
    let clock = new Date('2026-03-01T12:00:00Z')
    const budget = createTokenBudget({ store: 'memory', dailyTokens: 100, now: () => clock })
    expect((await budget.spend('t1', 99)).allowed).toBe(true)
    expect(await budget.spend('t1', 1)).toEqual({
      allowed: false,
      remaining: 0,
      resets_at: '2026-03-02T00:00:00.000Z',
    })
    expect((await budget.check('t2')).remaining).toBe(100)
    clock = new Date('2026-03-02T00:00:00Z')
    expect((await budget.check('t1')).allowed).toBe(true)

    const unlimited = createTokenBudget({ store: 'memory', dailyTokens: 0, now: () => clock })
    expect(await unlimited.spend('t1', 10_000_000)).toMatchObject({ allowed: true, remaining: null })
  })
})
