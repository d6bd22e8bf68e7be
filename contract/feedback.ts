import type { Source } from './message'

/** What a visitor sends about a conversation. */

/** `POST /v1/sessions/:id/messages/:messageId/feedback` body. */
export interface FeedbackRequest {
  rating: 'up' | 'down'
  comment?: string
}

/** `POST /v1/sessions/:id/rating` body (CSAT, once resolved). */
export interface RatingRequest {
  score: number
  comment?: string
}

/** `POST /v1/sessions/:id/escalate` body. */
export interface EscalateRequest {
  reason?: string
}

/** `POST /v1/sessions/:id/typing` body (and the console's `.../typing`). */
export interface TypingRequest {
  typing: boolean
}

/** Improvement kinds and review states (seed 000 message_feedback). */
export type FeedbackType = 'improve_response' | 'add_context' | 'fix_error' | 'enhance_tone'
export type ImprovementStatus = 'pending' | 'in_review' | 'applied' | 'rejected'

/** A better answer to a bot message: `GET|POST /v1/tenants/:t/improvements`, `PATCH .../:id`. */
export interface Improvement {
  id: string
  bot_id: string
  session_id: string | null
  message_id: string | null
  question: string
  original_response: string
  improved_response: string
  feedback_type: FeedbackType
  status: ImprovementStatus
  similarity_keywords: string[]
  language: string
  times_applied: number
  last_applied_at: string | null
  created_by: string | null
  reviewed_by: string | null
  reviewed_at: string | null
  created_at: string
  updated_at: string
}

/** One rated answer of `GET /v1/tenants/:t/feedback` (`{items, next_cursor}`). */
export interface FeedbackItem {
  id: string
  message: {
    id: string
    session_id: string
    seq: number
    content: string
    created_at: string
    confidence: number | null
    model: string | null
  }
  bot_id: string
  question: string | null
  /** A visitor's thumbs on this answer, or "low": the conversation got a CSAT of 1 or 2 (`csat`). */
  rating: 'up' | 'down' | 'low'
  csat: number | null
  comment: string | null
  created_at: string
  /** The cited sources, with the passage's answerability scores when the answer stored them. */
  sources: {
    id: string
    kind?: 'improvement'
    chunk_id?: string
    title: string
    url: string | null
    snippet: string
    scores: { retrieval: number; coverage: number } | null
  }[]
  improvement: Improvement | null
}

/** What a good answer must do: `GET|POST /v1/bots/:b/answer-tests`. */
export interface AnswerTest {
  id: string
  bot_id: string
  question: string
  expect: { contains?: string[]; escalates?: boolean; declines?: boolean }
  /** Set when an applied improvement added the test. */
  improvement_id: string | null
  created_at: string
  updated_at: string
}

export interface AnswerVerdict {
  passed: boolean
  answer: string
  reasons: string[]
}

export interface AnswerTestResult extends AnswerVerdict {
  test_id: string
  question: string
  compare?: AnswerVerdict
}

/** A run of a bot's tests (the last five come with `GET /v1/bots/:b/answer-tests`). */
export interface AnswerTestRun {
  id: string
  bot_id: string
  trigger: 'manual' | 'prompt' | 'knowledge' | 'threshold' | 'improvement' | 'model'
  model_version_id: string | null
  compare_model_version_id: string | null
  status: 'pending' | 'running' | 'done' | 'failed'
  results: AnswerTestResult[]
  passed: number
  failed: number
  changes: { newly_failing?: string[]; newly_passing?: string[] }
  error: string | null
  created_at: string
  finished_at: string | null
}

/** `POST /v1/bots/:b/answer-tests/run`: the run's results and what changed since the previous run. */
export interface AnswerTestRunResult {
  run_id: string
  results: AnswerTestResult[]
  passed: number
  failed: number
  changes: { newly_failing?: string[]; newly_passing?: string[] }
}

/** A passage the playground's dry run weighed, with its answerability scores. */
export interface PlaygroundPassage {
  chunk_id: string
  source: { id: string; kind: string; title: string | null; url: string | null }
  language: string
  snippet: string
  /** 0..1 answerability: the bot answers from passages at or above the threshold. */
  score: number
  coverage: number
  retrieval: number
  /** How many of the question's specific words (countries, numbers, names) the passage lacks. */
  missing: number
  /** True when the answer cites this passage. */
  cited: boolean
}

/** `POST /v1/bots/:b/playground`: the answer the bot would give, stored nowhere. */
export interface PlaygroundResult {
  answer: string
  declined: boolean
  /** The best passage's answerability, compared with `threshold`. */
  confidence: number
  threshold: number
  language: string
  model: string
  /** What the answer cites, in the order of its [n] marks. */
  sources: Source[]
  passages: PlaygroundPassage[]
}

/** `GET|POST /v1/tenants/:t/model-versions`, `PATCH .../:id`. */
export interface ModelVersion {
  id: string
  bot_id: string | null
  model_name: string
  base_model: string
  version: string
  training_dataset_id: string | null
  status: 'training' | 'ready' | 'deprecated'
  metrics: Record<string, number | string | boolean>
  is_active: boolean
  created_at: string
  updated_at: string
}
