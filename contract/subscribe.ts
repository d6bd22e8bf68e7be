/** The one subscribe-with-backoff loop for the API's event streams (session and tenant). */
import { createSseParser, type SseEvent } from './sse'

type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export interface SubscribeOptions {
  /** Headers sent on each connection, read again on every reconnect (e.g. a fresh bearer token). */
  headers: () => Record<string, string>
  onEvent: (event: SseEvent) => void
  /** Called with true once a stream is open, false when it drops. */
  onState?: (connected: boolean) => void
  /** Called with the HTTP status when the server refuses the stream (`stopOn`): no retry then. */
  onDenied?: (status: number) => void
  /** Statuses that end the subscription instead of a retry (default 401 and 403). */
  stopOn?: number[]
  /**
   * The Last-Event-ID to resume from; by default the last `id` the stream sent. The widget resumes
   * from the last message seq it has, whichever route brought it.
   */
  lastEventId?: () => string | undefined
  /** The first reconnect delay, doubled on each failure up to `maxDelayMs`, with ±25 % jitter. */
  minDelayMs?: number
  maxDelayMs?: number
  fetch?: FetchLike
}

/**
 * Reads an SSE endpoint with fetch (EventSource cannot send an Authorization header) and reconnects
 * with exponential backoff and jitter, sending Last-Event-ID. Returns a function that closes it.
 */
export function subscribe(url: string, options: SubscribeOptions): () => void {
  const minDelay = options.minDelayMs ?? 1000
  const maxDelay = options.maxDelayMs ?? 30_000
  const stopOn = options.stopOn ?? [401, 403]
  const fetchFn: FetchLike = options.fetch ?? ((u, init) => fetch(u, init))
  let controller: AbortController | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false
  let attempt = 0

  const parser = createSseParser((ev) => {
    if (!closed) options.onEvent(ev)
  })

  const retry = () => {
    if (closed) return
    options.onState?.(false)
    const delay = Math.min(maxDelay, minDelay * 2 ** attempt) * (0.75 + Math.random() * 0.5)
    attempt++
    timer = setTimeout(connect, delay)
  }

  const connect = async () => {
    if (closed) return
    controller = new AbortController()
    parser.reset()
    const headers: Record<string, string> = { Accept: 'text/event-stream', ...options.headers() }
    const lastId = options.lastEventId ? options.lastEventId() : parser.lastEventId
    if (lastId !== undefined) headers['Last-Event-ID'] = lastId
    try {
      const res = await fetchFn(url, { headers, signal: controller.signal, cache: 'no-store' })
      if (stopOn.includes(res.status)) {
        options.onState?.(false)
        options.onDenied?.(res.status)
        return
      }
      if (!res.ok || !res.body) throw new Error(`event stream answered ${res.status}`)
      // Back off again only if the stream dies young (a proxy closing it at once must not spin).
      const openedAt = Date.now()
      options.onState?.(true)
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader()
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        parser.push(value)
      }
      if (Date.now() - openedAt > 10_000) attempt = 0
      retry()
    } catch {
      retry()
    }
  }

  void connect()
  return () => {
    closed = true
    clearTimeout(timer)
    controller?.abort()
  }
}
