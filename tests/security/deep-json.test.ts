import { afterAll, beforeAll, expect, it } from 'vitest'
import { withTx } from '../../api/src/db/tx'
import { createTestApp, OWNER, TENANT, type TestApp } from '../helpers/app'

/**
 * Class: a deeply nested or huge JSON value reaches the driver, overflows its stack mid-message, and
 * the shared embedded connection is left in an aborted transaction, so the next request of anyone
 * fails. Bodies are bounded (depth and number of values) before any schema or query; and a failed
 * query never poisons the next one (the transaction helper always rolls back, or discards the
 * connection).
 */
let t: TestApp
let owner: Record<string, string>
beforeAll(async () => {
  t = await createTestApp()
  owner = await t.login(OWNER)
})
afterAll(() => t.close())

const nest = (n: number, leaf = '1') => '{"a":'.repeat(n) + leaf + '}'.repeat(n)
const nestArr = (n: number) => '['.repeat(n) + ']'.repeat(n)

// [label, method, path, raw body, auth?, expected code]
const TABLE: [string, string, () => string, string, boolean, string][] = [
  [
    'settings 10,000 deep',
    'PATCH',
    () => `/v1/tenants/${TENANT}`,
    `{"settings":{"business_hours":${nest(10_000)}}}`,
    true,
    'json_too_deep',
  ],
  [
    'settings 33 deep',
    'PATCH',
    () => `/v1/tenants/${TENANT}`,
    `{"settings":{"business_hours":${nest(31)}}}`,
    true,
    'json_too_deep',
  ],
  [
    'arrays 20,000 deep',
    'PATCH',
    () => `/v1/tenants/${TENANT}`,
    `{"settings":${nestArr(20_000)}}`,
    true,
    'json_too_deep',
  ],
  [
    'context 10,000 deep',
    'POST',
    () => '/v1/sessions',
    `{"key":"pk_demo","context":{"x":${nest(10_000)}}}`,
    false,
    'json_too_deep',
  ],
  [
    'rule conditions 5,000 deep',
    'POST',
    () => `/v1/tenants/${TENANT}/escalation-rules`,
    `{"name":"r","trigger_conditions":${nest(5000)}}`,
    true,
    'json_too_deep',
  ],
  [
    '30,000 values',
    'PATCH',
    () => `/v1/tenants/${TENANT}`,
    `{"settings":{"business_hours":{"x":[${Array(30_000).fill('0').join(',')}]}}}`,
    true,
    'json_too_large',
  ],
]

it.each(TABLE)(
  '%s -> 400 %s, and the next request of anyone still works',
  async (_, method, path, body, auth, code) => {
    const res = await t.app.request(path(), {
      method,
      headers: { 'content-type': 'application/json', ...(auth ? owner : {}) },
      body,
    })
    const text = await res.text()
    expect(res.status, text.slice(0, 200)).toBe(code === 'json_too_large' && body.length > 65536 ? 413 : 400)
    if (res.status === 400) expect(JSON.parse(text).error.code).toBe(code)
    expect((await t.json('GET', `/v1/tenants/${TENANT}`, undefined, owner)).status).toBe(200)
    expect((await t.json('POST', '/v1/sessions', { key: 'pk_demo' })).status).toBe(201)
  },
)

it('a nesting the product uses is accepted', async () => {
  const res = await t.json(
    'POST',
    `/v1/tenants/${TENANT}/escalation-rules`,
    { name: 'nested', trigger_conditions: { all: [{ any: [{ all: [{ type: 'human_requested' }] }] }] } },
    owner,
  )
  expect(res.status).toBe(201)
})

// Failures inside a transaction that must never leave the connection unusable for the next caller.
const POISONS: [string, (db: import('pg').PoolClient) => Promise<unknown>][] = [
  [
    'driver stack overflow mid-message',
    (db) => {
      let deep: Record<string, unknown> = {}
      for (let i = 0; i < 200_000; i++) deep = { a: deep }
      return db.query('select $1::jsonb', [deep])
    },
  ],
  ['SQL error', (db) => db.query('select 1/0')],
  [
    'thrown after a write',
    async (db) => {
      await db.query(`update tenants set name = name where id = $1`, [TENANT])
      throw new Error('boom')
    },
  ],
  ['jsonb with NUL', (db) => db.query(`select $1::jsonb`, ['{"a":"\\u0000"}'])],
]

it.each(POISONS)('withTx after %s: the next query works', async (_, fn) => {
  await expect(withTx(t.deps.pool, fn)).rejects.toBeDefined()
  const { rows } = await t.deps.pool.query('select 1 as ok')
  expect(rows[0].ok).toBe(1)
  expect((await t.json('GET', `/v1/tenants/${TENANT}`, undefined, owner)).status).toBe(200)
})
