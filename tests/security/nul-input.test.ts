import { afterAll, beforeAll, expect, it } from 'vitest'
import { createTestApp, OWNER, TENANT, type TestApp } from '../helpers/app'

/**
 * Class: strings Postgres cannot store (NUL) or that are not Unicode (lone surrogates) reach a query
 * and answer 500. Every JSON body and query string passes one check: 400 naming the field.
 */
let t: TestApp
let owner: Record<string, string>
let visitor: Awaited<ReturnType<TestApp['visitor']>>
let bot: string
beforeAll(async () => {
  t = await createTestApp()
  owner = await t.login(OWNER)
  visitor = await t.visitor()
  bot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
})
afterAll(() => t.close())

const BAD: [string, string][] = [
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', 'a\uD800b'],
  ['lone low surrogate', '\uDC00'],
]

// [label, method, path, body builder, auth, field named in the message]
type Case = [string, string, () => string, (bad: string) => unknown, () => Record<string, string>, RegExp]
const CASES: Case[] = [
  [
    'session context value',
    'POST',
    () => '/v1/sessions',
    (x) => ({ key: 'pk_demo', context: { plan: x } }),
    () => ({}),
    /context\.plan/,
  ],
  [
    'session context key',
    'POST',
    () => '/v1/sessions',
    (x) => ({ key: 'pk_demo', context: { [x]: 1 } }),
    () => ({}),
    /context/,
  ],
  [
    'identity name',
    'POST',
    () => '/v1/sessions',
    (x) => ({ key: 'pk_demo', identity: { user_id: 'u1', name: x } }),
    () => ({}),
    /identity\.name/,
  ],
  ['publishable key in body', 'POST', () => '/v1/sessions', (x) => ({ key: x }), () => ({}), /key/],
  [
    'message content',
    'POST',
    () => `/v1/sessions/${visitor.id}/messages`,
    (x) => ({ content: x, client_message_id: 'n1' }),
    () => visitor.auth,
    /content/,
  ],
  [
    'contact name',
    'POST',
    () => `/v1/sessions/${visitor.id}/contact`,
    (x) => ({ email: 'a@b.test', name: x }),
    () => visitor.auth,
    /name/,
  ],
  [
    'escalate reason',
    'POST',
    () => `/v1/sessions/${visitor.id}/escalate`,
    (x) => ({ reason: x }),
    () => visitor.auth,
    /reason/,
  ],
  [
    'rule keyword',
    'POST',
    () => `/v1/tenants/${TENANT}/escalation-rules`,
    (x) => ({ name: 'r', trigger_keywords: [x] }),
    () => owner,
    /trigger_keywords\[0\]/,
  ],
  [
    'rule condition value',
    'POST',
    () => `/v1/tenants/${TENANT}/escalation-rules`,
    (x) => ({
      name: 'r',
      trigger_conditions: { all: [{ type: 'attribute', key: 'plan', op: 'eq', value: x }] },
    }),
    () => owner,
    /trigger_conditions\.all\[0\]\.value/,
  ],
  [
    'tenant settings',
    'PATCH',
    () => `/v1/tenants/${TENANT}`,
    (x) => ({ settings: { timezone: x } }),
    () => owner,
    /settings\.timezone/,
  ],
  [
    'tenant settings nested',
    'PATCH',
    () => `/v1/tenants/${TENANT}`,
    (x) => ({ settings: { business_hours: { note: x } } }),
    () => owner,
    /settings\.business_hours\.note/,
  ],
  [
    'webhook URL',
    'PUT',
    () => `/v1/tenants/${TENANT}/webhook`,
    (x) => ({ url: `https://example.com/${x}`, events: ['escalation.created'], is_active: true }),
    () => owner,
    /url/,
  ],
  [
    'widget greeting',
    'PATCH',
    () => `/v1/bots/${bot}/widget`,
    (x) => ({ greeting: x }),
    () => owner,
    /greeting/,
  ],
  [
    'faq answer',
    'POST',
    () => `/v1/tenants/${TENANT}/knowledge/faqs`,
    (x) => ({ question: 'q', answer: x, language: 'en' }),
    () => owner,
    /answer/,
  ],
  [
    'canned reply',
    'POST',
    () => `/v1/tenants/${TENANT}/canned-replies`,
    (x) => ({ shortcut: 'nul', title: 't', content: x }),
    () => owner,
    /content/,
  ],
]

for (const [badLabel, bad] of BAD) {
  it.each(CASES)(`${badLabel}: %s -> 400 naming the field`, async (_, method, path, body, auth, field) => {
    const res = await t.json(method, path(), body(bad), auth())
    const text = await res.text()
    expect(res.status, text).toBe(400)
    expect(JSON.parse(text).error.message).toMatch(field)
  })

  // A URL cannot carry a lone surrogate (it decodes to U+FFFD): NUL only.
  it.skipIf(badLabel !== 'NUL')(
    `${badLabel}: the publishable key in a query string -> 400 naming it`,
    async () => {
      const res = await t.app.request(`/v1/widget/config?key=${encodeURIComponent(bad)}`)
      expect(res.status).toBe(400)
      expect(((await res.json()) as any).error.message).toMatch(/^key: /)
    },
  )
}

it('well-formed text, emoji included, still goes through', async () => {
  const res = await visitor.send('Bonjour 😀 ça va ?')
  expect(res.status).toBe(200)
})
