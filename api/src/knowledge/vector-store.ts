/** One chunk's vector and the fields searches filter on. */
interface VectorPoint {
  id: string
  tenant_id: string | null
  bot_id: string | null
  source_id: string
  vector: number[]
}

export interface VectorQuery {
  tenant_id: string
  /** Limit to this bot's sources plus the tenant-wide ones; null: every source of the tenant. */
  bot_id: string | null
  vector: number[]
  k: number
}

export interface VectorHit {
  id: string
  /** Cosine similarity, -1..1. */
  similarity: number
}

/**
 * Where chunk vectors live and are searched. The chunk rows (text, citation fields, full-text
 * vector) are always in Postgres; a store only answers "which chunk ids are nearest". Every search is
 * scoped to one tenant plus global knowledge (tenant NULL).
 */
export interface VectorStore {
  readonly name: string
  upsert(model: string, points: VectorPoint[]): Promise<void>
  deleteSource(model: string, sourceId: string): Promise<void>
  deleteIds(model: string, ids: string[]): Promise<void>
  search(model: string, query: VectorQuery): Promise<VectorHit[]>
  /** Creates what a model needs (its index) ahead of use, while the connection still owns the tables. */
  prepare?(model: string, dim: number): Promise<void>
  close?(): Promise<void>
}
