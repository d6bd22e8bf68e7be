import { describe, expect, it } from 'vitest'
import { createSseParser, type SseEvent } from '../../console/src/sse'

describe('console SSE parser', () => {
  it('parses events split across chunks, skips comments, joins multi-line data', () => {
    const got: SseEvent[] = []
    const p = createSseParser((e) => got.push(e))
    p.push(': ping\n\nevent: sess')
    p.push('ion\r\nid: 7\r\ndata: {"a":')
    p.push('1}\r\n\r')
    p.push('\ndata: one\ndata: two\n\n')
    expect(got).toEqual([
      { event: 'session', data: '{"a":1}', id: '7' },
      { event: 'message', data: 'one\ntwo', id: '7' },
    ])
  })
})

describe('console SSE subscription', () => {
  it('sends the bearer header, reconnects after a drop with Last-Event-ID, stops on close', async () => {
    const { subscribe } = await import('../../console/src/sse')
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
    const original = globalThis.fetch
    globalThis.fetch = fetchFn as typeof fetch
    try {
      const got: string[] = []
      const states: boolean[] = []
      const stop = subscribe('/v1/tenants/t1/events', {
        headers: () => ({ Authorization: 'Bearer abc' }),
        onEvent: (e) => got.push(JSON.parse(e.data).session_id),
        onState: (s) => states.push(s),
        minDelayMs: 5,
        maxDelayMs: 20,
      })
      await new Promise((r) => setTimeout(r, 200))
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
    } finally {
      globalThis.fetch = original
    }
  })
})
