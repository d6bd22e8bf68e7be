import { Hono } from 'hono'
import { createMiddleware } from 'hono/factory'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import { z } from 'zod'
import { getMessage, listMessages, type Message } from '../conversations/messages'
import { receive, type Conversation, type Incoming, type ReceiveDeps } from '../conversations/receive'
import { getSessionRow, toSession } from '../conversations/sessions'
import { requestHuman } from '../conversations/status'
import { openingState } from '../escalation/hours'
import { publish } from '../realtime/bus'
import { identitySchema, type IdentityInput } from './identity'
import { clientIp } from '../http/client-ip'
import { rateLimit } from '../http/rate-limit'
import { withTx } from '../db/tx'
import type { AppEnv } from '../deps'
import { ApiError, badRequest, conflict, notFound, unauthorized } from '../errors'
import { assertOrigin } from '../http/cors'
import { stripBidiDeep, text } from '../http/text'
import { jsonBody, query, uuidRe } from '../http/validate'
import { visitorTokens } from '../realtime/credentials'
import { liveSSE } from '../realtime/sse'
import { linkDomains } from '../answers/links'
import {
  createSession,
  findWidget,
  identifySession,
  widgetOfBot,
  sessionForToken,
  hashToken,
} from './service'

/** The widget side of the API: public, named by a publishable key, then by a session token. */
export const sessions = new Hono<AppEnv>()

sessions.get('/widget/config', async (c) => {
  const { key } = query(z.object({ key: z.string().min(1).max(100) }), c.req.query())
  const w = await findWidget(c.var.deps.pool, key)
  assertOrigin(c, w.allowed_origins)
  const theme = w.theme as { primary_color?: string; position?: string }
  return c.json({
    bot: { id: w.bot_id, name: w.bot_name, avatar_url: null },
    greeting: w.greeting,
    suggestions: w.suggestions,
    language: w.language,
    theme: {
      primary_color: /^#[0-9a-f]{6}$/i.test(theme.primary_color ?? '') ? theme.primary_color : '#4f46e5',
      position: theme.position === 'left' ? 'left' : 'right',
    },
    ...openingState(w.business_hours),
    business_hours: w.business_hours ?? null,
    position: theme.position === 'left' ? 'left' : 'right',
    prechat: w.prechat ?? null,
    link_domains: await linkDomains(c.var.deps.pool, w.tenant_id, w.bot_id),
  })
})

const contextSchema = z
  .record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
  .refine((o) => Object.keys(o).length <= 30, 'at most 30 fields')

const createSchema = z.object({
  key: z.string().min(1).max(100),
  visitor_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,100}$/, 'letters, digits, _ and - only')
    .optional(),
  context: contextSchema.optional(),
  identity: identitySchema.optional(),
})

sessions.post(
  '/sessions',
  jsonBody(createSchema),
  // Per key and address first, so a few addresses cannot spend the key's ceiling for everyone.
  rateLimit(
    (c) => c.var.deps.limiters,
    'publishable_key_ip',
    (c) =>
      `${(c.get('body') as { key: string }).key}|${clientIp(c, { trustedProxyHops: c.var.deps.config.TRUSTED_PROXY_HOPS })}`,
  ),
  rateLimit(
    (c) => c.var.deps.limiters,
    'publishable_key',
    (c) => (c.get('body') as { key: string }).key,
  ),
  async (c) => {
    // Names, e-mails and context are shown to agents: no bidi control may reorder them.
    const input = stripBidiDeep(c.get('body') as z.infer<typeof createSchema>)
    const { pool, config } = c.var.deps
    const widget = await findWidget(pool, input.key)
    assertOrigin(c, widget.allowed_origins)
    const created = await createSession(pool, widget, input, config.SESSION_TTL_DAYS)
    return c.json(created, 201)
  },
)

/** Opens the session named in the path with the visitor's bearer token: one token, one session. */
const requireVisitor = createMiddleware<AppEnv>(async function requireVisitor(c, next) {
  const id = c.req.param('id') ?? ''
  const match = /^Bearer\s+([0-9a-f]{64})$/i.exec(c.req.header('authorization') ?? '')
  if (!match) throw unauthorized('Send the session token as Authorization: Bearer <token>.')
  if (!uuidRe.test(id)) throw notFound('Session')
  const session = await sessionForToken(c.var.deps.pool, id, match[1].toLowerCase())
  if (!session) throw unauthorized('This session token is not valid for this session; start a new session.')
  assertOrigin(c, session.allowed_origins)
  c.set('visitor', session)
  await next()
})

/** identify(): attach a verified user to this conversation, or switch to that user's own one. */
sessions.post('/sessions/:id/identify', requireVisitor, jsonBody(identitySchema), async (c) => {
  const identity = stripBidiDeep(c.get('body') as IdentityInput)
  const { pool, config } = c.var.deps
  const v = c.var.visitor
  const widget = await widgetOfBot(pool, v.bot_id)
  const result = await identifySession(pool, v, widget, identity, config.SESSION_TTL_DAYS)
  return c.json(result)
})

sessions.use('/sessions/:id', requireVisitor)
sessions.use('/sessions/:id/*', requireVisitor)

