/** The Feedback page's calls: rated answers, improvements, a bot's answer tests and model versions. */
import type {
  AnswerTest,
  AnswerTestRunResult,
  AnswerTestRun,
  FeedbackItem,
  FeedbackType,
  Improvement,
  ImprovementStatus,
  ModelVersion,
} from '../../../../contract'
import { downloadFile, request } from '../../api'

const t = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`
const b = (botId: string) => `/v1/bots/${encodeURIComponent(botId)}`

export interface FeedbackFilters {
  rating?: 'up' | 'down' | 'low' | ''
  status?: ImprovementStatus | 'none' | ''
  bot_id?: string
  from?: string
  to?: string
}

export interface ImprovementInput {
  message_id: string
  improved_response: string
  feedback_type: FeedbackType
  similarity_keywords?: string[]
}

export interface ModelVersionInput {
  model_name: string
  base_model: string
  version: string
  bot_id?: string
  status?: ModelVersion['status']
}

export type ModelVersionPatch = Partial<Pick<ModelVersion, 'status' | 'is_active' | 'metrics' | 'bot_id'>>

export const feedbackApi = {
  list: (tenantId: string, f: FeedbackFilters, cursor?: string | null) => {
    const q = new URLSearchParams()
    for (const [k, v] of Object.entries(f)) if (v) q.set(k, v)
    if (cursor) q.set('cursor', cursor)
    const qs = q.toString()
    return request<{ items: FeedbackItem[]; next_cursor: string | null }>(
      `${t(tenantId)}/feedback${qs ? '?' + qs : ''}`,
    )
  },
  improve: (tenantId: string, body: ImprovementInput) =>
    request<{ improvement: Improvement }>(`${t(tenantId)}/improvements`, { body }),
  review: (tenantId: string, id: string, body: { status?: ImprovementStatus; improved_response?: string }) =>
    request<{ improvement: Improvement }>(`${t(tenantId)}/improvements/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body,
    }),
  improvements: (tenantId: string, status?: ImprovementStatus) =>
    request<{ improvements: Improvement[] }>(
      `${t(tenantId)}/improvements${status ? '?status=' + status : ''}`,
    ),
  tests: (botId: string) =>
    request<{ tests: AnswerTest[]; runs: AnswerTestRun[] }>(`${b(botId)}/answer-tests`),
  addTest: (botId: string, body: { question: string; expect: AnswerTest['expect'] }) =>
    request<{ test: AnswerTest }>(`${b(botId)}/answer-tests`, { body }),
  deleteTest: (botId: string, id: string) =>
    request<null>(`${b(botId)}/answer-tests/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  runTests: (botId: string) =>
    request<AnswerTestRunResult>(`${b(botId)}/answer-tests/run`, { method: 'POST' }),
  models: (tenantId: string) => request<{ model_versions: ModelVersion[] }>(`${t(tenantId)}/model-versions`),
  addModel: (tenantId: string, body: ModelVersionInput) =>
    request<{ model_version: ModelVersion }>(`${t(tenantId)}/model-versions`, { body }),
  patchModel: (tenantId: string, id: string, body: ModelVersionPatch) =>
    request<{ model_version: ModelVersion }>(`${t(tenantId)}/model-versions/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body,
    }),
  /** The bot's tests answered by version `a`, and again by version `b` (`results[].compare`). */
  compareModels: (botId: string, a: string, b2: string) =>
    request<AnswerTestRunResult>(
      `${b(botId)}/answer-tests/run?model_version_id=${encodeURIComponent(a)}&compare=${encodeURIComponent(b2)}`,
      { method: 'POST' },
    ),
  /** Saves the applied improvements as a chat fine-tuning file. */
  fineTuningFile: (tenantId: string) =>
    downloadFile(
      `${t(tenantId)}/improvements/export.jsonl`,
      `fine-tuning-${new Date().toISOString().slice(0, 10)}.jsonl`,
    ),
  bots: (tenantId: string) => request<{ bots: { id: string; name: string }[] }>(`${t(tenantId)}/bots`),
}
