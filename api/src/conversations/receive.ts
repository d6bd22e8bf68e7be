/**
 * A visitor's turn, whatever the channel (the widget today, messaging platforms next): the message is
 * stored, the escalation rules run, the bot answers, the answer is stored, and each step is reported
 * through callbacks that the channel turns into its own events (SSE, a JSON body, a platform reply).
 * The turn's two writes are here too, in the order they happen: the visitor's message (once per
 * client_message_id) and the bot's answer (once per message).
 */
import type pg from 'pg'
import { queueChannelDelivery } from '../channels/outbox'
import { acceptsHumanOffer, generateAnswer, type Answer } from '../answers/pipeline'
import { runActions, type ActionReply } from '../contacts/actions'
import { inOrder, withTx, type Queryable } from '../db/tx'
import type { Deps } from '../deps'
import { checkHandoff, lexiconTriage, triageContext, type Triage } from '../escalation/service'
import { ApiError, conflict, notFound } from '../errors'
import { CHANNEL } from '../realtime/bus'
import type { Lang } from '../text/language'
import { findReply, getMessage, MESSAGE_COLUMNS, toMessage, type Message, type MessageRow } from './messages'
import { SESSION_COLUMNS } from './sessions'
import { stageEnd, stageStart } from './stages'
import { builtInTrace, escalate, handoffEscalation, HUMAN_REQUEST_PRIORITY, reopen } from './status'

export type ReceiveDeps = Pick<
  Deps,
  | 'pool'
  | 'config'
  | 'llm'
  | 'embedder'
  | 'store'
  | 'log'
  | 'tokenBudget'
  | 'streams'
  | 'notifier'
  | 'secrets'
>

/** The session the message arrives in. */
export interface Conversation {
  id: string
  tenant_id: string
  bot_id: string
}

export interface Incoming {
  content: string
  /** The channel's id for this message: a retry with the same id is the same message. */
  client_message_id: string
  /** Named in the logs. */
  request_id?: string
}

/** The session went to people: the bot stays silent, the visitor reads `message`. */
export interface Escalation {
  id: string
  reason: string
  message: Message
}

/** Progress of a turn, in order: onMessage, then onEscalated or onDelta..., then onDone or onFailed. */
export interface ReceiveCallbacks {
  /** The visitor's message is stored (on a retry: the one stored the first time). */
  onMessage?: (message: Message) => void | Promise<void>
  /** The rules handed the session to people; onDone(null) follows. */
  onEscalated?: (escalation: Escalation) => void | Promise<void>
  /** A piece of the answer text (on a retry of an answered message: the whole stored answer). */
  onDelta?: (text: string) => void | Promise<void>
  /** The stored answer, or null when the bot stays silent. */
  onDone?: (reply: Message | null) => void | Promise<void>
  /** The answer failed (the message stays stored). Without it, receive throws the error instead. */
  onFailed?: (error: ApiError) => void | Promise<void>
  /** Aborted when the visitor leaves: the model call stops and what was written is stored as partial. */
  signal?: AbortSignal
}

export interface Received {
  message: Message
  reply: Message | null
  escalation: Escalation | null
}

/** The 503 of a failed answer: the message is stored, so the visitor can retry with the same id. */
export const answerFailed = () =>
  new ApiError(
    503,
    'answer_failed',
    'Your message was saved, but the answer failed. Retry with the same client_message_id.',
  )

/**
 * Takes one visitor message through store -> rules -> answer -> store. A retry with the same
 * client_message_id returns what the first send stored (answering it when that answer failed); the
 * same id with other content is a 409. Shutdown waits for the turn (within its grace period).
 */
