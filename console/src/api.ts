import type {
  AnswerTestRunResult,
  EscalationRule,
  EscalationRuleInput,
  Faq,
  FaqInput,
  InboxSession as Session,
  KnowledgeSource,
  KnowledgeSourceDetail,
  Message,
  PlaygroundResult,
  RuleTestContext,
  RuleTestResult,
  SearchResult,
  SessionDetail,
  SessionSummary,
  WidgetSettingsPatch,
} from '../../contract'
import type { Availability, Bot, CannedReply, Me, Member, QueueFilters, WidgetConfig } from './types'

const TOKEN_KEY = 'parley.console.token'

/** An error answered by the API (`{error: {code, message}}`) or a network failure (`code: network`). */
export class ApiError extends Error {
  readonly status: number
  readonly code: string

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'ApiError'
    this.status = status
    this.code = code
  }
}

/** The access token lives in sessionStorage: it dies with the tab and never reaches a URL. */
export function getToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch {
    return null
  }
}

export function setToken(token: string | null): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token)
    else sessionStorage.removeItem(TOKEN_KEY)
  } catch {
    // Storage disabled: the token is then only valid until the next reload.
  }
}

let unauthorizedHandler: (() => void) | null = null

/** Called when the API refuses the stored token (401) on any call but sign-in: the app signs out. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  unauthorizedHandler = handler
}

export interface RequestOptions {
  method?: string
  body?: unknown
  signal?: AbortSignal
}

/**
 * Calls the API with the bearer token and JSON body, and turns every failure into an `ApiError`
 * carrying the contract's code and message.
 */
export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = getToken()
  if (token) headers.Authorization = `Bearer ${token}`
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  let res: Response
  try {
    res = await fetch(path, {
      method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    })
  } catch (cause) {
    if ((cause as Error)?.name === 'AbortError') throw cause
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection.', { cause })
  }
  const text = await res.text()
  let data: unknown = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = null
    }
  }
  if (!res.ok) {
    if (res.status === 401 && token && path !== '/v1/auth/login') unauthorizedHandler?.()
    const err = (data as { error?: { code?: string; message?: string } } | null)?.error
    throw new ApiError(
      res.status,
      err?.code ?? 'http_' + res.status,
      err?.message ?? `The server answered ${res.status} ${res.statusText}`.trim() + '.',
    )
  }
  return data as T
}

/**
 * Fetches an export with the bearer token (which cannot ride on a plain link) and saves it under
 * `filename`. Failures are an `ApiError` like `request`'s.
 */
