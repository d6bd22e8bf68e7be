import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/src/app'
import { createTestApp, type TestApp } from '../helpers/app'
import { createTenantB, expectRefused, ok, tenantA, upload, type TenantFixture } from './tenants'

/**
 * Cross-tenant and cross-visitor access, for every id-taking route. The route list comes from the app
 * itself (createApp(deps).routes), so a route added later is covered, or fails here until this file
 * says how to fill its parameters and body.
 *
 * Matrix: two tenants (A: the demo tenant, B: created through the API) x two roles (owner, agent) x
 * (the other tenant's path with its ids | one's own tenant path with the other's ids | the other's
 * path with one's own ids); on the widget side two visitors per tenant, and a visitor of A against B.
 */
let t: TestApp
let A: TenantFixture
let B: TenantFixture

beforeAll(async () => {
  t = await createTestApp({ WORKER_POLL_MS: '60000' })
  A = await tenantA(t)
  B = await createTenantB(t)
})
afterAll(() => t.close())

interface Route {
  method: string
  path: string
}

function appRoutes(): Route[] {
  const seen = new Set<string>()
  return createApp(t.deps)
    .routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/v1/'))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && !!seen.add(`${r.method} ${r.path}`))
    .map((r) => ({ method: r.method, path: r.path }))
}

const params = (path: string) => [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!)

/** Which of a tenant's ids fills `:id`, by the path around it. Extend when a route names a new kind. */
const ID_KIND: [RegExp, keyof TenantFixture][] = [
  [/^\/v1\/tenants\/:t\/sessions\/:id(\/|$)/, 'session'],
  [/^\/v1\/tenants\/:t\/knowledge\/faqs\/:id(\/|$)/, 'faq'],
  [/^\/v1\/tenants\/:t\/knowledge\/sources\/:id(\/|$)/, 'source'],
  [/^\/v1\/tenants\/:t\/escalation-rules\/:id(\/|$)/, 'rule'],
  [/^\/v1\/tenants\/:t\/canned-replies\/:id(\/|$)/, 'canned'],
  [/^\/v1\/tenants\/:t\/api-keys\/:id(\/|$)/, 'apiKey'],
  [/^\/v1\/tenants\/:t\/invitations\/:id(\/|$)/, 'invitation'],
  [/^\/v1\/tenants\/:t\/members\/:id$/, 'agentId'],
  [/^\/v1\/bots\/:b\/prompts\/:id(\/|$)/, 'prompt'],
  [/^\/v1\/tenants\/:t\/channels\/:id(\/|$)/, 'channel'],
  [/^\/v1\/tenants\/:t\/contacts\/:id(\/|$)/, 'contact'],
  [/^\/v1\/tenants\/:t\/orders\/:id$/, 'order'],
  [/^\/v1\/tenants\/:t\/improvements\/:id(\/|$)/, 'improvement'],
  [/^\/v1\/tenants\/:t\/model-versions\/:id(\/|$)/, 'modelVersion'],
  [/^\/v1\/bots\/:b\/answer-tests\/:id(\/|$)/, 'answerTest'],
]

type Body = { json: (owner: TenantFixture) => unknown } | { multipart: true } | { none: true }
const none: Body = { none: true }
const json = (f: (owner: TenantFixture) => unknown): Body => ({ json: f })

/**
 * A valid body for every console write route, so the request gets past validation and it is the
 * authorization that is tested. `owner` is the tenant whose ids are in the path.
 */
