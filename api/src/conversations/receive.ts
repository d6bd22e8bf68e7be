/**
 * A visitor's turn, whatever the channel (the widget today, messaging platforms next): the message is
 * stored, the escalation rules run, the bot answers, the answer is stored, and each step is reported
 * through callbacks that the channel turns into its own events (SSE, a JSON body, a platform reply).
 */
import { generateAnswer } from '../answers/pipeline'
import type { Deps } from '../deps'
import { checkHandoff } from '../escalation/service'
import { ApiError } from '../errors'
import type { Message } from './messages'
import { escalate, handoffEscalation } from './status'
import { storeAnswer, storeVisitorMessage } from './store'

export type ReceiveDeps = Pick<
  Deps,
  'pool' | 'config' | 'llm' | 'embedder' | 'store' | 'log' | 'tokenBudget' | 'streams' | 'notifier'
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
  try {
    const sent = await storeVisitorMessage(deps.pool, session, input)
    const message = sent.message
    await on.onMessage?.(message)

    // Rules first: when one hands the session to people, the bot stays silent.
    const escalation = sent.pending && !sent.duplicate ? await handOff(deps, session, message, input) : null
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
      const answer = await generateAnswer(deps, {
        session,
        message,
        fallbackLanguage: sent.language,
        onDelta: on.onDelta,
        signal: on.signal,
      })
      reply = await storeAnswer(deps.pool, session, message, answer, Date.now() - started)
    } catch (err) {
      deps.log.error('answer failed', { err: String(err), session: session.id, request_id: input.request_id })
      if (!on.onFailed) throw answerFailed()
      await on.onFailed(answerFailed())
      return { message, reply: null, escalation: null }
    }
    await on.onDone?.(reply)
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
): Promise<Escalation | null> {
  try {
    const decision = await checkHandoff(deps, session, message)
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