export async function receive(
  deps: ReceiveDeps,
  session: Conversation,
  input: Incoming,
  on: ReceiveCallbacks = {},
): Promise<Received> {
  const started = Date.now()
  const done = deps.streams.begin()
  const turn = stageStart()
  let t = turn
  try {
    // The lexicon's triage (sentiment, a sure language) is kept by the message's own write.
    const triage = lexiconTriage(input.content)
    const sent = await storeVisitorMessage(deps.pool, session, input, triageContext(triage))
    const message = sent.message
    t = stageEnd('store', t)
    await on.onMessage?.(message)

    // Rules first: when one hands the session to people, the bot stays silent.
    t = stageStart()
    const escalation =
      sent.pending && !sent.duplicate
        ? ((await handOff(deps, session, message, input, triage)) ??
          (await acceptOffer(deps, session, message, sent.language, sent.previous)))
        : null
    t = stageEnd('rules', t)
    if (escalation) {
      await on.onEscalated?.(escalation)
      await on.onDone?.(null)
      return { message, reply: null, escalation }
    }
    if (!sent.pending) {
      if (sent.reply) await on.onDelta?.(sent.reply.content)
      await on.onDone?.(sent.reply)
      return { message, reply: sent.reply, escalation: null }
    }

    let reply: Message | null
    try {
      // The actions step: an order's status or a meeting, for a verified customer (contacts/actions.ts).
      const acted = await runActions(deps, session, message, sent.language, sent.previous)
      if (acted) await on.onDelta?.(acted.content)
      // Outside any transaction: the answer may wait for a model, and retrieval's vector store takes
      // its own connection (inside a transaction that would hold two, or deadlock PGlite's one).
      const answer = acted
        ? actionAnswer(acted)
        : await generateAnswer(deps, {
            session,
            message,
            fallbackLanguage: sent.language,
            sessionLanguage: sent.sessionLanguage,
            onDelta: on.onDelta,
            signal: on.signal,
          })
      t = stageEnd('answer', t)
      reply = await storeAnswer(deps.pool, session, message, answer, Date.now() - started, acted?.meta)
      t = stageEnd('store_answer', t)
    } catch (err) {
      deps.log.error('answer failed', { err: String(err), session: session.id, request_id: input.request_id })
      if (!on.onFailed) throw answerFailed()
      await on.onFailed(answerFailed())
      return { message, reply: null, escalation: null }
    }
    await on.onDone?.(reply)
    stageEnd('deliver', t)
    stageEnd('turn', turn)
    return { message, reply, escalation: null }
  } finally {
    // Released once the channel has had its turn to deliver the result (a JSON body is written in the
    // promise jobs after this returns): shutdown closes connections as soon as no turn is marked.
    setImmediate(done)
  }
}

/** The rules' verdict on a new message, carried out; a failing check lets the bot answer. */
async function handOff(
  deps: ReceiveDeps,
  session: Conversation,
  message: Message,
  input: Incoming,
  triage: Triage,
): Promise<Escalation | null> {
  try {
    // What the rules look at and their version: one statement (a model, when a rule needs one, is
    // called with no connection held).
    const decision = await checkHandoff(deps, session, message, triage)
    const handoff = decision && (await escalate(deps, session, handoffEscalation(decision)))
    return handoff ? { id: handoff.escalation_id, reason: handoff.reason, message: handoff.message } : null
  } catch (err) {
    deps.log.error('escalation check failed; the bot answers', {
      err: String(err),
      session: session.id,
      request_id: input.request_id,
    })
    return null
  }
}

/** "Yes" to the bot's own offer of a person (the previous answer asked): the session goes to people. */
async function acceptOffer(
  deps: ReceiveDeps,
  session: Conversation,
  message: Message,
  language: Lang,
  previous: Record<string, unknown> | null,
): Promise<Escalation | null> {
  if (!acceptsHumanOffer(previous, message)) return null
  const handoff = await escalate(deps, session, {
    rule_id: null,
    reason: `Visitor accepted the offer of a person ("${message.content.slice(0, 60)}")`,
    priority: HUMAN_REQUEST_PRIORITY,
    trace: [builtInTrace.humanRequested(message.content.slice(0, 60))],
    assignment: { strategy: 'least_busy' },
    language,
  })
  return handoff ? { id: handoff.escalation_id, reason: handoff.reason, message: handoff.message } : null
}

