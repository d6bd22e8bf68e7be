import { createHash } from 'node:crypto'
import type pg from 'pg'
import { withTx } from '../db/tx'
import type { VectorStore } from './vector-store'

const toSql = (v: number[]) => `[${v.join(',')}]`

/** The partial HNSW index of one embedding model and dimension: its name and the statement creating it. */
export function hnswIndexSql(model: string, dim: number) {
  const name = `knowledge_chunks_hnsw_${createHash('sha256').update(`${model}:${dim}`).digest('hex').slice(0, 12)}`
  return {
    name,
    sql: `create index if not exists ${name} on public.knowledge_chunks
             using hnsw ((embedding::vector(${dim})) vector_cosine_ops) with (m = 16, ef_construction = 64)
             where embedding_model = '${model.replace(/'/g, "''")}'`,
  }
}

/**
 * The nearest-neighbour search: $1 the query vector, $2 the model, $3 the tenant, $4 the bot (or null),
 * $5 how many. Also what bench/retrieval.ts explains and runs exactly.
 */
export function searchSql(dim: number) {
  return `select id, 1 - dist as similarity from (
             select c.id, (c.embedding::vector(${dim})) <=> $1::vector(${dim}) as dist
               from public.knowledge_chunks c
              where c.embedding_model = $2 and c.is_active
                and (c.tenant_id = $3 or c.tenant_id is null)
                and ($4::uuid is null or c.bot_id is null or c.bot_id = $4)
              order by dist limit $5) r
            order by dist`
}

/**
 * pgvector in the same database: vectors in knowledge_chunks.embedding (a dimension-free column), one
 * partial HNSW index per embedding model over `embedding::vector(dim)`, created on first use. The
 * index is partial on the model so two models of different sizes never mix, and searches use iterative
 * scans so a tenant filter does not starve the result list.
 */
export function createPgvectorStore(
  pool: pg.Pool,
  opts: { efSearch?: number; iterativeScan?: boolean } = {},
): VectorStore {
  const ensured = new Map<string, Promise<void>>()
  const efSearch = opts.efSearch ?? 100

  function ensure(model: string, dim: number) {
    const key = `${model}:${dim}`
    let done = ensured.get(key)
    if (!done) {
      const { name, sql } = hnswIndexSql(model, dim)
      done = (async () => {
        const exists = await pool.query(
          `select 1 from pg_indexes where schemaname = 'public' and indexname = $1`,
          [name],
        )
        if (exists.rows[0]) return
        try {
          await pool.query(sql)
        } catch (err) {
          // The app role owns no table: without the index, searches are exact (slower, still correct).
          // `npm run reindex` (run as the owner) creates it.
          if ((err as { code?: string }).code !== '42501') throw err
        }
      })()
      done.catch(() => ensured.delete(key))
      ensured.set(key, done)
    }
    return done
  }

  return {
    name: 'pgvector',
    prepare: (model, dim) => ensure(model, dim),
    async upsert(model, points) {
      if (!points.length) return
      const dim = points[0]!.vector.length
      await ensure(model, dim)
      await pool.query(
        `update public.knowledge_chunks c set embedding = v.embedding::vector, embedding_model = $3
           from unnest($1::uuid[], $2::text[]) as v(id, embedding) where c.id = v.id`,
        [points.map((p) => p.id), points.map((p) => toSql(p.vector)), model],
      )
    },
    // Vectors live in the chunk rows: deleting the rows (or the source, by cascade) deletes them.
    async deleteSource() {},
    async deleteIds() {},
    async search(model, q) {
      const dim = q.vector.length
      await ensure(model, dim)
      return withTx(pool, async (db) => {
        await db.query(
          // pgvector < 0.8 has no iterative scans (and refuses the setting): a plain HNSW query there.
          opts.iterativeScan === false
            ? `select set_config('hnsw.ef_search', $1, true)`
            : `select set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
          [String(Math.max(efSearch, q.k))],
        )
        // Planned with its values at each call (a config object is never prepared: db/database.ts): a
        // generic plan for a nearest-neighbour search is slower.
        const { rows } = await db.query({
          text: searchSql(dim),
          values: [toSql(q.vector), model, q.tenant_id, q.bot_id, q.k],
        })
        return rows.map((r) => ({ id: r.id as string, similarity: Number(r.similarity) }))
      })
    },
  }
}
