import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Deps } from '../../../api/src/deps'
import { createQdrantStore } from '../../../api/src/knowledge/qdrant-store'
import { createPgvectorStore } from '../../../api/src/knowledge/pgvector-store'
import type { VectorStore } from '../../../api/src/knowledge/vector-store'
import { createTestDeps, TENANT } from '../../helpers/app'

/**
 * One contract for every VectorStore: pgvector always, Qdrant when QDRANT_URL is set. Chunk rows
 * exist in Postgres for both (a store only holds vectors), so the fixture writes real rows first.
 */
const OTHER = '00000000-0000-4000-8000-00000000ff01'
const MODEL = `contract-${randomUUID().slice(0, 8)}`
const DIM = 8
const unit = (i: number) => Array.from({ length: DIM }, (_, j) => (j === i ? 1 : 0.05))

const implementations: { name: string; make: (deps: Deps) => VectorStore }[] = [
  { name: 'pgvector', make: (deps) => createPgvectorStore(deps.pool) },
]
if (process.env.QDRANT_URL) {
  implementations.push({
    name: 'qdrant',
    make: () =>
      createQdrantStore({
        url: process.env.QDRANT_URL!,
        apiKey: process.env.QDRANT_API_KEY,
        prefix: `test_${randomUUID().slice(0, 8)}`,
      }),
  })
} else {
  console.info('[vector-store contract] Qdrant: SKIPPED (QDRANT_URL is not set); pgvector: run.')
}

describe.each(implementations)('VectorStore contract: $name', ({ make }) => {
  let deps: Deps
  let store: VectorStore
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    deps = await createTestDeps({ WORKER: '0' }, { embedded: true }) // pgvector: PGlite has it
    store = make(deps)
    await deps.pool.query(`insert into tenants (id, name, slug) values ($1, 'Other', 'other-contract')`, [
      OTHER,
    ])
    // Chunks: tenant A near axis 0 and 1, tenant B near axis 0, global near axis 2, A-bot-only near axis 3.
    const rows: [string, string | null, number, string | null][] = [
      ['a0', TENANT, 0, null],
      ['a1', TENANT, 1, null],
      ['b0', OTHER, 0, null],
      ['g2', null, 2, null],
      ['bot3', TENANT, 3, '00000000-0000-4000-8000-0000000000b1'],
    ]
    for (const [name, tenant, , bot] of rows) {
      const src = await deps.pool.query(
        `insert into knowledge_sources (tenant_id, bot_id, kind, title, body) values ($1, $2, 'text', $3, 'x') returning id`,
        [tenant, bot, name],
      )
      const chunk = await deps.pool.query(
        `insert into knowledge_chunks (tenant_id, bot_id, source_id, title, content) values ($1, $2, $3, $4, 'x') returning id`,
        [tenant, bot, src.rows[0].id, name],
      )
      ids[name] = chunk.rows[0].id
      ids[`src:${name}`] = src.rows[0].id
    }
    await store.upsert(
      MODEL,
      rows.map(([name, tenant, axis, bot]) => ({
        id: ids[name]!,
        tenant_id: tenant,
        bot_id: bot,
        source_id: ids[`src:${name}`]!,
        vector: unit(axis),
      })),
    )
  })
  afterAll(async () => {
    await store.close?.()
    await deps.db.close()
  })

  const search = (tenant: string, axis: number, bot: string | null = null, k = 10) =>
    store.search(MODEL, { tenant_id: tenant, bot_id: bot, vector: unit(axis), k })

  it('returns the nearest chunk first, with a cosine similarity', async () => {
    const hits = await search(TENANT, 1)
    expect(hits[0]!.id).toBe(ids.a1)
    expect(hits[0]!.similarity).toBeGreaterThan(0.95)
    expect(hits[1]!.similarity).toBeLessThan(hits[0]!.similarity)
  })

  it("never returns another tenant's chunks, but does return global ones", async () => {
    const a = (await search(TENANT, 0)).map((h) => h.id)
    expect(a).toContain(ids.a0)
    expect(a).toContain(ids.g2)
    expect(a).not.toContain(ids.b0)
    const b = (await search(OTHER, 0)).map((h) => h.id)
    expect(b).toEqual(expect.arrayContaining([ids.b0, ids.g2]))
    expect(b).not.toContain(ids.a0)
    expect(b).not.toContain(ids.a1)
  })

  it("limits to the bot's own and tenant-wide sources when a bot is named", async () => {
    const other = (await search(TENANT, 3, '00000000-0000-4000-8000-00000000beef')).map((h) => h.id)
    expect(other).not.toContain(ids.bot3)
    const mine = (await search(TENANT, 3, '00000000-0000-4000-8000-0000000000b1')).map((h) => h.id)
    expect(mine[0]).toBe(ids.bot3)
  })

  it('honours k', async () => {
    expect(await search(TENANT, 0, null, 2)).toHaveLength(2)
  })

  it('upsert replaces a vector; deleteIds removes it from results', async () => {
    await store.upsert(MODEL, [
      { id: ids.a1!, tenant_id: TENANT, bot_id: null, source_id: ids['src:a1']!, vector: unit(4) },
    ])
    expect((await search(TENANT, 4))[0]!.id).toBe(ids.a1)
    await store.deleteIds(MODEL, [ids.a1!])
    if (store.name === 'pgvector')
      await deps.pool.query('delete from knowledge_chunks where id = $1', [ids.a1])
    expect((await search(TENANT, 4)).map((h) => h.id)).not.toContain(ids.a1)
  })

  it('deleteSource removes every vector of a source', async () => {
    await store.deleteSource(MODEL, ids['src:a0']!)
    if (store.name === 'pgvector')
      await deps.pool.query('delete from knowledge_sources where id = $1', [ids['src:a0']])
    expect((await search(TENANT, 0)).map((h) => h.id)).not.toContain(ids.a0)
  })

  it('keeps models apart: a search in another model finds nothing of this one', async () => {
    expect(
      await store.search(`${MODEL}-other`, { tenant_id: TENANT, bot_id: null, vector: unit(0), k: 5 }),
    ).toEqual([])
  })
})
