import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, TENANT, type TestApp } from '../helpers/app'
import { ok } from './tenants'

/**
 * Auth bypass by path spelling: upper case, percent-encoding, double and trailing slashes, dot
 * segments, query strings, odd methods. Sent over a real socket with the path exactly as written
 * (node's http client does not normalise it), so what the server's own URL handling does is tested.
 * None may reach a handler without credentials: 401/404/405 (400 for a broken encoding), never a 2xx
 * with data.
 */
let t: TestApp
let server: ServerType
let port: number
let session: string
let bot: string
let agent: Record<string, string>

beforeAll(async () => {
  t = await createTestApp()
  server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: t.app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s))
  })
  port = (server.address() as AddressInfo).port
  const v = await t.visitor()
  await ok(await v.send('Combien coûte la livraison ?'))
  session = v.id
  bot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
  agent = await t.login()
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await t.close()
})

function raw(method: string, path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method, path, headers, timeout: 3000 }, (res) => {
        const isStream = String(res.headers['content-type'] ?? '').includes('event-stream')
        let body = ''
        res.setEncoding('utf8')
        res.on('data', (c) => {
          body += c
          if (isStream) req.destroy()
        })
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
        res.on('close', () => resolve({ status: res.statusCode!, body, headers: res.headers }))
        if (isStream) setTimeout(() => req.destroy(), 200)
      })
      req.on('timeout', () => req.destroy(new Error(`timeout ${method} ${path}`)))
      req.on('error', reject)
      req.end()
    },
  )
}

/** Protected paths, one per route family. */
const PROTECTED = () => [
  `/v1/tenants/${TENANT}/sessions`,
  `/v1/tenants/${TENANT}/sessions/${session}`,
  `/v1/tenants/${TENANT}/knowledge/faqs`,
  `/v1/tenants/${TENANT}/escalation-rules`,
  `/v1/tenants/${TENANT}/webhook`,
  `/v1/tenants/${TENANT}/events`,
  `/v1/tenants/${TENANT}`,
  `/v1/tenants`,
  `/v1/bots/${bot}`,
  `/v1/bots/${bot}/widget`,
  `/v1/me`,
  `/v1/sessions/${session}/messages`,
  `/v1/sessions/${session}/events`,
]