export async function downloadFile(path: string, filename: string): Promise<void> {
  const token = getToken()
  let res: Response
  try {
    res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
  } catch (cause) {
    throw new ApiError(0, 'network', 'The server cannot be reached. Check your connection.', { cause })
  }
  if (!res.ok) {
    const err = (
      (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null
    )?.error
    throw new ApiError(res.status, err?.code ?? 'http_' + res.status, err?.message ?? res.statusText)
  }
  const url = URL.createObjectURL(await res.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}

const t = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`
const s = (tenantId: string, sessionId: string) => `${t(tenantId)}/sessions/${encodeURIComponent(sessionId)}`

/** The list's query string: only the filters that are set, in a stable order. */
export function queueQuery(filters: QueueFilters): string {
  const q = new URLSearchParams()
  if (filters.status) q.set('status', filters.status)
  if (filters.priority) q.set('priority', String(filters.priority))
  if (filters.assignee) q.set('assignee', filters.assignee)
  if (filters.channel) q.set('channel', filters.channel)
  const text = q.toString()
  return text ? '?' + text : ''
}

/** The console's calls, one function per route. */
export const api = {
  login: (email: string, password: string) =>
    request<{ access_token: string; user: { id: string; email: string } }>('/v1/auth/login', {
      body: { email, password },
    }),
  me: () => request<Me>('/v1/me'),
  sessions: (tenantId: string, filters: QueueFilters = {}) =>
    request<{ sessions: SessionSummary[] }>(`${t(tenantId)}/sessions${queueQuery(filters)}`),
  session: (tenantId: string, sessionId: string) => request<SessionDetail>(s(tenantId, sessionId)),
  reply: (tenantId: string, sessionId: string, content: string, isPrivate: boolean) =>
    request<{ message: Message }>(`${s(tenantId, sessionId)}/messages`, {
      body: { content, private: isPrivate },
    }),
  /** WhatsApp outside its 24-hour window: an approved template (name and language code). */
  sendTemplate: (tenantId: string, sessionId: string, template: { name: string; language: string }) =>
    request<{ message: Message }>(`${s(tenantId, sessionId)}/messages`, { body: { template } }),
  /** Takes the session: assigned to me, its escalation in progress. */
  claim: (tenantId: string, sessionId: string) =>
    request<{ session: Session }>(`${s(tenantId, sessionId)}/claim`, { body: {} }),
  /** Gives the session to another member (a user id), or unassigns it (null). */
  assign: (tenantId: string, sessionId: string, assigneeId: string | null) =>
    request<{ session: Session }>(`${s(tenantId, sessionId)}/assign`, { body: { assignee_id: assigneeId } }),
  /** The bot answers again. */
  handback: (tenantId: string, sessionId: string) =>
    request<{ session: Session }>(`${s(tenantId, sessionId)}/handback`, { body: {} }),
  resolve: (tenantId: string, sessionId: string) =>
    request<{ session: Session }>(`${s(tenantId, sessionId)}/resolve`, { body: {} }),
  typing: (tenantId: string, sessionId: string, typing: boolean) =>
    request<null>(`${s(tenantId, sessionId)}/typing`, { body: { typing } }),
  members: (tenantId: string) => request<{ members: Member[] }>(`${t(tenantId)}/members`),
  setAvailability: (tenantId: string, availability: Availability) =>
    request<{ member: Member }>(`${t(tenantId)}/members/me`, { method: 'PATCH', body: { availability } }),
  cannedReplies: (tenantId: string) =>
    request<{ canned_replies: CannedReply[] }>(`${t(tenantId)}/canned-replies`),
  createCannedReply: (tenantId: string, reply: Omit<CannedReply, 'id'>) =>
    request<{ canned_reply: CannedReply }>(`${t(tenantId)}/canned-replies`, { body: reply }),
  updateCannedReply: (tenantId: string, id: string, reply: Partial<Omit<CannedReply, 'id'>>) =>
    request<{ canned_reply: CannedReply }>(`${t(tenantId)}/canned-replies/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: reply,
    }),
  deleteCannedReply: (tenantId: string, id: string) =>
    request<null>(`${t(tenantId)}/canned-replies/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  eventsUrl: (tenantId: string) => `${t(tenantId)}/events`,
  bots: (tenantId: string) => request<{ bots: Bot[] }>(`${t(tenantId)}/bots`),
  widget: (botId: string) =>
    request<{ widget: WidgetConfig }>(`/v1/bots/${encodeURIComponent(botId)}/widget`),
  updateWidget: (botId: string, patch: WidgetSettingsPatch) =>
    request<{ widget: WidgetConfig }>(`/v1/bots/${encodeURIComponent(botId)}/widget`, {
      method: 'PATCH',
      body: patch,
    }),
  /** A new identity-verification secret, returned this once. */
  rotateIdentitySecret: (botId: string) =>
    request<{ identity_secret: string }>(`/v1/bots/${encodeURIComponent(botId)}/widget/identity-secret`, {
      body: {},
    }),

  sources: (tenantId: string) => request<{ sources: KnowledgeSource[] }>(`${t(tenantId)}/knowledge/sources`),
  source: (tenantId: string, id: string) =>
    request<KnowledgeSourceDetail>(`${t(tenantId)}/knowledge/sources/${encodeURIComponent(id)}`),
  deleteSource: (tenantId: string, id: string) =>
    request<null>(`${t(tenantId)}/knowledge/sources/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  refreshSource: (tenantId: string, id: string) =>
    request<{ source: KnowledgeSource }>(
      `${t(tenantId)}/knowledge/sources/${encodeURIComponent(id)}/refresh`,
      {
        body: {},
      },
    ),
  addWebsite: (
    tenantId: string,
    body: {
      url: string
      max_pages?: number
      crawl_frequency: 'manual' | 'daily' | 'weekly'
      bot_id?: string
    },
  ) => request<{ source: KnowledgeSource }>(`${t(tenantId)}/knowledge/websites`, { body }),
  uploadUrl: (tenantId: string) => `${t(tenantId)}/knowledge/documents`,
  faqs: (tenantId: string) => request<{ faqs: Faq[] }>(`${t(tenantId)}/knowledge/faqs`),
  createFaq: (tenantId: string, body: FaqInput) =>
    request<{ faq: Faq }>(`${t(tenantId)}/knowledge/faqs`, { body }),
  updateFaq: (tenantId: string, id: string, body: Partial<FaqInput>) =>
    request<{ faq: Faq }>(`${t(tenantId)}/knowledge/faqs/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body,
    }),
  deleteFaq: (tenantId: string, id: string) =>
    request<null>(`${t(tenantId)}/knowledge/faqs/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  search: (tenantId: string, query: string, k = 5, botId?: string) =>
    request<SearchResult>(`${t(tenantId)}/knowledge/search`, {
      body: { query, k, ...(botId ? { bot_id: botId } : {}) },
    }),

  rules: (tenantId: string) => request<{ rules: EscalationRule[] }>(`${t(tenantId)}/escalation-rules`),
  createRule: (tenantId: string, body: EscalationRuleInput) =>
    request<{ rule: EscalationRule }>(`${t(tenantId)}/escalation-rules`, { body }),
  updateRule: (tenantId: string, id: string, body: Partial<EscalationRuleInput>) =>
    request<{ rule: EscalationRule }>(`${t(tenantId)}/escalation-rules/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body,
    }),
  deleteRule: (tenantId: string, id: string) =>
    request<null>(`${t(tenantId)}/escalation-rules/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  testRules: (tenantId: string, message: string, context: RuleTestContext) =>
    request<RuleTestResult>(`${t(tenantId)}/escalation-rules/test`, { body: { message, context } }),

  /** The tenant's bots with their own answer threshold (null: the calibrated default). */
  botThresholds: (tenantId: string) =>
    request<{ bots: (Bot & { min_confidence: number | null })[] }>(`${t(tenantId)}/bots`),
  /** A dry run: the answer a bot would give, at `minConfidence` when given (nothing is stored). */
  playground: (botId: string, question: string, minConfidence?: number) =>
    request<PlaygroundResult>(`/v1/bots/${encodeURIComponent(botId)}/playground`, {
      body: { question, ...(minConfidence === undefined ? {} : { min_confidence: minConfidence }) },
    }),
  /** Saves a bot's answer threshold (null: back to the calibrated default). */
  setBotThreshold: (botId: string, minConfidence: number | null) =>
    request<{ bot: Bot & { min_confidence: number | null } }>(`/v1/bots/${encodeURIComponent(botId)}`, {
      method: 'PATCH',
      body: { min_confidence: minConfidence },
    }),
  /** Runs the bot's answer tests now. */
  runAnswerTests: (botId: string) =>
    request<AnswerTestRunResult>(`/v1/bots/${encodeURIComponent(botId)}/answer-tests/run`, {
      method: 'POST',
    }),
}

/**
 * Uploads one file (multipart `file`) with XMLHttpRequest, which reports upload progress (fetch
 * does not). Resolves with the created source; rejects with an ApiError like `request`.
 */
export function uploadDocument(
  url: string,
  file: File,
  onProgress: (fraction: number) => void,
  fields: Record<string, string> = {},
): { done: Promise<KnowledgeSource>; abort: () => void } {
  const xhr = new XMLHttpRequest()
  const done = new Promise<KnowledgeSource>((resolve, reject) => {
    const form = new FormData()
    form.append('file', file, file.name)
    for (const [k, v] of Object.entries(fields)) form.append(k, v)
    xhr.open('POST', url)
    const token = getToken()
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`)
    xhr.setRequestHeader('Accept', 'application/json')
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onload = () => {
      let data: any = null
      try {
        data = JSON.parse(xhr.responseText)
      } catch {
        data = null
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1)
        resolve(data?.source)
        return
      }
      if (xhr.status === 401 && token) unauthorizedHandler?.()
      reject(
        new ApiError(
          xhr.status,
          data?.error?.code ?? 'http_' + xhr.status,
          data?.error?.message ?? `The server answered ${xhr.status}.`,
        ),
      )
    }
    xhr.onerror = () =>
      reject(new ApiError(0, 'network', 'The server cannot be reached. Check your connection.'))
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'The upload was cancelled.'))
    xhr.send(form)
  })
  return { done, abort: () => xhr.abort() }
}
