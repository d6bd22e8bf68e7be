import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { withMemberTx } from '../../api/src/db/tx'
import { createTestApp, TENANT, type TestApp } from '../helpers/app'
import { createTenantB, tenantA, type TenantFixture } from './tenants'

/**
 * Mass assignment: every create and update body, with fields that name an owner, a tenant, a role or a
 * secret added, is refused (400 naming the field) or the fields are ignored; never applied. Checked
 * in the database, not only in the response.
 */
let t: TestApp
let A: TenantFixture
let B: TenantFixture
const INJECTED_ID = randomUUID()

beforeAll(async () => {
  t = await createTestApp({ WORKER_POLL_MS: '60000' })
  A = await tenantA(t)
  B = await createTenantB(t)
})
afterAll(() => t.close())

const FIELDS = [
  'tenant_id',
  'id',
  'created_by',
  'owner_id',
  'role',
  'user_id',
  'status',
  'publishable_key',
  'identity_secret',
  'agent_id',
  'assignee_id',
  'bot_id_of_other_tenant',
]
/** The fields an attacker adds (names in FIELDS). Extend both when a table grows an owner-ish column. */
const EXTRA = (): Record<string, unknown> => ({
  tenant_id: B.tenant,
  id: INJECTED_ID,
  created_by: B.ownerId,
  owner_id: B.ownerId,
  role: 'owner',
  user_id: B.ownerId,
  status: 'resolved',
  publishable_key: 'pk_injected_by_attacker',
  identity_secret: 'injected-identity-secret',
  agent_id: B.ownerId,
  assignee_id: B.ownerId,
  bot_id_of_other_tenant: B.bot,
})

let n = 0
interface Case {
  name: string
  method: string
  path: () => string
  body: () => Record<string, unknown>
  auth: () => Record<string, string>
  /** Fields the route legitimately takes (their injected value is then a validation error or fine). */
  legit?: string[]
}