interface SendResult {
  message: Message
  /** The bot's answer, or null when a person has the session (the bot stays silent). */
  reply: Message | null
  /** The first send already stored this; nothing new was written. */
  duplicate: boolean
  /** The answer still to be given (only when reply is null and the bot should answer). */
  pending: boolean
  /** The conversation's language so far, the fallback when a message alone does not tell. */
  language: Lang
  /** The language the session already holds (a platform's locale, an earlier turn), null before any. */
  sessionLanguage: Lang | null
  /**
   * The ai_metadata of the public reply (the bot's or an agent's) before this message, null before
   * any: what the bot offered (a person, meeting slots) that this message may answer.
   */
  previous: Record<string, unknown> | null
}

/**
 * Stores a visitor message once per client_message_id. A retry with the same id and content returns
 * the first result; the same id with other content is a conflict. The message is committed before
 * any answer is attempted, so a failed answer never loses it.
 */
async function storeVisitorMessage(
  pool: pg.Pool,
  session: { id: string; tenant_id: string },
  input: { content: string; client_message_id: string },
  /** Merged into the session's ai_context with a new message (not on a retry). */
  context: Record<string, unknown>,
): Promise<SendResult> {
  return withTx(pool, async (db) => {
    // The session, locked, then an earlier send with this client_message_id. Two statements: under read
    // committed a statement that waited for the lock re-checks the locked row only, so a join in the same
    // statement would miss the message a concurrent retry just committed (seen on a server).
    // Pipelined on a server (inOrder): one round trip, the second statement starting after the lock.
    const [, { rows }] = await inOrder(db, [
      [`select 1 from chatbot_sessions where id = $1 for update`, [session.id]],
      [
        `select ${SESSION_COLUMNS}, e.id as existing_id, e.content as existing_content,
              (select p.ai_metadata from chatbot_conversations p
                where p.session_id = s.id and p.seq < coalesce(e.seq, s.last_seq + 1) and not p.private
                  and p.message_type in ('ai', 'agent')
                order by p.seq desc limit 1) as previous
         from chatbot_sessions s
         left join chatbot_conversations e on e.session_id = s.id and e.client_message_id = $2
        where s.id = $1`,
        [session.id, input.client_message_id],
      ],
    ])
    const s = rows[0]
    if (!s) throw notFound('Session')
    if (s.existing_id) {
      if (s.existing_content !== input.content) {
        throw conflict('This client_message_id was already used for a different message.')
      }
      const message = (await getMessage(db, s.existing_id))!
      const reply = await findReply(db, message.id)
      return {
        message,
        reply,
        duplicate: true,
        pending: !reply && s.status !== 'escalated',
        language: s.ai_context?.language ?? 'en',
        sessionLanguage: s.ai_context?.language ?? null,
        previous: s.previous ?? null,
      }
    }
    const message = await appendMessage(
      db,
      {
        tenant_id: session.tenant_id,
        session_id: session.id,
        message_type: 'user',
        content: input.content,
        client_message_id: input.client_message_id,
      },
      context,
    )
    // A visitor writing again after resolution reopens the conversation with the bot.
    await reopen(db, s)
    return {
      message,
      reply: null,
      duplicate: false,
      pending: s.status !== 'escalated',
      language: s.ai_context?.language ?? 'en',
      sessionLanguage: s.ai_context?.language ?? null,
      previous: s.previous ?? null,
    }
  })
}

/**
 * Stores the bot's answer to one visitor message. At most one answer per visitor message (unique
 * reply_to): a concurrent retry that lost the race gets the stored one. Returns null if a person took
 * the session over while the answer was being written: the bot stays silent then.
 */
async function storeAnswer(
  pool: pg.Pool,
  session: { id: string; tenant_id: string },
  replyTo: Message,
  answer: Answer,
  latencyMs: number,
  action?: ActionReply['meta'],
): Promise<Message | null> {
  return withTx(pool, (db) => storeAnswerIn(db, session, replyTo, answer, latencyMs, action))
}

/** An action's reply in the shape of an answer (no sources, no model). */
const actionAnswer = (a: ActionReply): Answer => ({
  content: a.content,
  sources: [],
  confidence: 1,
  language: a.language,
  suggest_human: a.offered_human,
  offered_human: a.offered_human,
  model: 'action',
  status: 'complete',
  tokens: { prompt: 0, completion: 0 },
  fault: null,
  query: '',
  chunk_ids: [],
  prompt_versions: {},
})

