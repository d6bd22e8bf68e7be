import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/src/app'
import { withMemberTx } from '../../api/src/db/tx'
import { createFaq } from '../../api/src/knowledge/faqs'
import { createTestApp, type TestApp } from '../helpers/app'
import { createTenantB, expectRefused, ok, tenantA, type TenantFixture } from './tenants'

/**
 * Global knowledge (knowledge_sources / knowledge_chunks with tenant_id NULL): every tenant's retrieval
 * reads it, no tenant's member can change or delete it through any route (or RLS), and a tenant's own
 * rows never become global, so they never surface for another tenant through the global path.
 */
let t: TestApp
let A: TenantFixture
let B: TenantFixture
let globalFaq: string
const GLOBAL_Q = 'How are axolotl shipments insured?'
const GLOBAL_A = 'GLOBALKB axolotl shipments are insured by the platform for their full value.'

beforeAll(async () => {
  t = await createTestApp({ WORKER_POLL_MS: '60000' })
  // Global rows are written by the operator (the service role), never through the console.
  globalFaq = await createFaq(t.deps.pool, null, { question: GLOBAL_Q, answer: GLOBAL_A, language: 'en' })
  A = await tenantA(t)
  B = await createTenantB(t)
  await t.deps.worker!.drain()
})
afterAll(() => t.close())

/** [label, auth, tenant, user id], read lazily (the fixtures exist only after beforeAll). */
const MEMBERS = ['A owner', 'A agent', 'B owner', 'B agent'] as const
const member = (label: (typeof MEMBERS)[number]) => {
  const f = label.startsWith('A') ? A : B
  const owner = label.endsWith('owner')
  return { auth: owner ? f.owner : f.agent, self: f, sub: owner ? f.ownerId : f.agentId }
}

async function search(auth: Record<string, string>, tenant: string, query: string) {
  const body = await ok(
    await t.json('POST', `/v1/tenants/${tenant}/knowledge/search`, { query, k: 20 }, auth),
  )
  return body.passages as { source: { id: string }; text: string }[]
}

describe('global knowledge is read by every tenant', () => {
  it.each([
    ['A', () => A],
    ['B', () => B],
  ])('tenant %s finds the global passage in retrieval testing and in a visitor answer', async (_n, who) => {
    const passages = await search(who().owner, who().tenant, 'axolotl shipments insured')
    expect(passages.map((p) => p.source.id)).toContain(globalFaq)
    const reply = await ok(
      await t.json(
        'POST',
        `/v1/sessions/${who().session2}/messages`,
        { content: 'Are axolotl shipments insured?', client_message_id: `g-${_n}` },
        {
          authorization: `Bearer ${who().session2Token}`,
        },
      ),
    )
    expect(reply.reply.content).toContain('GLOBALKB')
  })
})

describe('global knowledge cannot be changed or deleted by any tenant', () => {
  const globalRoutes = () => {
    const seen = new Set<string>()
    return createApp(t.deps)
      .routes.filter((r) => r.method !== 'ALL' && /\/knowledge\/(faqs|sources)\/:id/.test(r.path))
      .filter((r) => !seen.has(`${r.method} ${r.path}`) && !!seen.add(`${r.method} ${r.path}`))
  }
  const BODY: Record<string, unknown> = { PATCH: { answer: 'PWNED-GLOBAL' } }

  it('covers every knowledge route that takes a source id', () => {
    expect(
      globalRoutes()
        .map((r) => `${r.method} ${r.path}`)
        .sort(),
    ).toEqual(
      expect.arrayContaining([
        'DELETE /v1/tenants/:t/knowledge/faqs/:id',
        'DELETE /v1/tenants/:t/knowledge/sources/:id',
        'GET /v1/tenants/:t/knowledge/faqs/:id',
        'PATCH /v1/tenants/:t/knowledge/faqs/:id',
        'POST /v1/tenants/:t/knowledge/sources/:id/refresh',
      ]),
    )
  })

  it.each(MEMBERS)('%s: every faq/source route on the global id is 404 (or 403)', async (who) => {
    const { auth, self } = member(who)
    for (const r of globalRoutes()) {
      const path = r.path.replace(':t', self.tenant).replace(':id', globalFaq)
      const res = await t.json(r.method, path, BODY[r.method], auth)
      await expectRefused(res, ['GLOBALKB', 'axolotl'], [403, 404], `${who} ${r.method} ${path}`)
    }
  })

  it.each(MEMBERS)('%s: RLS refuses to update or delete global rows directly', async (who) => {
    const { self, sub } = member(who)
    for (const sql of [
      `update knowledge_sources set body = 'PWNED-GLOBAL' where id = $1`,
      `update knowledge_sources set tenant_id = '${self.tenant}' where id = $1`,
      `delete from knowledge_sources where id = $1`,
      `update knowledge_chunks set content = 'PWNED-GLOBAL' where source_id = $1`,
      `delete from knowledge_chunks where source_id = $1`,
    ]) {
      const r = await withMemberTx(
        t.deps.pool,
        { sub, role: 'authenticated' },
        async (db) => (await db.query(sql, [globalFaq])).rowCount,
      ).catch((err: { code?: string }) => err.code)
      expect(r === 0 || r === '42501', `${sql}: ${r}`).toBe(true)
    }
  })

  it('the global rows are intact afterwards, with no job queued for them', async () => {
    const src = await t.deps.pool.query(`select tenant_id, body from knowledge_sources where id = $1`, [
      globalFaq,
    ])
    expect(src.rows).toEqual([{ tenant_id: null, body: GLOBAL_A }])
    const chunks = await t.deps.pool.query(
      `select tenant_id, content from knowledge_chunks where source_id = $1`,
      [globalFaq],
    )
    expect(chunks.rows).toEqual([{ tenant_id: null, content: GLOBAL_A }])
    expect(
      (await t.deps.pool.query(`select 1 from knowledge_jobs where source_id = $1`, [globalFaq])).rows,
    ).toHaveLength(0)
  })
})