const CASES: Case[] = [
  {
    name: 'POST /v1/tenants',
    method: 'POST',
    path: () => '/v1/tenants',
    body: () => ({ name: 'New', slug: `ma-${++n}-${INJECTED_ID.slice(0, 6)}` }),
    auth: () => A.owner,
  },
  {
    name: 'PATCH /v1/tenants/:t',
    method: 'PATCH',
    path: () => `/v1/tenants/${A.tenant}`,
    body: () => ({ name: 'Ma Boutique' }),
    auth: () => A.owner,
  },
  {
    name: 'PATCH /v1/tenants/:t settings',
    method: 'PATCH',
    path: () => `/v1/tenants/${A.tenant}`,
    body: () => ({ settings: { timezone: 'Europe/Paris' } }),
    auth: () => A.owner,
  },
  {
    name: 'POST /v1/tenants/:t/bots',
    method: 'POST',
    path: () => `/v1/tenants/${A.tenant}/bots`,
    body: () => ({ name: `Bot ${++n}` }),
    auth: () => A.owner,
  },
  {
    name: 'PATCH /v1/bots/:b',
    method: 'PATCH',
    path: () => `/v1/bots/${A.bot}`,
    body: () => ({ persona: 'kind' }),
    auth: () => A.owner,
    legit: ['status'],
  },
  {
    name: 'PATCH /v1/bots/:b/widget',
    method: 'PATCH',
    path: () => `/v1/bots/${A.bot}/widget`,
    body: () => ({ greeting: 'Hello' }),
    auth: () => A.owner,
  },
  {
    name: 'POST faqs',
    method: 'POST',
    path: () => `/v1/tenants/${A.tenant}/knowledge/faqs`,
    body: () => ({ question: `Q${++n}`, answer: 'A' }),
    auth: () => A.owner,
  },
  {
    name: 'PATCH faqs/:id',
    method: 'PATCH',
    path: () => `/v1/tenants/${A.tenant}/knowledge/faqs/${A.faq}`,
    body: () => ({ question: 'A private question' }),
    auth: () => A.owner,
  },
  {
    name: 'POST websites',
    method: 'POST',
    path: () => `/v1/tenants/${A.tenant}/knowledge/websites`,
    body: () => ({ url: `https://site${++n}.example/` }),
    auth: () => A.owner,
  },
  {
    name: 'POST escalation-rules',
    method: 'POST',
    path: () => `/v1/tenants/${A.tenant}/escalation-rules`,
    body: () => ({ name: `R${++n}`, trigger_keywords: ['zz'] }),
    auth: () => A.owner,
  },
  {
    name: 'PATCH escalation-rules/:id',
    method: 'PATCH',
    path: () => `/v1/tenants/${A.tenant}/escalation-rules/${A.rule}`,
    body: () => ({ priority_level: 4 }),
    auth: () => A.owner,
  },
  {
    name: 'POST canned-replies',
    method: 'POST',
    path: () => `/v1/tenants/${A.tenant}/canned-replies`,
    body: () => ({ shortcut: `c${++n}`, title: 'T', content: 'C' }),
    auth: () => A.agent,
  },
  {
    name: 'PATCH canned-replies/:id',
    method: 'PATCH',
    path: () => `/v1/tenants/${A.tenant}/canned-replies/${A.canned}`,
    body: () => ({ title: 'Edited' }),
    auth: () => A.agent,
  },
  {
    name: 'PUT webhook',
    method: 'PUT',
    path: () => `/v1/tenants/${A.tenant}/webhook`,
    body: () => ({ url: 'https://hooks.example/x' }),
    auth: () => A.owner,
  },
  {
    name: 'PATCH members/me (agent)',
    method: 'PATCH',
    path: () => `/v1/tenants/${A.tenant}/members/me`,
    body: () => ({ availability: 'online' }),
    auth: () => A.agent,
  },
  {
    name: 'POST /v1/sessions',
    method: 'POST',
    path: () => '/v1/sessions',
    body: () => ({ key: 'pk_demo', context: { page_url: 'https://shop.test/' } }),
    auth: () => ({}),
  },
  {
    name: 'POST /v1/sessions/:id/messages (visitor)',
    method: 'POST',
    path: () => `/v1/sessions/${A.session2}/messages`,
    body: () => ({
      content: 'Combien coûte la livraison ?',
      client_message_id: `mass-${++n}`,
      message_type: 'agent',
      private: true,
      seq: 999,
    }),
    auth: () => ({ authorization: `Bearer ${A.session2Token}` }),
  },
  {
    name: 'POST /v1/tenants/:t/sessions/:id/messages (agent)',
    method: 'POST',
    path: () => `/v1/tenants/${A.tenant}/sessions/${A.session}/messages`,
    body: () => ({ content: 'agent reply', message_type: 'system', seq: 999 }),
    auth: () => A.agent,
  },
  {
    name: 'POST /v1/sessions/:id/contact',
    method: 'POST',
    path: () => `/v1/sessions/${A.session2}/contact`,
    body: () => ({ email: 'v@shop.test' }),
    auth: () => ({ authorization: `Bearer ${A.session2Token}` }),
  },
]

