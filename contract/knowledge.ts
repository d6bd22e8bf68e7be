/** Knowledge sources, FAQs and retrieval testing (api/src/knowledge/routes.ts, faqs.ts). */

export type SourceKind = 'faq' | 'document' | 'website' | 'text' | 'improvement'
export type SourceStatus = 'pending' | 'processing' | 'ready' | 'failed'
export type CrawlFrequency = 'manual' | 'daily' | 'weekly'

/** `GET /v1/tenants/:t/knowledge/sources` items. */
export interface KnowledgeSource {
  id: string
  tenant_id: string
  bot_id: string | null
  kind: SourceKind
  title: string
  url: string | null
  language: string
  mime_type: string | null
  byte_size: number | null
  status: SourceStatus
  /** A sentence a person can read, when status is failed. */
  error: string | null
  crawl_frequency: CrawlFrequency | null
  max_pages: number | null
  /** Passages (chunks) the source was cut into. */
  chunk_count: number | null
  last_processed_at: string | null
  next_crawl_at: string | null
  created_at: string
  updated_at: string
  filename: string | null
  /** Pages in a document (PDF), when known. */
  pages: number | null
  skipped: unknown[]
}

export interface WebsitePage {
  id: string
  url: string
  title: string | null
  status: string
  error: string | null
  last_crawled_at: string | null
}

export interface KnowledgeJob {
  id: string
  kind: 'process' | 'crawl' | string
  status: string
  attempts: number
  last_error: string | null
  run_at: string | null
  created_at: string
  updated_at: string
}

/** `GET /v1/tenants/:t/knowledge/sources/:id`. */
export interface KnowledgeSourceDetail {
  source: KnowledgeSource
  pages: WebsitePage[]
  jobs: KnowledgeJob[]
}

export interface Faq {
  id: string
  question: string
  answer: string
  language: string
  url: string | null
  bot_id: string | null
  created_at: string
  updated_at: string
}

export interface FaqInput {
  question: string
  answer: string
  language?: string
  url?: string | null
  bot_id?: string | null
}

/** `POST /v1/tenants/:t/knowledge/search`. */
export interface SearchPassage {
  rank: number
  chunk_id: string
  source: {
    id: string
    kind: SourceKind
    title: string
    url: string | null
    page: number | null
    /** The headings above the passage, outermost first. */
    heading_path: string[]
  }
  text: string
  language: string
  scores: { text_rank: number; coverage: number; similarity: number; fused: number }
  confidence: number
}

export interface SearchResult {
  query: string
  embedding_model: string
  vector_store: string
  took_ms: number
  passages: SearchPassage[]
}
