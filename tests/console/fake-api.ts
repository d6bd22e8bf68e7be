import { vi } from 'vitest'

type Handler = (req: {
  method: string
  path: string
  body: unknown
  headers: Record<string, string>
}) => { status?: number; body?: unknown; stream?: ReadableStream<Uint8Array> } | undefined

/**
 * Replaces global fetch with a small router: the network boundary, and nothing inside the console, is
 * faked. Unknown routes answer 404 in the contract's error shape. Returns the calls made.
 */
export function fakeFetch(handler: Handler) {
  const calls: { method: string; path: string; body: unknown; headers: Record<string, string> }[] = []
  const fn = vi.fn(async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), 'http://console.test')
    const headers = Object.fromEntries(new Headers(init.headers).entries())
    const req = {
      method: init.method ?? 'GET',
      path: url.pathname + url.search,
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      headers,
    }
    calls.push(req)
    const res = handler(req)
    if (res?.stream)
      return new Response(res.stream, { status: 200, headers: { 'content-type': 'text/event-stream' } })
    if (!res) {
      return Response.json({ error: { code: 'not_found', message: 'Not found.' } }, { status: 404 })
    }
    return Response.json(res.body ?? {}, { status: res.status ?? 200 })
  })
  vi.stubGlobal('fetch', fn)
  return calls
}

/** An SSE body that stays open; `send` pushes raw event-stream text into it. */
export function openStream() {
  let ctrl!: ReadableStreamDefaultController<Uint8Array>
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (ctrl = c) })
  return { stream, send: (text: string) => ctrl.enqueue(new TextEncoder().encode(text)) }
}

export function message(over: Record<string, unknown>) {
  return {
    id: 'm' + Math.random().toString(36).slice(2),
    session_id: 's1',
    seq: 1,
    message_type: 'user',
    content: '',
    client_message_id: null,
    sources: [],
    agent: null,
    status: 'complete',
    confidence: null,
    private: false,
    created_at: '2026-01-10T10:00:00.000Z',
    ...over,
  }
}

export const session = {
  id: 's1',
  bot_id: 'b1',
  status: 'escalated',
  visitor_id: 'v_12345678abcdef',
  assignee: null,
  created_at: '2026-01-10T09:59:00.000Z',
  last_message_at: '2026-01-10T10:05:00.000Z',
  csat: null,
}