/** Security-relevant state that no request here may change. */
async function snapshot() {
  const q = async (sql: string, args: unknown[] = []) => (await t.deps.pool.query(sql, args)).rows
  const tables = [
    'tenants',
    'bots',
    'widget_configs',
    'knowledge_sources',
    'escalation_rules',
    'canned_replies',
    'chatbot_sessions',
    'chatbot_conversations',
  ]
  const injected: Record<string, number> = {}
  for (const table of tables)
    injected[table] = (await q(`select 1 from ${table} where id = $1`, [INJECTED_ID])).length
  return {
    injected,
    bRows: await q(
      `select (select count(*) from bots where tenant_id = $1)::int as bots, (select count(*) from knowledge_sources where tenant_id = $1)::int as sources,
              (select count(*) from escalation_rules where tenant_id = $1)::int as rules, (select count(*) from canned_replies where tenant_id = $1)::int as canned,
              (select count(*) from chatbot_sessions where tenant_id = $1)::int as sessions, (select count(*) from chatbot_conversations where tenant_id = $1)::int as messages,
              (select count(*) from tenant_members where tenant_id = $1)::int as members`,
      [B.tenant],
    ),
    members: await q(`select tenant_id, user_id, role from tenant_members order by tenant_id, user_id`),
    widgets: await q(
      `select bot_id, tenant_id, publishable_key, identity_secret from widget_configs order by bot_id`,
    ),
    botTenants: await q(`select id, tenant_id from bots order by id`),
    createdByB: (
      await q(
        `select 1 from knowledge_sources where created_by = $1 and tenant_id <> $2 union all select 1 from canned_replies where created_by = $1 and tenant_id <> $2`,
        [B.ownerId, B.tenant],
      )
    ).length,
    assignedToB: (
      await q(`select 1 from chatbot_sessions where assignee_id = $1 and tenant_id <> $2`, [
        B.ownerId,
        B.tenant,
      ])
    ).length,
    spoofed: (
      await q(
        `select 1 from chatbot_conversations where (agent_id = $1 and tenant_id <> $2) or seq = 999 or (session_id = $3 and (message_type = 'agent' or private))`,
        [B.ownerId, B.tenant, A.session2],
      )
    ).length,
    nonActiveNew: (
      await q(
        `select 1 from chatbot_sessions where tenant_id = $1 and created_at > now() - interval '5 minutes' and id <> all($2) and (status <> 'active' or assignee_id is not null)`,
        [TENANT, [A.session]],
      )
    ).length,
  }
}

describe('mass assignment', () => {
  let before: Awaited<ReturnType<typeof snapshot>>
  beforeAll(async () => {
    before = await snapshot()
  })

  it.each(CASES.map((c) => [c.name, c] as const))(
    '%s + every owner field: refused naming the field, or ignored',
    async (_name, c) => {
      for (const field of FIELDS.filter((f) => !c.legit?.includes(f))) {
        const res = await t.json(c.method, c.path(), { ...c.body(), [field]: EXTRA()[field] }, c.auth())
        const text = await res.text()
        const where = `${c.name} + ${field}: ${res.status} ${text.slice(0, 300)}`
        if (res.status === 400) {
          expect(JSON.parse(text).error.message, where).toContain(field)
          continue
        }
        expect([200, 201, 202, 204], where).toContain(res.status)
        // Whatever came back belongs to the caller's tenant, under a server-chosen id.
        for (const s of [INJECTED_ID, 'pk_injected_by_attacker', 'injected-identity-secret'])
          expect(text, where).not.toContain(s)
        const obj = text ? Object.values(JSON.parse(text))[0] : null
        if (obj && typeof obj === 'object' && 'tenant_id' in obj)
          expect((obj as any).tenant_id, where).toBe(TENANT)
        if (obj && typeof obj === 'object' && 'role' in obj)
          expect((obj as any).role, where).not.toBe('owner')
      }
      const after = await snapshot()
      expect(after.injected).toEqual(before.injected)
      expect(after.bRows).toEqual(before.bRows)
      expect(
        after.widgets.some(
          (w: any) =>
            w.publishable_key === 'pk_injected_by_attacker' ||
            w.identity_secret === 'injected-identity-secret',
        ),
      ).toBe(false)
      expect(after.botTenants.filter((b: any) => before.botTenants.some((x: any) => x.id === b.id))).toEqual(
        before.botTenants,
      )
      // New tenants add their creator as owner; no existing membership changes.
      for (const m of before.members) expect(after.members).toContainEqual(m)
      expect(after.members.filter((m: any) => m.user_id === B.ownerId)).toEqual(
        before.members.filter((m: any) => m.user_id === B.ownerId),
      )
      expect(after.createdByB).toBe(0)
      expect(after.assignedToB).toBe(0)
      expect(after.spoofed).toBe(0)
      expect(after.nonActiveNew).toBe(0)
    },
  )

  it('the agent is still an agent, A still owns its bot and widget key', async () => {
    const role = await t.deps.pool.query(
      `select role from tenant_members where tenant_id = $1 and user_id = $2`,
      [TENANT, A.agentId],
    )
    expect(role.rows[0].role).toBe('agent')
    const w = await t.deps.pool.query(
      `select publishable_key, identity_secret, tenant_id from widget_configs where bot_id = $1`,
      [A.bot],
    )
    expect(w.rows[0]).toEqual({ publishable_key: 'pk_demo', identity_secret: null, tenant_id: TENANT })
  })
})