const BODIES: Record<string, Body> = {
  'POST /v1/tenants/:t/sessions/:id/messages': json(() => ({ content: 'INTRUDER-REPLY' })),
  'POST /v1/tenants/:t/sessions/:id/assign': json(() => ({})),
  'POST /v1/tenants/:t/sessions/:id/resolve': none,
  'POST /v1/tenants/:t/topics/run': none,
  'POST /v1/tenants/:t/sessions/:id/claim': none,
  'POST /v1/tenants/:t/sessions/:id/handback': none,
  'POST /v1/tenants/:t/sessions/:id/typing': json(() => ({ typing: true })),
  'PATCH /v1/tenants/:t/members/me': json(() => ({ availability: 'away' })),
  'POST /v1/tenants/:t/knowledge/faqs': json(() => ({ question: 'INTRUDER-FAQ', answer: 'INTRUDER-FAQ' })),
  'PATCH /v1/tenants/:t/knowledge/faqs/:id': json(() => ({ answer: 'INTRUDER-FAQ' })),
  'POST /v1/tenants/:t/knowledge/sources/:id/refresh': none,
  'POST /v1/tenants/:t/knowledge/documents': { multipart: true },
  'POST /v1/tenants/:t/knowledge/websites': json(() => ({ url: 'https://intruder.example/' })),
  'POST /v1/tenants/:t/knowledge/search': json(() => ({
    query: 'zebrafinch warranty quokkaphone battery pelican handbook',
    k: 20,
  })),
  'POST /v1/tenants/:t/escalation-rules': json(() => ({ name: 'INTRUDER-RULE', trigger_keywords: ['x'] })),
  'PATCH /v1/tenants/:t/escalation-rules/:id': json(() => ({ name: 'INTRUDER-RULE' })),
  'POST /v1/tenants/:t/escalation-rules/test': json(() => ({ message: 'kumquatrefund pelicanrefund' })),
  'POST /v1/tenants/:t/canned-replies': json(() => ({
    shortcut: 'intruder',
    title: 'INTRUDER',
    content: 'INTRUDER',
  })),
  'PATCH /v1/tenants/:t/canned-replies/:id': json(() => ({ title: 'INTRUDER', content: 'INTRUDER' })),
  'PUT /v1/tenants/:t/webhook': json(() => ({ url: 'https://intruder.example/hook' })),
  'PATCH /v1/tenants/:t': json(() => ({ name: 'INTRUDER-TENANT' })),
  'POST /v1/tenants/:t/bots': json(() => ({ name: 'INTRUDER-BOT' })),
  'PATCH /v1/bots/:b': json(() => ({ name: 'INTRUDER-BOT' })),
  'PATCH /v1/bots/:b/widget': json(() => ({ allowed_origins: ['https://intruder.example'] })),
  'POST /v1/bots/:b/widget/identity-secret': none,
  'POST /v1/tenants/:t/api-keys': json(() => ({ name: 'INTRUDER-KEY', scopes: ['admin'] })),
  'POST /v1/tenants/:t/invitations': json(() => ({ email: 'intruder@intruder.example', role: 'admin' })),
  'POST /v1/tenants/:t/invitations/:id/resend': none,
  'PATCH /v1/tenants/:t/members/:id': json(() => ({ role: 'admin', capacity: 99 })),
  'POST /v1/bots/:b/prompts': json(() => ({
    prompt_type: 'principal',
    content: 'INTRUDER-PROMPT',
    activate: true,
  })),
  'POST /v1/bots/:b/prompts/:id/activate': none,
  'POST /v1/bots/:b/playground': json(() => ({
    question: 'zebrafinch warranty quokkaphone battery pelican handbook',
  })),
  'POST /v1/tenants/:t/channels': json((owner) => ({
    platform: 'whatsapp',
    bot_id: owner.bot,
    account_id: String(Math.floor(Math.random() * 1e12)),
    business_account_id: '1',
    access_token: 'INTRUDER-CHANNEL-TOKEN',
    app_secret: 'INTRUDER-APP',
    verify_token: 'INTRUDER-VERIFY',
  })),
  'POST /v1/tenants/:t/improvements': json((owner) => ({
    message_id: owner.aiMessage,
    improved_response: 'INTRUDER-IMPROVED',
  })),
  'PATCH /v1/tenants/:t/improvements/:id': json(() => ({
    status: 'applied',
    improved_response: 'INTRUDER-IMPROVED',
  })),
  'POST /v1/bots/:b/answer-tests': json(() => ({ question: 'INTRUDER-TEST', expect: { declines: true } })),
  'POST /v1/bots/:b/answer-tests/run': none,
  'POST /v1/tenants/:t/model-versions': json((owner) => ({
    model_name: 'intruder-model',
    base_model: 'intruder',
    version: '1',
    bot_id: owner.bot,
  })),
  'PATCH /v1/tenants/:t/model-versions/:id': json(() => ({ status: 'deprecated', metrics: { intruder: 1 } })),
  'PATCH /v1/tenants/:t/channels/:id': json(() => ({
    is_active: false,
    access_token: 'INTRUDER-CHANNEL-TOKEN',
  })),
  'PATCH /v1/tenants/:t/contacts/:id': json(() => ({ notes: 'INTRUDER-NOTE', name: 'INTRUDER-NAME' })),
  'POST /v1/tenants/:t/contacts/:id/merge': json(() => ({ other_id: crypto.randomUUID() })),
  'PUT /v1/tenants/:t/orders/:id': json(() => ({ status: 'INTRUDER-STATUS', items: [] })),
  'POST /v1/tenants/:t/orders/import': json(() => ({ csv: 'order_id,status\nINTRUDER-1,INTRUDER-STATUS\n' })),
  'PUT /v1/tenants/:t/action-settings': json(() => ({
    calcom_api_key: 'INTRUDER-CAL-KEY',
    calcom_event_type_id: 1,
  })),
  'PUT /v1/bots/:b/actions': json(() => ({ orders: false, meetings: false })),
}