describe("a tenant's knowledge never becomes global", () => {
  it('every chunk, page and job carries its source tenant (never NULL for a tenant source)', async () => {
    const q = async (sql: string) => (await t.deps.pool.query(sql)).rows
    expect(
      await q(
        `select c.id from knowledge_chunks c join knowledge_sources s on s.id = c.source_id where c.tenant_id is distinct from s.tenant_id`,
      ),
    ).toEqual([])
    expect(
      await q(
        `select p.id from website_pages p join knowledge_sources s on s.id = p.source_id where p.tenant_id is distinct from s.tenant_id`,
      ),
    ).toEqual([])
    expect(
      await q(
        `select j.id from knowledge_jobs j join knowledge_sources s on s.id = j.source_id where j.tenant_id is distinct from s.tenant_id`,
      ),
    ).toEqual([])
    // The only global rows are the operator's.
    expect((await q(`select id from knowledge_sources where tenant_id is null`)).map((r) => r.id)).toEqual([
      globalFaq,
    ])
  })

  it.each([
    ["B searching A's document and FAQ words", () => B, () => A, 'pelican handbook private question'],
    [
      "A searching B's document and FAQ words",
      () => A,
      () => B,
      'zebrafinch warranty quokkaphone battery manual',
    ],
  ])('%s finds only its own and global passages', async (_n, self, other, query) => {
    // Exact text of the other's rows: both full-text and vector search would rank them first if the filter leaked.
    const otherText = (
      await t.deps.pool.query(
        `select content from knowledge_chunks where tenant_id = $1 order by created_at desc limit 1`,
        [other().tenant],
      )
    ).rows[0].content
    for (const q of [query, otherText]) {
      const passages = await search(self().owner, self().tenant, q)
      const owners = await t.deps.pool.query(
        `select distinct tenant_id from knowledge_chunks where id = any($1)`,
        [passages.map((p: any) => p.chunk_id)],
      )
      for (const row of owners.rows) expect([self().tenant, null]).toContain(row.tenant_id)
      const text = JSON.stringify(passages)
      for (const s of other().secrets) expect(text).not.toContain(s)
    }
  })

  it("a visitor of B asking with A's exact words gets nothing of A", async () => {
    const aText = (
      await t.deps.pool.query(
        `select content from knowledge_chunks where tenant_id = $1 and content like 'ASECRET%' limit 1`,
        [A.tenant],
      )
    ).rows[0].content
    const res = await ok(
      await t.json(
        'POST',
        `/v1/sessions/${B.session2}/messages`,
        { content: aText, client_message_id: 'x-a' },
        { authorization: `Bearer ${B.session2Token}` },
      ),
    )
    // The visitor's own message carries the words they typed; the answer and its sources must not.
    const text = JSON.stringify(res.reply)
    for (const s of A.secrets) expect(text).not.toContain(s)
    expect(text).not.toContain('pelican')
  })

  it('under RLS a member reads their own and global rows, never the other tenant', async () => {
    for (const [sub, self, other] of [
      [A.agentId, A, B],
      [B.agentId, B, A],
    ] as const) {
      const rows = await withMemberTx(t.deps.pool, { sub, role: 'authenticated' }, async (db) =>
        (
          await db.query(
            `select distinct tenant_id from knowledge_chunks union select distinct tenant_id from knowledge_sources`,
          )
        ).rows.map((r) => r.tenant_id),
      )
      expect(rows).toContain(null)
      expect(rows).toContain(self.tenant)
      expect(rows).not.toContain(other.tenant)
    }
  })
})
