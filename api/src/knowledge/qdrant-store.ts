import { QdrantClient } from '@qdrant/js-client-rest'
import type { VectorStore } from './vector-store'

/**
 * Qdrant as the scale-out vector store: one collection per embedding model (named after it and its
 * size), the tenant as an indexed payload field so a search filters inside the HNSW walk. Global
 * knowledge carries tenant_id "global". Chunk ids are UUIDs, which Qdrant accepts as point ids.
 */
export function createQdrantStore(opts: { url: string; apiKey?: string; prefix?: string }): VectorStore {
  const client = new QdrantClient({ url: opts.url, apiKey: opts.apiKey, checkCompatibility: false })
  const prefix = opts.prefix ?? 'parley'
  const ready = new Map<string, Promise<void>>()
  const slug = (model: string) => model.replace(/[^a-zA-Z0-9_-]/g, '_')
  const collection = (model: string, dim: number) => `${prefix}_${slug(model)}_${dim}`

  /** Every collection of a model (any size): deletes must reach vectors written before a restart too. */
  async function collectionsOf(model: string) {
    const { collections } = await client.getCollections()
    return collections.map((c) => c.name).filter((n) => n.startsWith(`${prefix}_${slug(model)}_`))
  }

  function ensure(model: string, dim: number) {
    const name = collection(model, dim)
    let done = ready.get(name)
    if (!done) {
      done = (async () => {
        const { exists } = await client.collectionExists(name)
        if (!exists) {
          await client.createCollection(name, { vectors: { size: dim, distance: 'Cosine' } })
          await client.createPayloadIndex(name, {
            field_name: 'tenant_id',
            field_schema: { type: 'keyword', is_tenant: true } as never,
            wait: true,
          })
          await client.createPayloadIndex(name, {
            field_name: 'source_id',
            field_schema: 'keyword',
            wait: true,
          })
          await client.createPayloadIndex(name, { field_name: 'bot_id', field_schema: 'keyword', wait: true })
        }
      })()
      done.catch(() => ready.delete(name))
      ready.set(name, done)
    }
    return done.then(() => name)
  }

  return {
    name: 'qdrant',
    async upsert(model, points) {
      if (!points.length) return
      const name = await ensure(model, points[0]!.vector.length)
      await client.upsert(name, {
        wait: true,
        points: points.map((p) => ({
          id: p.id,
          vector: p.vector,
          payload: { tenant_id: p.tenant_id ?? 'global', bot_id: p.bot_id ?? 'all', source_id: p.source_id },
        })),
      })
    },
    async deleteSource(model, sourceId) {
      for (const name of await collectionsOf(model)) {
        await client.delete(name, {
          wait: true,
          filter: { must: [{ key: 'source_id', match: { value: sourceId } }] },
        })
      }
    },
    async deleteIds(model, ids) {
      if (!ids.length) return
      for (const name of await collectionsOf(model)) await client.delete(name, { wait: true, points: ids })
    },
    async search(model, q) {
      const name = await ensure(model, q.vector.length)
      const must: unknown[] = [{ key: 'tenant_id', match: { any: [q.tenant_id, 'global'] } }]
      if (q.bot_id) must.push({ key: 'bot_id', match: { any: [q.bot_id, 'all'] } })
      const res = await client.query(name, {
        query: q.vector,
        limit: q.k,
        filter: { must } as never,
        with_payload: false,
      })
      return res.points.map((r) => ({ id: String(r.id), similarity: r.score }))
    },
  }
}