/** Spellings of the same path. Extend when a new trick turns up. */
const VARIANTS: [string, (p: string) => string][] = [
  ['as is', (p) => p],
  ['all upper case', (p) => p.toUpperCase()],
  ['capitalised segments', (p) => p.replace(/\/([a-z])/g, (_m, c: string) => `/${c.toUpperCase()}`)],
  ['upper-case version only', (p) => p.replace('/v1/', '/V1/')],
  ['trailing slash', (p) => `${p}/`],
  ['two trailing slashes', (p) => `${p}//`],
  ['leading double slash', (p) => `/${p}`],
  ['double slash inside', (p) => p.replace('/v1/', '/v1//')],
  ['/./ segment', (p) => p.replace('/v1/', '/v1/./')],
  ['/../ segment', (p) => p.replace('/v1/', '/v1/zz/../')],
  ['%2e%2e segment', (p) => p.replace('/v1/', '/v1/zz/%2e%2e/')],
  ['%2F for the second slash', (p) => p.replace(/^(\/v1\/[^/]+)\//, '$1%2F')],
  ['%2f for every slash after /v1/', (p) => '/v1/' + p.slice(4).replaceAll('/', '%2f')],
  [
    '%74 for a letter',
    (p) =>
      p
        .replace('/v1/t', '/v1/%74')
        .replace('/v1/b', '/v1/%62')
        .replace('/v1/s', '/v1/%73')
        .replace('/v1/m', '/v1/%6d'),
  ],
  ['every letter of v1 encoded', (p) => p.replace('/v1/', '/%76%31/')],
  ['double-encoded slash', (p) => p.replace(/^(\/v1\/[^/]+)\//, '$1%252F')],
  ['backslashes', (p) => p.replaceAll('/', '\\')],
  ['semicolon parameter', (p) => p.replace('/v1/', '/v1;x=1/')],
  ['null byte', (p) => `${p}%00`],
  ['query string', (p) => `${p}?x=1`],
  ['query with a token-looking parameter', (p) => `${p}?access_token=x&authorization=Bearer%20x`],
  ['query that looks like a path', (p) => `${p}?/../healthz`],
  ['fragment-looking', (p) => `${p}%23/healthz`],
]

/** Demo-tenant data that an unauthenticated response must never carry. */
const LEAKS = [
  'Ma Boutique',
  'ma-boutique',
  'livraison',
  'Camille',
  'Alex',
  'pk_demo',
  'Lina',
  'owner@demo.local',
]

describe('control', () => {
  it('the raw client reaches the handlers: with a token, the canonical paths answer 200', async () => {
    for (const path of PROTECTED().filter(
      (p) => p.startsWith('/v1/tenants') && !p.endsWith('/webhook') && !p.endsWith('/events'),
    )) {
      const res = await raw('GET', path, agent)
      expect(res.status, `${path}: ${res.body.slice(0, 200)}`).toBe(200)
    }
  })
})

describe('no credentials, any spelling', () => {
  it.each(VARIANTS)('%s: GET, HEAD and OPTIONS never reach a handler', async (label, variant) => {
    for (const path of PROTECTED()) {
      const spelt = variant(path)
      for (const method of ['GET', 'HEAD', 'OPTIONS']) {
        const res = await raw(method, spelt)
        const where = `${label}: ${method} ${spelt} -> ${res.status} ${res.body.slice(0, 200)}`
        // A CORS preflight on the widget side is answered before any handler, with no body.
        const preflight = method === 'OPTIONS' && res.status === 204 && res.body === ''
        if (!preflight) expect([400, 401, 404, 405], where).toContain(res.status)
        for (const s of LEAKS) expect(res.body, where).not.toContain(s)
      }
    }
  })
})

describe('an agent token on owner-only routes, any spelling', () => {
  it.each(VARIANTS)('%s: the webhook and tenant settings stay closed to an agent', async (label, variant) => {
    for (const [method, path] of [
      ['GET', `/v1/tenants/${TENANT}/webhook`],
      ['HEAD', `/v1/tenants/${TENANT}/webhook`],
      ['DELETE', `/v1/bots/${bot}`],
      ['DELETE', `/v1/tenants/${TENANT}/knowledge/faqs/00000000-0000-4000-8000-000000001001`],
    ] as const) {
      const spelt = variant(path)
      const res = await raw(method, spelt, agent)
      expect(
        [400, 403, 404, 405],
        `${label}: ${method} ${spelt} -> ${res.status} ${res.body.slice(0, 200)}`,
      ).toContain(res.status)
    }
    const still = await t.deps.pool.query(
      `select (select count(*) from bots where id = $1)::int as bots, (select count(*) from knowledge_sources where id = '00000000-0000-4000-8000-000000001001')::int as faqs`,
      [bot],
    )
    expect(still.rows[0]).toEqual({ bots: 1, faqs: 1 })
  })
})

describe('static files: no way out of the console and widget folders', () => {
  const ESCAPES = [
    '/console/../package.json',
    '/console/../../package.json',
    '/console/%2e%2e/%2e%2e/package.json',
    '/console/..%2f..%2fpackage.json',
    '/console/..%252f..%252fpackage.json',
    '/console/assets/../../../package.json',
    '/console/..\\..\\package.json',
    '/console/%2e%2e%5c%2e%2e%5cpackage.json',
    '/console/....//....//package.json',
    '/console//etc/passwd',
    '/console/%00../../package.json',
    '/..%2f..%2fpackage.json',
    '/widget.js/../../package.json',
    '/..%2fpackage.js',
    '/%2e%2e/%2e%2e/api/src/config.js',
    '/console/../../api/src/config.ts',
    '/console/../../.data/jwt-secret',
  ]
  it.each(ESCAPES)('%s never serves a file from outside', async (path) => {
    const res = await raw('GET', path)
    expect(res.body).not.toMatch(/"name": "parley"|JWT_SECRET|root:x:0:0|configSchema/)
    if (res.status === 200) {
      // Only the console's own index.html (the single-page app fallback) may come back.
      expect(String(res.headers['content-type'])).toMatch(/text\/html/)
      expect(res.body).toMatch(/<!doctype html>/i)
    }
  })
})