/**
 * Routes whose :id is a name the tenant chooses (the shop's order number), not a global id: on one's
 * own tenant path, the other tenant's name is simply a name of one's own (PUT upserts one's own
 * order). They must still never touch or reveal the other tenant's row.
 */
const OWN_NAMES = new Set(['PUT /v1/tenants/:t/orders/:id'])

/** Routes that take no id, only read, and may be called on one's own tenant: they must not list the other's rows. */
const READ_ONLY_WRITES = new Set([
  'POST /v1/tenants/:t/knowledge/search',
  'POST /v1/tenants/:t/escalation-rules/test',
])

/** Platform webhooks (/v1/channels/:id/webhook) answer to a platform's signature, not a member: tested below. */
const isConsole = (r: Route) =>
  !r.path.startsWith('/v1/sessions') && !r.path.startsWith('/v1/channels/') && params(r.path).length > 0

function fill(r: Route, tenant: TenantFixture, ids: TenantFixture): string {
  return r.path.replace(/:([A-Za-z]+)/g, (_m, name: string) => {
    if (name === 't') return tenant.tenant
    if (name === 'b') return ids.bot
    if (name === 'id') {
      const kind = ID_KIND.find(([re]) => re.test(r.path))
      if (!kind)
        throw new Error(`tenant-isolation: say which id fills :id in ${r.method} ${r.path} (ID_KIND)`)
      return ids[kind[1]] as string
    }
    throw new Error(`tenant-isolation: unknown parameter :${name} in ${r.method} ${r.path}`)
  })
}

/** Query strings a route needs to get past validation (analytics: a date range). */
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)
const RANGE = `?from=${day(-1)}&to=${day(1)}`
const QUERIES: Record<string, string> = {
  'GET /v1/tenants/:t/analytics': RANGE,
  'GET /v1/tenants/:t/analytics/export.csv': RANGE,
  'GET /v1/tenants/:t/topics': RANGE,
  'POST /v1/tenants/:t/topics/run': `?date=${day(0)}`,
}

async function call(r: Route, path: string, auth: Record<string, string>, owner: TenantFixture) {
  const key = `${r.method} ${r.path}`
  path += QUERIES[key] ?? ''
  const spec = BODIES[key] ?? (r.method === 'GET' || r.method === 'DELETE' ? none : undefined)
  if (!spec) throw new Error(`tenant-isolation: no body for ${key}: add it to BODIES`)
  if ('multipart' in spec) return upload(t, path.split('/')[3]!, auth, 'INTRUDER-DOC', 'x.txt')
  return t.json(r.method, path, 'json' in spec ? spec.json(owner) : undefined, auth)
}

