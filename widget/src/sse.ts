/** A small Server-Sent Events reader for fetch response bodies (the token travels in a header). */

export interface SseEvent {
  event: string
  data: string
  id?: string
}

/**
 * Reads `body` as an SSE stream and calls `onEvent` for each dispatched event, in order.
 * Resolves when the stream ends; rejects when reading fails (network drop, abort).
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (ev: SseEvent) => void,
): Promise<void> {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  let buf = ''
  let event = ''
  let data: string[] = []
  let id: string | undefined

  const line = (l: string) => {
    if (l === '') {
      if (data.length) onEvent({ event: event || 'message', data: data.join('\n'), id })
      event = ''
      data = []
      id = undefined
      return
    }
    if (l[0] === ':') return
    const i = l.indexOf(':')
    const field = i < 0 ? l : l.slice(0, i)
    let value = i < 0 ? '' : l.slice(i + 1)
    if (value[0] === ' ') value = value.slice(1)
    if (field === 'event') event = value
    else if (field === 'data') data.push(value)
    else if (field === 'id') id = value
  }

  for (;;) {
    const { done, value } = await reader.read()
    buf += done ? decoder.decode() : decoder.decode(value, { stream: true })
    // A trailing '\r' may be half of a '\r\n' split across chunks: keep it for the next read.
    let m: RegExpExecArray | null
    const re = /\r\n|\n|\r(?!$)/g
    let start = 0
    while ((m = re.exec(buf))) {
      line(buf.slice(start, m.index))
      start = m.index + m[0].length
    }
    buf = buf.slice(start)
    if (done) {
      if (buf && buf !== '\r') line(buf)
      line('')
      return
    }
  }
}
