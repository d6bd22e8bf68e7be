/**
 * The one Server-Sent Events parser (WHATWG HTML, "event stream interpretation"): lines end with
 * CRLF, LF or CR, in any split across chunks; one leading BOM is skipped; `:` lines are comments;
 * `data` lines join with LF; an `id` containing NUL is ignored, and the last id persists across
 * events; a `retry` of ASCII digits is reported; an event without data is not dispatched, and an
 * unterminated event at the end of the stream is discarded.
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event` field, `message` when absent. */
  event: string
  data: string
  /** The last event ID at dispatch (persists across events until a new `id` line); undefined if none yet. */
  id?: string
}

export interface SseParser {
  /** Feeds decoded text. */
  push(chunk: string): void
  /** Forgets a half-received event and line (a new connection); the last event ID is kept. */
  reset(): void
  /** The stream ended: a held trailing CR ends its line; an unterminated event is discarded. */
  end(): void
  /** The last event ID seen, for Last-Event-ID. */
  readonly lastEventId: string | undefined
}

/** An incremental parser: push text in any split, `onEvent` runs for each complete event. */
export function createSseParser(
  onEvent: (event: SseEvent) => void,
  onRetry?: (ms: number) => void,
): SseParser {
  let buffer = ''
  let start = true
  let event = ''
  let data = ''
  let hasData = false
  let id: string | undefined

  const line = (raw: string) => {
    if (raw === '') {
      if (hasData) onEvent({ event: event || 'message', data, id })
      event = data = ''
      hasData = false
      return
    }
    if (raw[0] === ':') return
    const colon = raw.indexOf(':')
    const field = colon < 0 ? raw : raw.slice(0, colon)
    let value = colon < 0 ? '' : raw.slice(colon + 1)
    if (value[0] === ' ') value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') {
      data = hasData ? data + '\n' + value : value
      hasData = true
    } else if (field === 'id') {
      if (!value.includes('\0')) id = value
    } else if (field === 'retry' && /^\d+$/.test(value)) onRetry?.(Number(value))
  }

  return {
    push(chunk) {
      buffer += chunk
      if (start && buffer) {
        if (buffer[0] === '\ufeff') buffer = buffer.slice(1)
        start = buffer === ''
      }
      // A trailing CR may be the first half of a CRLF: keep it until the next chunk says.
      const re = /\r\n|\r(?!$)|\n/g
      let from = 0
      let m: RegExpExecArray | null
      while ((m = re.exec(buffer))) {
        line(buffer.slice(from, m.index))
        from = m.index + m[0].length
      }
      buffer = buffer.slice(from)
    },
    end() {
      if (buffer.endsWith('\r')) line(buffer.slice(0, -1))
      this.reset()
    },
    reset() {
      buffer = event = data = ''
      hasData = false
      start = true
    },
    get lastEventId() {
      return id
    },
  }
}

/**
 * Reads a fetch response body as an event stream, calling `onEvent` for each event in order;
 * `onEvent` returning true stops reading (the body is cancelled). Resolves when the stream ends;
 * rejects when reading fails (network drop, abort).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (event: SseEvent) => boolean | void,
  onRetry?: (ms: number) => void,
): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let stop = false
  const parser = createSseParser((e) => {
    if (!stop && onEvent(e) === true) stop = true
  }, onRetry)
  for (;;) {
    const { done, value } = await reader.read()
    parser.push(done ? decoder.decode() : decoder.decode(value, { stream: true }))
    if (done) return parser.end()
    if (stop) {
      await reader.cancel().catch(() => {})
      return
    }
  }
}
