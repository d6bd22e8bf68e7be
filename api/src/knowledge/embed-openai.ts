import OpenAI from 'openai'
import type { Config } from '../config'
import type { Embedder } from './embedder'
import { createLocalEmbedder } from './embed-local'

/**
 * The configured embedder: an embeddings model on the OpenAI-compatible server when EMBEDDING_MODEL
 * names one and a key is set, otherwise the local deterministic one (no download, no network).
 */
export function createEmbedder(config: Config): Embedder {
  if (config.EMBEDDING_MODEL === 'local' || !config.LLM_API_KEY)
    return createLocalEmbedder(config.EMBEDDING_DIMENSIONS)
  const client = new OpenAI({
    apiKey: config.LLM_API_KEY,
    baseURL: config.LLM_BASE_URL,
    maxRetries: 2,
    timeout: config.LLM_TIMEOUT_MS,
  })
  const model = config.EMBEDDING_MODEL
  const batch = config.EMBEDDING_BATCH
  let dimension = config.EMBEDDING_DIMENSIONS ?? 0
  return {
    model,
    get dimension() {
      return dimension
    },
    async embed(texts) {
      const out: number[][] = []
      for (let i = 0; i < texts.length; i += batch) {
        const res = await client.embeddings.create({
          model,
          input: texts.slice(i, i + batch),
          ...(config.EMBEDDING_DIMENSIONS ? { dimensions: config.EMBEDDING_DIMENSIONS } : {}),
          encoding_format: 'float',
        })
        for (const d of [...res.data].sort((a, b) => a.index - b.index)) out.push(d.embedding)
      }
      if (out[0]) dimension = out[0].length
      return out
    },
  }
}