/** storeAnswer's work, in the caller's transaction. */
async function storeAnswerIn(
  db: Queryable,
  session: { id: string; tenant_id: string },
  replyTo: Message,
  answer: Answer,
  latencyMs: number,
  action?: ActionReply['meta'],
): Promise<Message | null> {
  // The session, locked, then an answer stored meanwhile (a concurrent retry). Two statements, for the
  // reason storeVisitorMessage gives: a statement that waited for the lock would not see the answer
  // the retry holding it committed. Pipelined on a server: one round trip.
  const [, { rows }] = await inOrder(db, [
    [`select 1 from chatbot_sessions where id = $1 for update`, [session.id]],
    [
      `select s.status, s.channel_account_id, (select m.id from chatbot_conversations m where m.reply_to = $2) as prior
         from chatbot_sessions s where s.id = $1`,
      [session.id, replyTo.id],
    ],
  ])
  if (!rows[0]) throw notFound('Session')
  if (rows[0].prior) return getMessage(db, rows[0].prior)
  if (rows[0].status === 'escalated') return null
  return appendMessage(
    db,
    {
      tenant_id: session.tenant_id,
      session_id: session.id,
      message_type: 'ai',
      content: answer.content || '…',
      reply_to: replyTo.id,
      status: answer.status,
      ai_metadata: {
        sources: answer.sources,
        model: answer.model,
        confidence: answer.confidence,
        latency_ms: latencyMs,
        language: answer.language,
        suggest_human: answer.suggest_human,
        offered_human: answer.offered_human,
        tokens: answer.tokens,
        fault: answer.fault,
        query: answer.query,
        chunk_ids: answer.chunk_ids,
        prompt_versions: answer.prompt_versions,
        ...(action ?? {}),
        // The passages' answerability scores (the feedback inbox shows them beside the sources).
        signals: answer.signals,
      },
    },
    { language: answer.language },
    { channel_account_id: rows[0].channel_account_id },
  )
}

/**
 * insertMessage (messages.ts) and publish (realtime/bus.ts) in one statement: appends a public
 * message with the session's next seq, merges `context` into the session's ai_context, and queues the
 * `message` event (delivered on commit). The caller holds the session row lock.
 */
async function appendMessage(
  db: Queryable,
  m: {
    tenant_id: string
    session_id: string
    message_type: 'user' | 'ai'
    content: string
    client_message_id?: string
    reply_to?: string
    status?: string
    ai_metadata?: Record<string, unknown>
  },
  context: Record<string, unknown> = {},
  /** The session's channel account, when the caller read it (queueChannelDelivery then skips a query). */
  channel?: { channel_account_id: string | null },
): Promise<Message> {
  const { rows } = await db.query(
    `with s as (
       update chatbot_sessions set last_seq = last_seq + 1, last_message_at = now(), ai_context = ai_context || $9::jsonb
        where id = $2 returning last_seq),
     m as (
       insert into chatbot_conversations
         (tenant_id, session_id, seq, message_type, content, client_message_id, ai_metadata, reply_to, status)
       select $1, $2, s.last_seq, $3, $4, $5, $6, $7, $8 from s
       returning *)
     select ${MESSAGE_COLUMNS},
            pg_notify($10, json_build_object('tenant_id', m.tenant_id, 'session_id', m.session_id,
                                             'kind', 'message', 'seq', m.seq)::text)
       from m`,
    [
      m.tenant_id,
      m.session_id,
      m.message_type,
      m.content,
      m.client_message_id ?? null,
      m.ai_metadata ?? {},
      m.reply_to ?? null,
      m.status ?? 'complete',
      JSON.stringify(context),
      CHANNEL,
    ],
  )
  const stored = toMessage(rows[0] as MessageRow)
  // A channel session's answer goes out through its platform too (one outbox row, same transaction).
  await queueChannelDelivery(db, { ...m, id: stored.id }, channel)
  return stored
}
