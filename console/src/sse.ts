/** One Server-Sent Event, as the parser hands it over. */
export interface SseEvent {
  event: string
  data: string
  id?: string
}

/**
 * A small incremental SSE parser (the WHATWG event-stream format): feed it decoded text chunks in any
 * split, it calls `onEvent` for each complete event. Comments (`: ping`) are skipped.
 */
export function createSseParser(onEvent: (event: SseEvent) => void) {
  let buffer = ''
  let event = ''
  let data: string[] = []
  let id: string | undefined

  const dispatch = () => {
    if (data.length > 0) onEvent({ event: event || 'message', data: data.join('\n'), id })
    event = ''
    data = []
  }

  const line = (raw: string) => {
    if (raw === '') return dispatch()
    if (raw.startsWith(':')) return
    const colon = raw.indexOf(':')
    const field = colon === -1 ? raw : raw.slice(0, colon)
    let value = colon === -1 ? '' : raw.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
    else if (field === 'id' && !value.includes('\0')) id = value
  }

  return {
    push(chunk: string) {
      buffer += chunk
      // Lines end with \n, \r\n or \r; a trailing \r may be the first half of \r\n, so keep it.
      const re = /\r\n|\r(?!$)|\n/g
      let start = 0
      let m: RegExpExecArray | null
      while ((m = re.exec(buffer))) {
        line(buffer.slice(start, m.index))
        start = m.index + m[0].length
      }
      buffer = buffer.slice(start)
    },
    /** Forget a half-received event (after a reconnect). */
    reset() {
      buffer = ''
      event = ''
      data = []
    },
  }
}

export interface SubscribeOptions {
  /** Headers sent on each connection, read again on every reconnect (e.g. a fresh bearer token). */
  headers: () => Record<string, string>
  onEvent: (event: SseEvent) => void
  /** Called with true once a stream is open, false when it drops. */
  onState?: (connected: boolean) => void
  /** Called with the HTTP status when the server refuses the stream with 401/403: no retry then. */
  onDenied?: (status: number) => void
  minDelayMs?: number
  maxDelayMs?: number
}

/**
 * Reads an SSE endpoint with fetch and a ReadableStream (EventSource cannot send an Authorization
 * header) and reconnects with exponential backoff and jitter, sending Last-Event-ID.
 * Returns a function that closes the subscription.
 */
export function subscribe(url: string, options: SubscribeOptions): () => void {
  const minDelay = options.minDelayMs ?? 1000
  const maxDelay = options.maxDelayMs ?? 30_000
  let controller: AbortController | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  let closed = false
  let attempt = 0
  let lastId: string | undefined

  const parser = createSseParser((ev) => {
    if (ev.id !== undefined) lastId = ev.id
    options.onEvent(ev)
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
    if (lastId !== undefined) headers['Last-Event-ID'] = lastId
    try {
      const res = await fetch(url, { headers, signal: controller.signal, cache: 'no-store' })
      if (res.status === 401 || res.status === 403) {
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
      if (!closed) retry()
    }
  }

  void connect()
  return () => {
    closed = true
    clearTimeout(timer)
    controller?.abort()
  }
}
