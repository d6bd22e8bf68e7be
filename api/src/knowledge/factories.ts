import { randomUUID } from 'node:crypto'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type pg from 'pg'
import type { Config } from '../config'
import type { Logger } from '../logger'
import { createLocalEmbedder } from './embed-local'
import { createOpenAIEmbedder } from './embed-openai'
import type { Embedder } from './embedder'
import { createPgvectorStore } from './pgvector-store'
import { createLocalStorage, createSupabaseStorage, type Storage } from './storage'
import type { VectorStore } from './vector-store'

/**
 * The one place that picks an implementation from the config: the vector store (pgvector or
 * Qdrant), the embedder (local or OpenAI-compatible) and the upload storage (local folder or
 * Supabase). The interfaces and their implementations know nothing of each other or of this choice.
 */

/** The configured store: pgvector unless VECTOR_STORE=qdrant. */
export async function createVectorStore(
  config: Config,
  pool: pg.Pool,
  pgvector: { iterativeScan?: boolean } = {},
): Promise<VectorStore> {
  if (config.VECTOR_STORE === 'qdrant') {
    if (!config.QDRANT_URL) throw new Error('VECTOR_STORE=qdrant needs QDRANT_URL')
    const { createQdrantStore } = await import('./qdrant-store')
    return createQdrantStore({ url: config.QDRANT_URL, apiKey: config.QDRANT_API_KEY })
  }
  return createPgvectorStore(pool, pgvector)
}

/** Without pgvector (and no other store): no vectors are kept, retrieval is full text only. */
export const noVectors: VectorStore = {
  name: 'none',
  async upsert() {},
  async deleteSource() {},
  async deleteIds() {},
  async search() {
    return []
  },
}

/** Retrieval falls back to full text when a vector search fails; the failure is logged, never silent. */
export function logSearchFailures(store: VectorStore, log: Logger): VectorStore {
  return Object.assign(Object.create(store) as VectorStore, {
    search: async (model: string, q: Parameters<VectorStore['search']>[1]) => {
      try {
        return await store.search(model, q)
      } catch (err) {
        log.error('vector search failed; this answer uses full text only', {
          store: store.name,
          err: String(err),
        })
        throw err
      }
    },
  })
}

/**
 * The configured embedder: an embeddings model on the OpenAI-compatible server when EMBEDDING_MODEL
 * names one and a key is set, otherwise the local deterministic one (no download, no network).
 */
export function createEmbedder(config: Config): Embedder {
  if (config.EMBEDDING_MODEL === 'local' || !config.LLM_API_KEY)
    return createLocalEmbedder(config.EMBEDDING_DIMENSIONS)
  return createOpenAIEmbedder(config)
}

/** Supabase Storage when SUPABASE_URL and a service key are set; the local folder otherwise. */
export async function createStorage(config: Config): Promise<Storage> {
  if (config.SUPABASE_URL && config.SUPABASE_SERVICE_ROLE_KEY) {
    return createSupabaseStorage(
      config.SUPABASE_URL,
      config.SUPABASE_SERVICE_ROLE_KEY,
      config.SUPABASE_STORAGE_BUCKET,
    )
  }
  // A throw-away database gets throw-away storage.
  const dir =
    config.DATABASE_URL === 'memory://'
      ? join(tmpdir(), `parley-uploads-${process.pid}-${randomUUID().slice(0, 8)}`)
      : config.STORAGE_DIR
  return createLocalStorage(dir)
}
