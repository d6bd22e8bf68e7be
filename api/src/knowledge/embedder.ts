/**
 * Something that turns texts into vectors for retrieval. Two implementations share it: the
 * OpenAI-compatible embedder (any server the config points at) and the local hashing embedder
 * (embed-local.ts), used when no API key is configured.
 */
export interface Embedder {
  /** Stored beside every vector (knowledge_chunks.embedding_model): vectors of different models are never compared. */
  readonly model: string
  /** Length of every vector this embedder returns. */
  readonly dimension: number
  /** One vector per text, in order. Vectors are L2-normalised, so cosine similarity is a dot product. */
  embed(texts: string[]): Promise<number[][]>
}
