/** A small fetch wrapper for the widget side of API v1: JSON bodies, bearer token, errors as values. */

/** The contract's error body, plus the HTTP status (0 when the network failed). */
export interface ApiError {
  code: string
  message: string
  status: number
}

export interface RequestOptions {
  method?: string
  body?: unknown
  token?: string
  headers?: Record<string, string>
  signal?: AbortSignal
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>

/** True when `e` is an {@link ApiError} thrown by this module. */
export function isApiError(e: unknown): e is ApiError {
  return typeof e === 'object' && e !== null && 'code' in e && 'status' in e
}

/** Turns a failed response into an ApiError, reading the contract's `{error: {code, message}}` body. */
export async function toApiError(res: Response): Promise<ApiError> {
  let code = 'http_' + res.status
  let message = res.statusText || 'Request failed.'
  try {
    const body = await res.json()
    if (body && body.error) {
      code = String(body.error.code || code)
      message = String(body.error.message || message)
    }
  } catch {
    // not JSON: keep the status-derived error
  }
  return { code, message, status: res.status }
}

export interface ApiClient {
  /** Sends a request and returns the response itself (for streams); throws an ApiError when not ok. */
  raw(path: string, opts?: RequestOptions): Promise<Response>
  /** Sends a request and parses the JSON body; throws an ApiError when not ok. */
  json<T>(path: string, opts?: RequestOptions): Promise<T>
}

/** Creates a client for `base` (the API origin), using `fetchImpl` (the global fetch by default). */
export function createApi(base: string, fetchImpl?: FetchLike): ApiClient {
  const root = base.replace(/\/+$/, '')
  const doFetch: FetchLike = fetchImpl || ((input, init) => fetch(input, init))

  async function raw(path: string, opts: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers }
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json'
    if (opts.token) headers.Authorization = 'Bearer ' + opts.token
    let res: Response
    try {
      res = await doFetch(root + path, {
        method: opts.method || (opts.body !== undefined ? 'POST' : 'GET'),
        headers,
        body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
        signal: opts.signal,
        credentials: 'omit',
      })
    } catch (e) {
      const err: ApiError = { code: 'network', message: String((e as Error)?.message || e), status: 0 }
      throw err
    }
    if (!res.ok) throw await toApiError(res)
    return res
  }

  return {
    raw,
    async json<T>(path: string, opts?: RequestOptions): Promise<T> {
      const res = await raw(path, opts)
      return (await res.json()) as T
    },
  }
}
