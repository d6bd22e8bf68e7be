import type { Me, Message, Session, SessionStatus, SessionSummary } from './types'

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

const t = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`
const s = (tenantId: string, sessionId: string) => `${t(tenantId)}/sessions/${encodeURIComponent(sessionId)}`

/** The console's calls, one function per route. */
export const api = {
  login: (email: string, password: string) =>
    request<{ access_token: string; user: { id: string; email: string } }>('/v1/auth/login', {
      body: { email, password },
    }),
  me: () => request<Me>('/v1/me'),
  sessions: (tenantId: string, status?: SessionStatus) =>
    request<{ sessions: SessionSummary[] }>(
      `${t(tenantId)}/sessions${status ? `?status=${encodeURIComponent(status)}` : ''}`,
    ),
  session: (tenantId: string, sessionId: string) =>
    request<{ session: Session; messages: Message[] }>(s(tenantId, sessionId)),
  reply: (tenantId: string, sessionId: string, content: string, isPrivate: boolean) =>
    request<{ message: Message }>(`${s(tenantId, sessionId)}/messages`, {
      body: { content, private: isPrivate },
    }),
  assign: (tenantId: string, sessionId: string) =>
    request<{ session: Session }>(`${s(tenantId, sessionId)}/assign`, { body: {} }),
  resolve: (tenantId: string, sessionId: string) =>
    request<{ session: Session }>(`${s(tenantId, sessionId)}/resolve`, { body: {} }),
  eventsUrl: (tenantId: string) => `${t(tenantId)}/events`,
}