describe('row level security on owner columns (a member talking to Postgres directly, as on Supabase through PostgREST)', () => {
  const claims = (sub: string) => ({ sub, role: 'authenticated' as const })
  /** Runs one statement as the member; returns the rows it changed, or the error's SQLSTATE. */
  const asUser = async (sub: string, sql: string, args: unknown[]) => {
    try {
      return await withMemberTx(t.deps.pool, claims(sub), async (db) => (await db.query(sql, args)).rowCount)
    } catch (err) {
      return (err as { code?: string }).code ?? String(err)
    }
  }

  it.each([
    [
      'owner moves a bot into the other tenant',
      () => A.ownerId,
      `update bots set tenant_id = $1 where id = $2`,
      () => [B.tenant, A.bot],
    ],
    [
      'owner makes a source global (tenant NULL)',
      () => A.ownerId,
      `update knowledge_sources set tenant_id = null where id = $1`,
      () => [A.faq],
    ],
    [
      'owner inserts a global source',
      () => A.ownerId,
      `insert into knowledge_sources (tenant_id, kind, title, body) values (null, 'faq', 'g', 'g')`,
      () => [],
    ],
    [
      'agent moves a session into the other tenant',
      () => A.agentId,
      `update chatbot_sessions set tenant_id = $1 where id = $2`,
      () => [B.tenant, A.session],
    ],
    ['agent edits the bot', () => A.agentId, `update bots set name = 'pwned' where id = $1`, () => [A.bot]],
    [
      "agent writes the identity secret of B's widget",
      () => A.agentId,
      `update widget_configs set identity_secret = 'x' where bot_id = $1`,
      () => [B.bot],
    ],
    [
      'agent adds themself to the other tenant',
      () => A.agentId,
      `insert into tenant_members (tenant_id, user_id, role) values ($1, $2, 'owner')`,
      () => [B.tenant, A.agentId],
    ],
    [
      'agent moves their membership into the other tenant',
      () => A.agentId,
      `update tenant_members set tenant_id = $1 where user_id = $2 and tenant_id = $3`,
      () => [B.tenant, A.agentId, A.tenant],
    ],
    [
      'agent sets availability of a colleague',
      () => A.agentId,
      `update tenant_members set availability = 'away' where user_id = $1`,
      () => [A.ownerId],
    ],
  ] as const)('%s: refused', async (_name, who, sql, args) => {
    const r = await asUser(who(), sql, [...args()])
    expect(r === 0 || r === '42501', `result: ${r}`).toBe(true)
  })

  // RLS, not only application code, keeps a member's own tenant_members row in place: the API's PATCH
  // /members/me writes availability only, but on Supabase the table is reachable through PostgREST
  // with the member's JWT. An agent changing their own role (to owner, and from there the webhook,
  // bots, widgets and knowledge) must be refused by the database itself.
  it('an agent promoting themself to owner is refused by RLS', async () => {
    const sql = `update tenant_members set role = 'owner' where user_id = $1 and tenant_id = $2`
    const args = [A.agentId, A.tenant]
    // Rolled back whatever happens: the statement runs inside a transaction that throws at the end.
    const changed = await withMemberTx(t.deps.pool, claims(A.agentId), async (db) => {
      let count: number | string
      try {
        count = (await db.query(sql, args)).rowCount ?? 0
      } catch (err) {
        count = (err as { code?: string }).code ?? 'error'
      }
      throw Object.assign(new Error('rollback'), { count })
    }).catch((err: { count?: number | string }) => err.count)
    expect(changed === 0 || changed === '42501', `rows changed: ${changed}`).toBe(true)
  })
})
