import { Hono, type Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import { z } from 'zod'
import { generateAnswer } from '../answers/pipeline'
import { openingState } from '../escalation/hours'
import { checkHandoff, escalate, type HandoffDeps, type HandoffResult } from '../escalation/service'
import { publish } from '../realtime/bus'
import { identitySchema, type IdentityInput } from './identity'
import { rateLimit } from '../http/rate-limit'
import { withTx } from '../db/tx'
import type { AppEnv } from '../deps'
import { ApiError, badRequest, conflict, notFound, unauthorized } from '../errors'
import { assertOrigin } from '../http/cors'
import { text } from '../http/text'
import { jsonBody, query, uuidRe } from '../http/validate'
import { liveSSE } from '../realtime/sse'
import { getMessage, listMessages, type Message } from '../conversations/messages'
import {
  createSession,
  findWidget,
  identifySession,
  widgetOfBot,
  getSessionRow,
  sessionForToken,
  storeAnswer,
  storeVisitorMessage,
  toSession,
} from './service'

const handoffDeps = (d: AppEnv['Variables']['deps']): HandoffDeps => ({
  pool: d.pool,
  llm: d.llm,
  log: d.log,
  notify: (tenant, escalation) => d.notifier?.escalated(tenant, escalation),
})

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
  rateLimit(
    (c) => c.var.deps.limiters,
    'publishable_key',
    (c) => (c.get('body') as { key: string }).key,
  ),
  async (c) => {
    const input = c.get('body') as z.infer<typeof createSchema>
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
  const identity = c.get('body') as IdentityInput
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
    const wantsStream = (c.req.header('accept') ?? '').includes('text/event-stream')
    const started = Date.now()
    // Shutdown waits for this send to be answered (within the grace period) before closing connections.
    const done = deps.streams.begin()
    try {
      return await handleSend(deps, c, visitor, input, wantsStream, started, done)
    } catch (err) {
      done()
      throw err
    }
  },
)

async function handleSend(
  deps: AppEnv['Variables']['deps'],
  c: Context<AppEnv>,
  visitor: AppEnv['Variables']['visitor'],
  input: { content: string; client_message_id: string },
  wantsStream: boolean,
  started: number,
  done: () => void,
) {
  const { pool, log } = deps
  const sent = await storeVisitorMessage(pool, visitor, input)
  // Rules first: when one hands the session to people, the bot stays silent.
  let handoff: HandoffResult | null = null
  if (sent.pending && !sent.duplicate) {
    try {
      handoff = await checkHandoff(handoffDeps(deps), visitor, sent.message)
    } catch (err) {
      log.error('escalation check failed; the bot answers', {
        err: String(err),
        session: visitor.id,
        request_id: c.var.requestId,
      })
    }
  }
  const escalation = handoff
    ? { id: handoff.escalation_id, reason: handoff.reason, message: handoff.message }
    : null

  /** Answers a stored visitor message; the message stays stored whatever happens here. */
  const answer = async (
    onDelta?: (text: string) => Promise<void>,
    signal?: AbortSignal,
  ): Promise<Message | null> => {
    const result = await generateAnswer(deps, {
      session: visitor,
      message: sent.message,
      fallbackLanguage: sent.language,
      onDelta,
      signal,
    })
    return storeAnswer(pool, visitor, sent.message, result, Date.now() - started)
  }

  if (!wantsStream) {
    let reply = sent.reply
    if (sent.pending && !handoff) {
      try {
        reply = await answer()
      } catch (err) {
        log.error('answer failed', { err: String(err), session: visitor.id, request_id: c.var.requestId })
        throw new ApiError(
          503,
          'answer_failed',
          'Your message was saved, but the answer failed. Retry with the same client_message_id.',
        )
      }
    }
    done()
    return c.json({ message: sent.message, reply, escalation })
  }

  return streamSSE(c, async (stream) => {
    try {
      await streamAnswer(stream)
    } finally {
      done()
    }
  })

  async function streamAnswer(stream: SSEStreamingApi) {
    const send = (event: string, data: unknown) => stream.writeSSE({ event, data: JSON.stringify(data) })
    await send('message', sent.message)
    if (handoff) {
      await send('escalated', escalation)
      await send('done', null)
      return
    }
    if (!sent.pending) {
      if (sent.reply) await send('delta', { text: sent.reply.content })
      await send('done', sent.reply)
      return
    }
    // A visitor who leaves stops the model call; what was written so far is stored as partial.
    const left = new AbortController()
    stream.onAbort(() => left.abort())
    try {
      const reply = await answer(
        (piece) => (stream.aborted ? Promise.resolve() : send('delta', { text: piece })),
        left.signal,
      )
      if (!stream.aborted) await send('done', reply)
    } catch (err) {
      log.error('answer failed', { err: String(err), session: visitor.id, request_id: c.var.requestId })
      await send('error', {
        code: 'answer_failed',
        message: 'Your message was saved, but the answer failed. Retry with the same client_message_id.',
      })
    }
  }
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
  return liveSSE(c, async (live) => {
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
    const unsubscribe = bus.subscribe((e) => {
      if (e.session_id !== visitor.id) return
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
    const detail = 'fired: the visitor pressed "talk to a person"'
    const result = await escalate(handoffDeps(c.var.deps), visitor, {
      rule_id: null,
      reason: body.reason ? `Visitor asked for a person: ${body.reason}` : 'Visitor asked for a person',
      priority: 3,
      trace: [
        {
          rule_id: null,
          name: 'Visitor asked for a person',
          priority: 3,
          fired: true,
          detail,
          keywords: null,
          conditions: { type: 'human_requested', passed: true, detail: 'the button was pressed' },
        } as never,
      ],
      assignment: { strategy: 'least_busy' },
    })
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
    const body = c.get('body') as { email: string; name?: string }
    const v = c.var.visitor
    await withTx(c.var.deps.pool, async (db) => {
      await db.query(
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
