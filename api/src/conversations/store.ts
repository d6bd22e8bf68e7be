/**
 * The two writes of a visitor's turn: their message, stored once per client_message_id, and the bot's
 * answer to it, stored once per message.
 */
import type pg from 'pg'
import type { Answer } from '../answers/pipeline'
import { withTx } from '../db/tx'
import { conflict } from '../errors'
import { publish } from '../realtime/bus'
import type { Lang } from '../text/language'
import { findReply, getMessage, insertMessage, type Message } from './messages'
import { getSessionRow } from './sessions'
import { reopen } from './status'

export interface SendResult {
  message: Message
  /** The bot's answer, or null when a person has the session (the bot stays silent). */
  reply: Message | null
  /** The first send already stored this; nothing new was written. */
  duplicate: boolean
  /** The answer still to be given (only when reply is null and the bot should answer). */
  pending: boolean
  /** The conversation's language so far, the fallback when a message alone does not tell. */
  language: Lang
}

/**
 * Stores a visitor message once per client_message_id. A retry with the same id and content returns
 * the first result; the same id with other content is a conflict. The message is committed before
 * any answer is attempted, so a failed answer never loses it.
 */
export async function storeVisitorMessage(
  pool: pg.Pool,
  session: { id: string; tenant_id: string },
  input: { content: string; client_message_id: string },
): Promise<SendResult> {
  return withTx(pool, async (db) => {
    const s = await getSessionRow(db, session.id, true)
    const existing = await db.query(
      `select id, content from chatbot_conversations where session_id = $1 and client_message_id = $2`,
      [session.id, input.client_message_id],
    )
    if (existing.rows[0]) {
      if (existing.rows[0].content !== input.content) {
        throw conflict('This client_message_id was already used for a different message.')
      }
      const message = (await getMessage(db, existing.rows[0].id))!
      const reply = await findReply(db, message.id)
      return {
        message,
        reply,
        duplicate: true,
        pending: !reply && s.status !== 'escalated',
        language: s.ai_context?.language ?? 'en',
      }
    }
    const message = await insertMessage(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      message_type: 'user',
      content: input.content,
      client_message_id: input.client_message_id,
    })
    // A visitor writing again after resolution reopens the conversation with the bot.
    await reopen(db, s)
    await publish(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      kind: 'message',
      seq: message.seq,
    })
    return {
      message,
      reply: null,
      duplicate: false,
      pending: s.status !== 'escalated',
      language: s.ai_context?.language ?? 'en',
    }
  })
}

/**
 * Stores the bot's answer to one visitor message. At most one answer per visitor message (unique
 * reply_to): a concurrent retry that lost the race gets the stored one. Returns null if a person took
 * the session over while the answer was being written: the bot stays silent then.
 */
export async function storeAnswer(
  pool: pg.Pool,
  session: { id: string; tenant_id: string },
  replyTo: Message,
  answer: Answer,
  latencyMs: number,
): Promise<Message | null> {
  return withTx(pool, async (db) => {
    const s = await getSessionRow(db, session.id, true)
    const prior = await findReply(db, replyTo.id)
    if (prior) return prior
    if (s.status === 'escalated') return null
    const message = await insertMessage(db, {
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
        tokens: answer.tokens,
        fault: answer.fault,
        query: answer.query,
        chunk_ids: answer.chunk_ids,
        prompt_versions: answer.prompt_versions,
      },
    })
    await db.query(
      `update chatbot_sessions set ai_context = ai_context || jsonb_build_object('language', $2::text) where id = $1`,
      [session.id, answer.language],
    )
    await publish(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      kind: 'message',
      seq: message.seq,
    })
    return message
  })
}