describe('the route table', () => {
  it('each tenant has an admin-scope secret key (POST /v1/tenants/:t/api-keys works)', () => {
    expect(A.apiKeyAuth.authorization).toMatch(/^Bearer sk_/)
    expect(B.apiKeyAuth.authorization).toMatch(/^Bearer sk_/)
  })

  it('knows how to fill every id-taking console route and has a body for every write', () => {
    const console = appRoutes().filter(isConsole)
    expect(console.length).toBeGreaterThan(30)
    for (const r of console) {
      for (const p of params(r.path))
        expect(['t', 'b', 'id'], `${r.method} ${r.path}: unknown :${p}`).toContain(p)
      if (params(r.path).includes('id'))
        expect(
          ID_KIND.some(([re]) => re.test(r.path)),
          `${r.method} ${r.path}: no ID_KIND`,
        ).toBe(true)
      if (!['GET', 'DELETE'].includes(r.method))
        expect(BODIES[`${r.method} ${r.path}`], `${r.method} ${r.path}: no BODIES entry`).toBeDefined()
    }
  })
})

describe('control: the same ids work for their own tenant', () => {
  // Without this, a 404 above could come from a wrong id or a bad body rather than from authorization.
  it.each([
    ['B owner', () => B.owner, () => B],
    ['A owner', () => A.owner, () => A],
  ])('%s reads every GET route of its own tenant with 200', async (_who, auth, self) => {
    for (const r of appRoutes().filter(
      (r) => isConsole(r) && r.method === 'GET' && !r.path.endsWith('/events'),
    )) {
      const res = await call(r, fill(r, self(), self()), auth(), self())
      expect(res.status, `${r.method} ${r.path}: ${await res.clone().text()}`).toBe(200)
    }
    const detail = await ok(
      await t.json('GET', `/v1/tenants/${self().tenant}/sessions/${self().session}`, undefined, auth()),
    )
    expect(detail.messages.length).toBeGreaterThan(2)
  })
})

