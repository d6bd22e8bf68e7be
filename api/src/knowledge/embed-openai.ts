import OpenAI from 'openai'
import type { Config } from '../config'
import type { Embedder } from './embedder'

/** An embeddings model (EMBEDDING_MODEL) on the OpenAI-compatible server the config points at. */
export function createOpenAIEmbedder(config: Config): Embedder {
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