sessions.get('/sessions/:id', async (c) => {
  return c.json({ session: toSession(await getSessionRow(c.var.deps.pool, c.var.visitor.id)) })
})

const afterSchema = z.object({ after: z.coerce.number().int().min(0).default(0) })

sessions.get('/sessions/:id/messages', async (c) => {
  const { after } = query(afterSchema, c.req.query())
  return c.json({ messages: await listMessages(c.var.deps.pool, c.var.visitor.id, after) })
})

const sendSchema = z.object({
  content: text(32_000),
  client_message_id: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,100}$/, 'letters, digits and _.:- only, at most 100'),
})

sessions.post(
  '/sessions/:id/messages',
  rateLimit(
    (c) => c.var.deps.limiters,
    'session',
    (c) => c.var.visitor.id,
  ),
  rateLimit(
    (c) => c.var.deps.limiters,
    'tenant',
    (c) => c.var.visitor.tenant_id,
  ),
  jsonBody(sendSchema),
  async (c) => {
    const input = c.get('body') as z.infer<typeof sendSchema>
    const max = c.var.deps.config.MESSAGE_MAX_CHARS
    if (input.content.length > max)
      throw badRequest('message_too_long', `content: must be at most ${max} characters`)
    const deps = c.var.deps
    const visitor = c.var.visitor
    if (visitor.identity_mode === 'required' && !visitor.identified_user_id) {
      throw new ApiError(
        403,
        'identity_required',
        'This site requires a verified identity to chat: identify first.',
      )
    }
    const turn = { ...input, request_id: c.var.requestId }
    if (!(c.req.header('accept') ?? '').includes('text/event-stream')) {
      const { message, reply, escalation } = await receive(deps, visitor, turn)
      return c.json({ message, reply, escalation })
    }
    return streamTurn(c, deps, visitor, turn)
  },
)

/**
 * The turn as server-sent events: message, then escalated or delta..., then done (or error). The
 * response opens once the message is stored, so a refusal before that (a 409 on a reused
 * client_message_id) is still a JSON error; events reported before it opens wait in order.
 */
async function streamTurn(
  c: Parameters<typeof streamSSE>[0],
  deps: ReceiveDeps,
  session: Conversation,
  input: Incoming,
) {
  const left = new AbortController()
  const waiting: [string, unknown][] = []
  let stream: SSEStreamingApi | undefined
  const write = (s: SSEStreamingApi, event: string, data: unknown) =>
    s.aborted ? Promise.resolve() : s.writeSSE({ event, data: JSON.stringify(data) })
  const send = (event: string, data: unknown) =>
    stream ? write(stream, event, data) : void waiting.push([event, data])
  let stored!: () => void
  const opened = new Promise<void>((r) => (stored = r))
  const run = receive(deps, session, input, {
    signal: left.signal,
    onMessage: (m: Message) => {
      waiting.push(['message', m])
      stored()
    },
    onEscalated: (e) => send('escalated', e),
    onDelta: (piece) => send('delta', { text: piece }),
    onDone: (reply) => send('done', reply),
    onFailed: (err) => send('error', { code: err.code, message: err.message }),
  })
  await Promise.race([opened, run])
  return streamSSE(c, async (s) => {
    // A visitor who leaves stops the model call; what was written so far is stored as partial.
    s.onAbort(() => left.abort())
    while (waiting.length) {
      const [event, data] = waiting.shift()!
      await write(s, event, data)
    }
    stream = s
    await run
  })
}

sessions.get('/sessions/:id/events', async (c) => {
  const { pool, bus, state } = c.var.deps
  if (!state.ready) throw new ApiError(503, 'unavailable', 'The server is shutting down; reconnect shortly.')
  const visitor = c.var.visitor
  const lastEventId = c.req.header('last-event-id') ?? c.req.query('after')
  let cursor: number
  if (lastEventId !== undefined && lastEventId !== '') {
    if (!/^\d{1,15}$/.test(lastEventId))
      throw badRequest('validation_failed', 'Last-Event-ID must be a message seq.')
    cursor = Number(lastEventId)
  } else {
    cursor = (await getSessionRow(pool, visitor.id)).last_seq
  }
  const token = /^Bearer\s+([0-9a-f]{64})$/i.exec(c.req.header('authorization') ?? '')![1].toLowerCase()
  const slot = {
    owner: `session:${visitor.id}`,
    ip: clientIp(c, { trustedProxyHops: c.var.deps.config.TRUSTED_PROXY_HOPS }),
  }
  // An expired token (or a session gone) keeps no live stream.
  const credential = { check: visitorTokens, key: [visitor.id, hashToken(token)] as [string, string] }
  return liveSSE(c, { slot, credential }, async (live) => {
    let busy = false
    let again = false
    // Sends every visible message after the cursor, in order; coalesces bursts of notifications.
    const pump = async () => {
      if (busy) {
        again = true
        return
      }
      busy = true
      try {
        do {
          again = false
          for (const m of await listMessages(pool, visitor.id, cursor)) {
            if (live.isClosed()) return
            await live.send('message', m, m.seq)
            cursor = m.seq
          }
        } while (again && !live.isClosed())
      } finally {
        busy = false
      }
    }
    const unsubscribe = bus.subscribeSession(visitor.id, (e) => {
      if (e.kind === 'typing') {
        if (e.from === 'agent')
          void live
            .send('typing', { from: 'agent', name: e.name ?? 'Agent', typing: e.typing === true })
            .catch(() => {})
      } else if (e.kind === 'status') {
        void getSessionRow(pool, visitor.id)
          .then((s) => live.send('status', { status: s.status, assignee: toSession(s).assignee }))
          .catch(() => {})
      } else if (e.kind === 'message' && !e.private) void pump().catch(() => {})
    })
    await pump()
    return unsubscribe
  })
})

