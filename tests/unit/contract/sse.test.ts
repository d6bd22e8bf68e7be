import { describe, expect, it, vi } from 'vitest'
import { createSseParser, readSse, type SseEvent } from '../../../contract/sse'
import { subscribe } from '../../../contract/subscribe'

function body(chunks: string[]) {
  const enc = new TextEncoder()
  return new ReadableStream<Uint8Array>({
    start(c) {
      for (const ch of chunks) c.enqueue(enc.encode(ch))
      c.close()
    },
  })
}

function parse(chunks: string[]) {
  const got: SseEvent[] = []
  const retries: number[] = []
  const p = createSseParser(
    (e) => got.push(e),
    (ms) => retries.push(ms),
  )
  for (const c of chunks) p.push(c)
  p.end()
  return { got, retries, lastEventId: p.lastEventId }
}

describe('SSE parser', () => {
  it('parses events split across chunks, CRLF, comments, ids and multi-line data', async () => {
    const got: SseEvent[] = []
    await readSse(
      body([
        ': ping\n\nevent: del',
        'ta\r\ndata: {"text":"a"}\r',
        '\n\r\nid: 7\nevent: message\ndata: one\ndata: two\n\n',
        'data: last',
      ]),
      (e) => void got.push(e),
    )
    expect(got).toEqual([
      { event: 'delta', data: '{"text":"a"}', id: undefined },
      { event: 'message', data: 'one\ntwo', id: '7' },
      // 'data: last' has no blank line after it: an unterminated event is discarded
    ])
  })

  it('keeps the last id across events, skips comments, joins multi-line data', () => {
    const { got } = parse([
      ': ping\n\nevent: sess',
      'ion\r\nid: 7\r\ndata: {"a":',
      '1}\r\n\r',
      '\ndata: one\ndata: two\n\n',
    ])
    expect(got).toEqual([
      { event: 'session', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'one\ntwo', id: '7' },
    ])
  })

  it('treats CR, LF and CRLF alike, with a CRLF split between chunks', () => {
    const { got } = parse(['data: a\r', '\ndata: b\rdata: c\n\r', '\r\n'])
    expect(got).toEqual([{ event: 'message', data: 'a\nb\nc', id: undefined }])
  })

  it('ignores an id containing NUL, and an empty id resets it', () => {
    const { got, lastEventId } = parse(['id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\nid\ndata: c\n\n'])
    expect(got.map((e) => e.id)).toEqual(['1', '1', ''])
    expect(lastEventId).toBe('')
  })

  it('reports retry of ASCII digits only, and sets the last id without dispatching an empty event', () => {
    const { got, retries, lastEventId } = parse(['retry: 2000\n\nretry: 2s\n\nid: 9\n\n'])
    expect(retries).toEqual([2000])
    expect(got).toEqual([])
    expect(lastEventId).toBe('9')
  })

  it('skips one BOM at the start, keeps a field without colon, strips only one space', () => {
    const { got } = parse(['\ufeff', 'data:  x\ndata\n\n\ufeffdata: y\n\n'])
    expect(got).toEqual([{ event: 'message', data: ' x\n', id: undefined }])
  })

  it('dispatches an empty data line and a data field with no space', () => {
    const { got } = parse(['data\n\ndata:x\n\n'])
    expect(got).toEqual([
      { event: 'message', data: '', id: undefined },
      { event: 'message', data: 'x', id: undefined },
    ])
  })

  it('readSse stops reading when onEvent returns true', async () => {
    const got: string[] = []
    await readSse(body(['data: 1\n\ndata: 2\n\n', 'data: 3\n\n']), (e) => {
      got.push(e.data)
      return true
    })
    expect(got).toEqual(['1'])
  })
})

describe('SSE subscription', () => {
  it('sends the bearer header, reconnects after a drop with Last-Event-ID, stops on close', async () => {
    const seen: { headers: Record<string, string> }[] = []
    let n = 0
    const fetchFn = async (_url: string, init: RequestInit) => {
      seen.push({ headers: init.headers as Record<string, string> })
      n++
      if (n === 1) throw new TypeError('network down')
      const body =
        n === 2
          ? 'id: 4\nevent: session\ndata: {"session_id":"a"}\n\n'
          : 'event: session\ndata: {"session_id":"b"}\n\n'
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } })
    }
    const got: string[] = []
    const states: boolean[] = []
    const stop = subscribe('/v1/tenants/t1/events', {
      headers: () => ({ Authorization: 'Bearer abc' }),
      onEvent: (e) => got.push(JSON.parse(e.data).session_id),
      onState: (s) => states.push(s),
      minDelayMs: 5,
      maxDelayMs: 20,
      fetch: fetchFn,
    })
    // Wait for the third connection (after the drop, then the end of the second stream), however slow the machine.
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(3), { timeout: 5000, interval: 5 })
    stop()
    const count = n
    await new Promise((r) => setTimeout(r, 60))
    expect(n).toBe(count)
    expect(got.slice(0, 2)).toEqual(['a', 'b'])
    expect(seen[0].headers.Authorization).toBe('Bearer abc')
    expect(seen[1].headers['Last-Event-ID']).toBeUndefined()
    expect(seen[2].headers['Last-Event-ID']).toBe('4')
    expect(states).toContain(true)
    expect(states[0]).toBe(false)
  })

  it('stops for good on 401 and 403', async () => {
    for (const status of [401, 403]) {
      let n = 0
      const denied: number[] = []
      const stop = subscribe('/x', {
        headers: () => ({}),
        onEvent: () => {},
        onDenied: (s) => denied.push(s),
        minDelayMs: 1,
        fetch: async () => (n++, new Response(null, { status })),
      })
      await vi.waitFor(() => expect(denied).toHaveLength(1), { timeout: 5000, interval: 5 })
      // Long enough for several retries at a 1 ms backoff, had the loop gone on.
      await new Promise((r) => setTimeout(r, 30))
      stop()
      expect(n).toBe(1)
      expect(denied).toEqual([status])
    }
  })
})
