import type pg from 'pg'
import type { AnalyticsWorker } from './analytics/worker'
import type { Llm } from './answers/llm'
import type { ChannelWorker } from './channels/worker'
import type { Config } from './config'
import type { AnswerTestWorker } from './feedback/answer-tests'
import type { Secrets } from './crypto/secrets'
import type { Notifier } from './escalation/notify'
import type { Limiters } from './http/limits'
import type { TokenBudget } from './answers/token-budget'
import type { Database } from './db/database'
import type { Claims } from './db/tx'
import type { Embedder } from './knowledge/embedder'
import type { Storage } from './knowledge/storage'
import type { VectorStore } from './knowledge/vector-store'
import type { KnowledgeWorker } from './knowledge/worker'
import type { Logger } from './logger'
import type { Bus } from './realtime/bus'
import type { StreamRegistry } from './realtime/streams'

/** What the app is built from: passed once to createApp, reachable in handlers as c.var.deps. */
export interface Deps {
  config: Config
  db: Database
  pool: pg.Pool
  bus: Bus
  streams: StreamRegistry
  log: Logger
  jwtSecret: Uint8Array
  /** The configured chat model, or null: answers are then extractive. */
  llm: Llm | null
  embedder: Embedder
  store: VectorStore
  storage: Storage
  /** Wakes the knowledge worker when a job is queued (no-op when the worker runs elsewhere). */
  kick(): void
  worker?: KnowledgeWorker
  /** Delivers escalation webhooks and e-mails (absent when the worker runs elsewhere). */
  notifier?: Notifier
  limiters: Limiters
  /** Seals and opens secrets at rest (channel tokens and app secrets). */
  secrets: Secrets
  /** Works channel events and sends (absent when the worker runs elsewhere). */
  channels?: ChannelWorker
  /** Runs the answer tests the database queues after a change (absent when the worker runs elsewhere). */
  answerTests?: AnswerTestWorker
  tokenBudget: TokenBudget
  /** Keeps analytics current and clusters topics (absent when the worker runs elsewhere). */
  analytics?: AnalyticsWorker
  /** Flipped by shutdown: /readyz fails and new streams are refused. */
  state: { ready: boolean; retrieval?: string }
}

export interface VisitorSession {
  id: string
  tenant_id: string
  bot_id: string
  status: string
}

export type AppEnv = {
  Variables: {
    deps: Deps
    requestId: string
    user: Claims
    visitor: VisitorSession & {
      allowed_origins: string[]
      identified_user_id: string | null
      identity_mode: string
    }
    /** The validated JSON body (set by jsonBody). */
    body: unknown
  }
}