describe('console: a member of one tenant against the other tenant', () => {
  const cases = [
    ['A owner', () => A.owner, () => A, () => B],
    ['A agent', () => A.agent, () => A, () => B],
    ['B owner', () => B.owner, () => B, () => A],
    ['B agent', () => B.agent, () => B, () => A],
    ['A secret key (admin scope)', () => A.apiKeyAuth, () => A, () => B],
    ['B secret key (admin scope)', () => B.apiKeyAuth, () => B, () => A],
  ] as const

  it.each(cases)(
    '%s: the other tenant path with its ids, and with own ids, is 404/403 and leaks nothing',
    async (who, auth, self, other) => {
      if (!auth().authorization) return // no key (see the fixture check above)
      const checked: string[] = []
      for (const r of appRoutes().filter(isConsole)) {
        for (const [label, tenant, ids] of [
          ['other tenant, other ids', other(), other()],
          ['other tenant, own ids', other(), self()],
        ] as const) {
          if (!params(r.path).includes('t') && label === 'other tenant, own ids') continue
          const path = fill(r, tenant, ids)
          await expectRefused(
            await call(r, path, auth(), ids),
            other().secrets,
            [403, 404],
            `${who} ${r.method} ${path} (${label})`,
          )
          checked.push(`${r.method} ${r.path}`)
        }
      }
      expect(checked.length).toBeGreaterThan(40)
    },
  )

  it.each(cases)(
    "%s: own tenant path with the other tenant's ids is 404 and leaks nothing",
    async (who, auth, self, other) => {
      if (!auth().authorization) return // no key (see the fixture check above)
      for (const r of appRoutes().filter(isConsole)) {
        const hasId = params(r.path).some((p) => p === 'id' || p === 'b')
        const key = `${r.method} ${r.path}`
        if (hasId && OWN_NAMES.has(key)) {
          const res = await call(r, fill(r, self(), other()), auth(), other())
          const body = await res.text()
          expect(res.status, `${who} ${key}: ${body.slice(0, 200)}`).toBeLessThan(500)
          for (const s of other().secrets) expect(body, `${who} ${key} leaked ${s}`).not.toContain(s)
        } else if (hasId) {
          const path = fill(r, self(), other())
          await expectRefused(
            await call(r, path, auth(), other()),
            other().secrets,
            [403, 404],
            `${who} ${r.method} ${path}`,
          )
        } else if (r.method === 'GET' || READ_ONLY_WRITES.has(key)) {
          // Lists and searches of one's own tenant: whatever the status, never the other tenant's rows.
          const path = fill(r, self(), self())
          const res = await call(r, path, auth(), self())
          const body = (res.headers.get('content-type') ?? '').includes('event-stream')
            ? (await res.body?.cancel(), '')
            : await res.text()
          expect(res.status, `${who} ${key}: ${body.slice(0, 200)}`).toBeLessThan(500)
          for (const s of other().secrets) expect(body, `${who} ${key} leaked ${s}`).not.toContain(s)
        }
      }
    },
  )

  it("GET /v1/tenants and /v1/me list only the caller's own tenants", async () => {
    for (const [auth, self, other] of [
      [A.owner, A, B],
      [A.agent, A, B],
      [B.owner, B, A],
      [B.agent, B, A],
    ] as const) {
      const { tenants } = await ok(await t.json('GET', '/v1/tenants', undefined, auth))
      expect(tenants.map((x: any) => x.id)).toEqual([self.tenant])
      const me = await ok(await t.json('GET', '/v1/me', undefined, auth))
      expect(me.memberships.map((m: any) => m.tenant_id)).toEqual([self.tenant])
      expect(JSON.stringify(me)).not.toContain(other.tenant)
    }
  })

  it("nothing of either tenant was changed by the other's calls", async () => {
    const q = async (sql: string, args: unknown[]) => (await t.deps.pool.query(sql, args)).rows
    for (const x of [A, B]) {
      expect(await q(`select 1 from knowledge_sources where id = any($1)`, [[x.faq, x.source]])).toHaveLength(
        2,
      )
      expect(
        await q(`select body from knowledge_sources where id = $1 and body like '%INTRUDER%'`, [x.faq]),
      ).toHaveLength(0)
      expect(
        await q(`select 1 from escalation_rules where id = $1 and rule_name not like 'INTRUDER%'`, [x.rule]),
      ).toHaveLength(1)
      expect(await q(`select 1 from canned_replies where id = $1`, [x.canned])).toHaveLength(1)
      expect(
        await q(`select name from bots where id = $1 and name not like 'INTRUDER%'`, [x.bot]),
      ).toHaveLength(1)
      const w = (
        await q(`select allowed_origins, identity_secret from widget_configs where bot_id = $1`, [x.bot])
      )[0]
      expect(w.allowed_origins).not.toContain('https://intruder.example')
      expect(w.identity_secret).toBeNull()
      expect(
        await q(`select 1 from tenants where id = $1 and name = 'INTRUDER-TENANT'`, [x.tenant]),
      ).toHaveLength(0)
      const s = (await q(`select status, assignee_id from chatbot_sessions where id = $1`, [x.session]))[0]
      expect(s).toEqual({ status: 'escalated', assignee_id: x.agentId })
      expect(
        await q(`select 1 from tenant_members where tenant_id = $1 and availability = 'away'`, [x.tenant]),
      ).toHaveLength(0)
      expect(await q(`select 1 from tenant_webhooks where tenant_id = $1`, [x.tenant])).toHaveLength(0)
      expect(await q(`select revoked_at from api_keys where id = $1`, [x.apiKey])).toEqual([
        { revoked_at: null },
      ])
      expect(await q(`select is_active from social_accounts where id = $1`, [x.channel])).toEqual([
        { is_active: true },
      ])
      expect(
        await q(
          `select notes, name from contacts where id = $1 and notes = '' and name not like 'INTRUDER%'`,
          [x.contact],
        ),
      ).toHaveLength(1)
      expect(
        await q(
          `select 1 from orders where tenant_id = $1 and external_id = $2 and status not like 'INTRUDER%'`,
          [x.tenant, x.order],
        ),
      ).toHaveLength(1)
      expect(await q(`select 1 from action_settings where tenant_id = $1`, [x.tenant])).toHaveLength(0)
      expect(await q(`select actions from bots where id = $1`, [x.bot])).toEqual([{ actions: {} }])
    }
    expect(await q(`select 1 from orders where external_id = 'INTRUDER-1'`, [])).toHaveLength(0)
    for (const x of [A, B]) {
      expect(await q(`select status from improvements where id = $1`, [x.improvement])).toEqual([
        { status: 'applied' },
      ])
      expect(await q(`select 1 from answer_tests where id = $1`, [x.answerTest])).toHaveLength(1)
      expect(await q(`select status from model_versions where id = $1`, [x.modelVersion])).toEqual([
        { status: 'training' },
      ])
      // A run of the other tenant's tests would have been stored as a manual run.
      expect(
        await q(`select 1 from answer_test_runs where bot_id = $1 and trigger = 'manual'`, [x.bot]),
      ).toHaveLength(0)
    }
    expect(await q(`select 1 from improvements where improved_response like 'INTRUDER%'`, [])).toHaveLength(0)
    expect(await q(`select 1 from answer_tests where question like 'INTRUDER%'`, [])).toHaveLength(0)
    expect(await q(`select 1 from model_versions where model_name like 'intruder%'`, [])).toHaveLength(0)
    expect(await q(`select 1 from social_accounts where business_account_id = '1'`, [])).toHaveLength(0)
    expect(await q(`select 1 from chatbot_conversations where content like 'INTRUDER%'`, [])).toHaveLength(0)
    expect(
      await q(`select 1 from knowledge_sources where title like 'INTRUDER%' or url like '%intruder%'`, []),
    ).toHaveLength(0)
    expect(await q(`select 1 from bots where name like 'INTRUDER%'`, [])).toHaveLength(0)
    expect(await q(`select 1 from canned_replies where shortcut = 'intruder'`, [])).toHaveLength(0)
    expect(await q(`select 1 from api_keys where name = 'INTRUDER-KEY'`, [])).toHaveLength(0)
    // One job each (the upload's): a refresh by the other tenant would have queued a second.
    expect(
      await q(`select source_id from knowledge_jobs where source_id = any($1)`, [[A.source, B.source]]),
    ).toHaveLength(2)
  })
})

