import { vi } from 'vitest'
import type { PageProps } from '../../console/src/pages/types'

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
    if (res.status === 204) return new Response(null, { status: 204 })
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

/** A list row (GET .../sessions) built on `session`. */
export function summary(over: Record<string, unknown> = {}) {
  return {
    ...session,
    priority: null,
    customer_context: {},
    ai_context: {},
    last_message: { message_type: 'user', content: 'Bonjour !', created_at: session.last_message_at },
    message_count: 1,
    escalation: null,
    ...over,
  }
}

/** The escalation of the session detail, with a trace of two rules: the urgent one did not fire. */
export const escalation = {
  id: 'e1',
  rule_id: 'r2',
  rule_name: 'Remboursement',
  reason: 'Rule "Remboursement" (priority 4) fired: keyword "remboursement" and conditions passed',
  trace: [
    {
      rule_id: 'r1',
      name: 'Client VIP mécontent',
      priority: 5,
      fired: false,
      detail: 'did not fire: conditions failed',
      keywords: null,
      conditions: {
        all: [
          { type: 'attribute', passed: false, detail: 'plan "free" != "vip"' },
          { type: 'sentiment', passed: null, detail: 'sentiment unknown: no triage' },
        ],
        passed: false,
        detail: 'all of 2: 0 passed, 1 unknown',
      },
    },
    {
      rule_id: 'r2',
      name: 'Remboursement',
      priority: 4,
      fired: true,
      detail: 'fired: keyword "remboursement" and conditions passed',
      keywords: { matched: ['remboursement'] },
      conditions: {
        any: [
          {
            type: 'human_requested',
            passed: true,
            detail: 'message asks for a human ("parler à un humain")',
          },
          { type: 'visitor_message_count', passed: false, detail: 'visitor messages 1 not >= 3' },
        ],
        passed: true,
        detail: 'any of 2: 1 passed',
      },
    },
  ],
  ai_summary: 'Le visiteur demande un remboursement et veut parler à un humain.',
  status: 'pending',
  priority: 4,
  assignee_id: null,
  created_at: '2026-01-10T10:00:00.000Z',
  first_response_at: null,
  resolved_at: null,
}

export const members = [
  { user_id: 'u1', name: 'Alice', role: 'agent', availability: 'online', capacity: 5 },
  { user_id: 'u2', name: 'Bruno', role: 'agent', availability: 'online', capacity: 5 },
  { user_id: 'u3', name: 'Chloé', role: 'admin', availability: 'away', capacity: 5 },
]

export const cannedReplies = [
  {
    id: 'c1',
    shortcut: 'hello',
    title: 'Greeting',
    content: 'Bonjour, je suis Alice. Je regarde votre demande.',
  },
  {
    id: 'c2',
    shortcut: 'refund',
    title: 'Refund delay',
    content: 'Le remboursement arrive sous 5 jours ouvrés.',
  },
  { id: 'c3', shortcut: 'return', title: 'Return label', content: 'Voici votre étiquette de retour.' },
]

/** A console page's props for the demo owner (tests override what they need: path, role...). */
export function pageProps(over: Partial<PageProps> = {}): PageProps {
  return {
    tenantId: 't1',
    me: { user: { id: 'u0', email: 'owner@demo.local' }, memberships: [] },
    role: 'owner',
    members: members as PageProps['members'],
    refreshMembers: () => {},
    path: '',
    setBrand: () => {},
    ...over,
  }
}
