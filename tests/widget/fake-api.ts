/**
 * A fake of the API's widget side at the network boundary: a fetch function that answers from
 * route handlers with real Response objects, plus helpers for SSE bodies the test writes to.
 */
import type { Message } from '../../contract'

export interface Call {
  method: string
  path: string
  headers: Record<string, string>
  body: any
}

export type Handler = (call: Call, signal?: AbortSignal) => Response | Promise<Response>

export const API = 'https://api.test'
export const SID = '11111111-1111-4111-8111-111111111111'
export const TOKEN = 'a'.repeat(64)

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } })

export const apiError = (status: number, code: string) => json({ error: { code, message: code } }, status)

/** An SSE body the test pushes events into; `end()` closes it. Aborting the request closes it too. */
export function sseStream(signal?: AbortSignal) {
  const enc = new TextEncoder()
  let ctl!: ReadableStreamDefaultController<Uint8Array>
  let closed = false
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (ctl = c) })
  const close = () => {
    if (!closed) {
      closed = true
      ctl.close()
    }
  }
  signal?.addEventListener('abort', () => {
    if (!closed) {
      closed = true
      ctl.error(new DOMException('aborted', 'AbortError'))
    }
  })
  return {
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
    send(event: string, data: unknown, id?: number) {
      if (!closed)
        ctl.enqueue(
          enc.encode(`event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`),
        )
    },
    end: close,
  }
}

export function fakeFetch(routes: Record<string, Handler>) {
  const calls: Call[] = []
  const fetch = async (input: string, init: RequestInit = {}) => {
    const url = new URL(input)
    const method = (init.method || 'GET').toUpperCase()
    const path = url.pathname
    const call: Call = {
      method,
      path: path + url.search,
      headers: (init.headers || {}) as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    }
    calls.push(call)
    const handler = routes[`${method} ${path}`]
    if (!handler) return apiError(404, 'not_found')
    return handler(call, init.signal || undefined)
  }
  return { fetch, calls }
}

let seq = 0
export function msg(partial: Partial<Message>): Message {
  seq++
  return {
    id: 'm' + seq,
    session_id: SID,
    seq,
    message_type: 'ai',
    content: '',
    client_message_id: null,
    sources: [],
    agent: null,
    status: 'complete',
    confidence: null,
    suggest_human: false,
    private: false,
    reply_to: null,
    created_at: new Date().toISOString(),
    ...partial,
  }
}

export const config = {
  bot: { id: 'b1', name: 'Parley Bot', avatar_url: null },
  greeting: 'Hello! Ask me anything.',
  suggestions: ['Delivery times', 'Returns'],
  language: 'en',
  theme: { primary_color: '#0f766e', position: 'right' },
  open: true,
  business_hours: null,
  link_domains: ['shop.test'],
}

export const session = {
  id: SID,
  bot_id: 'b1',
  status: 'active',
  visitor_id: 'v1',
  assignee: null,
  created_at: new Date().toISOString(),
  last_message_at: null,
  csat: null,
}

export function memoryStorage(init?: Record<string, string>) {
  const m = new Map(Object.entries(init || {}))
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    map: m,
  }
}
