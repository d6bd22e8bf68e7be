/**
 * A visitor message the bot cannot read (an image, a voice note, a sticker, a location sent on a
 * messaging platform): stored like any visitor message, with its kind and a readable placeholder, so
 * the agents see it in the inbox; then, unless a person has the conversation, the bot's reply says
 * it reads text only. Once per client_message_id, like receive().
 */
import { withTx } from '../db/tx'
import { publish } from '../realtime/bus'
import { findReply, getMessage, insertMessage, type Message } from './messages'
import type { Conversation, ReceiveDeps } from './receive'
import { getSessionRow } from './sessions'
import { reopen } from './status'

export interface Unreadable {
  client_message_id: string
  /** What was sent: 'image', 'audio', 'sticker'... */
  kind: string
  /** The stored content: a readable placeholder such as "[image]". */
  placeholder: string
  /** The bot's reply in the visitor's language. */
  reply: (language: string) => string
}

export async function receiveUnreadable(
  deps: Pick<ReceiveDeps, 'pool'>,
  session: Conversation,
  input: Unreadable,
): Promise<{ message: Message; reply: Message | null }> {
  return withTx(deps.pool, async (db) => {
    const s = await getSessionRow(db, session.id, true)
    const prior = await db.query(
      `select id from chatbot_conversations where session_id = $1 and client_message_id = $2`,
      [session.id, input.client_message_id],
    )
    if (prior.rows[0]) {
      const message = (await getMessage(db, prior.rows[0].id))!
      return { message, reply: await findReply(db, message.id) }
    }
    const message = await insertMessage(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      message_type: 'user',
      content: input.placeholder,
      client_message_id: input.client_message_id,
      ai_metadata: { attachment: { type: input.kind } },
    })
    await reopen(db, s)
    await publish(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      kind: 'message',
      seq: message.seq,
    })
    if (s.status === 'escalated') return { message, reply: null }
    const reply = await insertMessage(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      message_type: 'ai',
      content: input.reply((s.ai_context?.language as string) ?? 'en'),
      reply_to: message.id,
      ai_metadata: { text_only: true },
    })
    await publish(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      kind: 'message',
      seq: reply.seq,
    })
    return { message, reply }
  })
}