describe("channel webhooks: one tenant never opens the other tenant's channel", () => {
  it("a body signed with the other tenant's app secret is 401 and stores nothing", async () => {
    const { metaSignature } = await import('../api/channels/stand-in')
    for (const [self, other] of [
      [A, B],
      [B, A],
    ] as const) {
      const raw = JSON.stringify({
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1' }, messages: [] } }],
          },
        ],
      })
      const res = await t.app.request(`/v1/channels/${other.channel}/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': metaSignature(self.channelAppSecret, raw),
        },
        body: raw,
      })
      await expectRefused(res, [...A.secrets, ...B.secrets], [401])
      const hs = await t.app.request(
        `/v1/channels/${other.channel}/webhook?hub.mode=subscribe&hub.verify_token=${self.channelVerifyToken}&hub.challenge=7`,
      )
      await expectRefused(hs, [...A.secrets, ...B.secrets], [403])
    }
    expect((await t.deps.pool.query(`select 1 from channel_events`)).rows).toHaveLength(0)
  })
})

describe('console: ids of another tenant inside a body', () => {
  // A create body naming another tenant's bot (bot_id) must be refused (400 or 404), never stored:
  // the foreign key check ignores RLS, so without the tenant check a FAQ, website or document source
  // would be stored in the caller's tenant attached to the other's bot, revealing that the bot id
  // exists (201 vs 404) and breaking the invariant "a source's bot is in its tenant".
  it.each([
    [
      'faq',
      () =>
        t.json(
          'POST',
          `/v1/tenants/${A.tenant}/knowledge/faqs`,
          { question: 'x-bot q', answer: 'x-bot a', bot_id: B.bot },
          A.owner,
        ),
    ],
    [
      'website',
      () =>
        t.json(
          'POST',
          `/v1/tenants/${A.tenant}/knowledge/websites`,
          { url: 'https://x-bot.example/', bot_id: B.bot },
          A.owner,
        ),
    ],
    [
      'document',
      () => {
        const form = new FormData()
        form.set('file', new Blob(['x-bot document text']), 'x.txt')
        form.set('bot_id', B.bot)
        return t.app.request(`/v1/tenants/${A.tenant}/knowledge/documents`, {
          method: 'POST',
          body: form,
          headers: A.owner,
        })
      },
    ],
  ])("a %s naming the other tenant's bot_id is refused and not stored", async (_kind, send) => {
    const res = await send()
    expect([400, 404], await res.text()).toContain(res.status)
    expect(
      (
        await t.deps.pool.query(`select 1 from knowledge_sources where bot_id = $1 and tenant_id <> $2`, [
          B.bot,
          B.tenant,
        ])
      ).rows,
    ).toHaveLength(0)
  })

  it("merging the other tenant's contact into one's own is 404 and moves nothing", async () => {
    await expectRefused(
      await t.json(
        'POST',
        `/v1/tenants/${A.tenant}/contacts/${A.contact}/merge`,
        { other_id: B.contact },
        A.owner,
      ),
      B.secrets,
      [404],
    )
    expect(
      (await t.deps.pool.query(`select tenant_id from contacts where id = $1`, [B.contact])).rows[0]
        .tenant_id,
    ).toBe(B.tenant)
  })

  it("search with the other tenant's bot_id is 404", async () => {
    await expectRefused(
      await t.json(
        'POST',
        `/v1/tenants/${A.tenant}/knowledge/search`,
        { query: 'zebrafinch', bot_id: B.bot },
        A.owner,
      ),
      B.secrets,
      [404],
    )
  })

  it("assigning a session to the other tenant's agent is refused", async () => {
    const res = await t.json(
      'POST',
      `/v1/tenants/${A.tenant}/sessions/${A.session2}/assign`,
      { assignee_id: B.agentId },
      A.owner,
    )
    expect(res.status).toBe(400)
    expect(
      (await t.deps.pool.query(`select assignee_id from chatbot_sessions where id = $1`, [A.session2]))
        .rows[0].assignee_id,
    ).toBeNull()
  })

  it("a rule naming the other tenant's agent (strategy specific) never hands a session to them", async () => {
    const rule = await ok(
      await t.json(
        'POST',
        `/v1/tenants/${A.tenant}/escalation-rules`,
        {
          name: 'x-agent',
          trigger_keywords: ['platypusrefund'],
          agent_assignment_logic: { strategy: 'specific', agent_ids: [B.agentId] },
        },
        A.owner,
      ),
      201,
    )
    const v = await t.visitor()
    await ok(await v.send('platypusrefund now please'))
    const s = (
      await t.deps.pool.query(`select status, assignee_id from chatbot_sessions where id = $1`, [v.id])
    ).rows[0]
    expect(s.assignee_id).not.toBe(B.agentId)
    expect(
      (
        await t.deps.pool.query(`select 1 from escalations where assignee_id = $1 and tenant_id <> $2`, [
          B.agentId,
          B.tenant,
        ])
      ).rows,
    ).toHaveLength(0)
    await ok(
      await t.json('DELETE', `/v1/tenants/${A.tenant}/escalation-rules/${rule.rule.id}`, undefined, A.owner),
      204,
    )
  })
})

describe('widget side: a visitor token against another session', () => {
  const widgetRoutes = () => appRoutes().filter((r) => r.path.startsWith('/v1/sessions/:id'))

  /** A body that passes validation for every visitor route, so the token check is what answers. */
  const VISITOR_BODIES: Record<string, unknown> = {
    'POST /v1/sessions/:id/messages': { content: 'INTRUDER-VISITOR', client_message_id: 'intruder-1' },
    'POST /v1/sessions/:id/escalate': { reason: 'INTRUDER' },
    'POST /v1/sessions/:id/typing': { typing: true },
    'POST /v1/sessions/:id/contact': { email: 'intruder@evil.test' },
    'POST /v1/sessions/:id/messages/:messageId/feedback': { rating: 'down', comment: 'INTRUDER' },
    'POST /v1/sessions/:id/rating': { score: 1 },
    'POST /v1/sessions/:id/identify': { user_id: 'INTRUDER', user_hash: '0'.repeat(64) },
  }

  it('knows every visitor route', () => {
    expect(widgetRoutes().length).toBeGreaterThanOrEqual(8)
    for (const r of widgetRoutes()) {
      for (const p of params(r.path)) expect(['id', 'messageId'], `${r.method} ${r.path}`).toContain(p)
      if (r.method === 'POST')
        expect(VISITOR_BODIES, `${r.method} ${r.path}: add a body`).toHaveProperty([`${r.method} ${r.path}`])
    }
  })

  const pairs = [
    [
      'A visitor 1 -> A visitor 2 (same widget)',
      () => A.sessionToken,
      () => A.session2,
      () => A.aiMessage,
      () => A.origin,
    ],
    [
      'A visitor 2 -> A visitor 1 (same widget)',
      () => A.session2Token,
      () => A.session,
      () => A.aiMessage,
      () => A.origin,
    ],
    ["A visitor -> B's session", () => A.sessionToken, () => B.session, () => B.aiMessage, () => A.origin],
    [
      "A visitor -> B's session, from B's origin",
      () => A.sessionToken,
      () => B.session,
      () => B.aiMessage,
      () => B.origin,
    ],
    ["B visitor -> A's session", () => B.sessionToken, () => A.session, () => A.aiMessage, () => B.origin],
    [
      'console JWT as a visitor token',
      () => A.owner.authorization!.slice(7),
      () => A.session,
      () => A.aiMessage,
      () => A.origin,
    ],
  ] as const

  it.each(pairs)(
    '%s: 401 on every /v1/sessions/:id route, nothing leaked or written',
    async (label, token, session, message, origin) => {
      const secrets = [...A.secrets, ...B.secrets].filter((s) => s !== token())
      for (const r of widgetRoutes()) {
        const path = r.path.replace(':id', session()).replace(':messageId', message())
        const res = await t.json(r.method, path, VISITOR_BODIES[`${r.method} ${r.path}`], {
          authorization: `Bearer ${token()}`,
          origin: origin(),
        })
        await expectRefused(res, secrets, [401, 404], `${label}: ${r.method} ${path}`)
      }
      const written = await t.deps.pool.query(
        `select 1 from chatbot_conversations where content like 'INTRUDER%' union all select 1 from message_feedback where comment = 'INTRUDER'
       union all select 1 from chatbot_sessions where customer_context ? 'email' or csat_score is not null`,
      )
      expect(written.rows).toHaveLength(0)
    },
  )

  it("feedback on another session's message, through one's own valid session, is 404", async () => {
    for (const [token, own, foreign] of [
      [A.sessionToken, A.session, B.aiMessage],
      [A.session2Token, A.session2, A.aiMessage],
      [B.session2Token, B.session2, B.aiMessage],
    ] as const) {
      const res = await t.json(
        'POST',
        `/v1/sessions/${own}/messages/${foreign}/feedback`,
        { rating: 'down', comment: 'INTRUDER' },
        { authorization: `Bearer ${token}` },
      )
      await expectRefused(
        res,
        [...A.secrets, ...B.secrets].filter((s) => s !== token),
        [404],
      )
    }
    expect(
      (await t.deps.pool.query(`select 1 from message_feedback where comment = 'INTRUDER'`)).rows,
    ).toHaveLength(0)
  })

  it("a visitor sees only its own session's messages, never a private note", async () => {
    const own = await ok(
      await t.json('GET', `/v1/sessions/${B.session2}/messages`, undefined, {
        authorization: `Bearer ${B.session2Token}`,
      }),
    )
    expect(own.messages.every((m: any) => m.session_id === B.session2)).toBe(true)
    const first = await ok(
      await t.json('GET', `/v1/sessions/${B.session}/messages`, undefined, {
        authorization: `Bearer ${B.sessionToken}`,
      }),
    )
    expect(JSON.stringify(first)).not.toMatch(/PRIVATENOTE/)
  })

  it("a widget key of tenant B never opens a session from A's origin, and A's key is refused on B's origin", async () => {
    for (const [key, origin] of [
      [B.pk, A.origin],
      [A.pk, B.origin],
    ] as const) {
      const res = await t.json('POST', '/v1/sessions', { key }, { origin })
      expect(res.status).toBe(403)
      const cfg = await t.json('GET', `/v1/widget/config?key=${key}`, undefined, { origin })
      expect(cfg.status).toBe(403)
    }
  })
})
