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

// Multipart bodies (document uploads) pass the same check: every text field and the file's name.
// [label, form built around the bad string, field named in the message]
const MULTIPART: [string, (bad: string) => FormData, RegExp][] = [
  ['upload title', (x) => form({ title: x }), /^title: /],
  ['upload filename', (x) => form({}, `notes${x}.txt`), /^file\.name: /],
  ['upload language', (x) => form({ language: x }), /^language: /],
  ['upload unknown field', (x) => form({ note: x }), /^note: /],
]

function form(fields: Record<string, string>, filename = 'notes.txt') {
  const f = new FormData()
  f.set('file', new Blob(['Plain notes about delivery.']), filename)
  for (const [k, v] of Object.entries(fields)) f.set(k, v)
  return f
}

const upload = (body: FormData) =>
  t.app.request(`/v1/tenants/${TENANT}/knowledge/documents`, { method: 'POST', body, headers: owner })
const documents = async () =>
  Number(
    (
      await t.deps.pool.query(
        `select count(*) n from knowledge_sources where tenant_id = $1 and kind = 'document'`,
        [TENANT],
      )
    ).rows[0].n,
  )

// A multipart body is UTF-8 bytes: a lone surrogate cannot be sent in one (it becomes U+FFFD), NUL can.
it.each(MULTIPART)('NUL: %s -> 400 naming the field, nothing stored', async (_, build, field) => {
  const before = await documents()
  const res = await upload(build('a\u0000b'))
  const text = await res.text()
  expect(res.status, text).toBe(400)
  expect(JSON.parse(text).error.message).toMatch(field)
  expect(await documents()).toBe(before)
})

it('a well-formed upload, accents and emoji in its name and title, still goes through', async () => {
  const res = await upload(form({ title: 'Livraison 😀 été' }, 'livraison-été.txt'))
  expect(res.status, await res.text()).toBe(202)
})

it('well-formed text, emoji included, still goes through', async () => {
  const res = await visitor.send('Bonjour 😀 ça va ?')
  expect(res.status).toBe(200)
})