sessions.post(
  '/sessions/:id/escalate',
  jsonBodyOptional(z.object({ reason: text(500).optional() })),
  async (c) => {
    const body = (c.get('body') ?? {}) as { reason?: string }
    const { pool } = c.var.deps
    const visitor = c.var.visitor
    const result = await requestHuman(c.var.deps, visitor, body.reason)
    return c.json({
      session: toSession(await getSessionRow(pool, visitor.id)),
      message: result?.message ?? null,
    })
  },
)

/** The visitor is typing: the agent's console shows it (nothing is stored). */
sessions.post('/sessions/:id/typing', jsonBody(z.object({ typing: z.boolean() }).strict()), async (c) => {
  const { typing } = c.get('body') as { typing: boolean }
  const v = c.var.visitor
  await publish(c.var.deps.pool, {
    tenant_id: v.tenant_id,
    session_id: v.id,
    kind: 'typing',
    from: 'visitor',
    typing,
  })
  return c.body(null, 204)
})

/** The visitor leaves an e-mail (outside opening hours, or in the pre-chat form) so the team can write back. */
sessions.post(
  '/sessions/:id/contact',
  jsonBody(z.object({ email: z.email().max(320), name: text(200).optional() }).strict()),
  async (c) => {
    const body = stripBidiDeep(c.get('body') as { email: string; name?: string })
    const v = c.var.visitor
    await withTx(c.var.deps.pool, async (db) => {
      await db.query(
        // Top-level name and e-mail are what the visitor claims; a verified identity lives under
        // `verified`, which this never touches.
        `update chatbot_sessions set customer_context = customer_context || $2::jsonb where id = $1`,
        [v.id, JSON.stringify(body)],
      )
      await publish(db, { tenant_id: v.tenant_id, session_id: v.id, kind: 'status' })
    })
    return c.json({ ok: true })
  },
)

const feedbackSchema = z.object({ rating: z.enum(['up', 'down']), comment: text(2000).optional() })

sessions.post('/sessions/:id/messages/:messageId/feedback', jsonBody(feedbackSchema), async (c) => {
  const body = c.get('body') as z.infer<typeof feedbackSchema>
  const messageId = c.req.param('messageId')
  const visitor = c.var.visitor
  if (!uuidRe.test(messageId)) throw notFound('Message')
  const message = await getMessage(c.var.deps.pool, messageId)
  if (!message || message.session_id !== visitor.id || message.private) throw notFound('Message')
  if (message.message_type !== 'ai')
    throw badRequest('validation_failed', 'Only answers of the assistant can be rated.')
  const { rows } = await c.var.deps.pool.query(
    `insert into message_feedback (tenant_id, session_id, message_id, source, rating, comment)
     values ($1, $2, $3, 'visitor', $4, $5)
     on conflict (message_id) where source = 'visitor' do update set rating = excluded.rating, comment = excluded.comment
     returning id, message_id, rating, comment, created_at`,
    [visitor.tenant_id, visitor.id, messageId, body.rating, body.comment ?? null],
  )
  return c.json({ feedback: rows[0] }, 201)
})

const ratingSchema = z.object({ score: z.number().int().min(1).max(5), comment: text(2000).optional() })

sessions.post('/sessions/:id/rating', jsonBody(ratingSchema), async (c) => {
  const body = c.get('body') as z.infer<typeof ratingSchema>
  const session = await withTx(c.var.deps.pool, async (db) => {
    const s = await getSessionRow(db, c.var.visitor.id, true)
    if (s.status !== 'resolved') throw conflict('A conversation can be rated once it is resolved.')
    await db.query('update chatbot_sessions set csat_score = $2, csat_comment = $3 where id = $1', [
      s.id,
      body.score,
      body.comment ?? null,
    ])
    // Agents see the rating arrive on the conversation they resolved.
    await publish(db, { tenant_id: s.tenant_id, session_id: s.id, kind: 'status' })
    return toSession(await getSessionRow(db, s.id))
  })
  return c.json({ session })
})

/** Like jsonBody, but an empty body (no content type, no bytes) is fine too. */
function jsonBodyOptional<S extends z.ZodType>(schema: S) {
  const strict = jsonBody(schema)
  return createMiddleware<AppEnv>(async function jsonBodyOptional(c, next) {
    if (!c.req.header('content-type') && (c.req.header('content-length') ?? '0') === '0') return next()
    return strict(c as any, next)
  })
}
