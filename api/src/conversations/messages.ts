import type { Message, MessageStatus, Source } from '../../../contract'
import { queueChannelDelivery } from '../channels/outbox'
import type { Queryable } from '../db/tx'

export type { Message, Source }

/** The columns every message query selects, with the agent's display name joined in. */
export const MESSAGE_COLUMNS = `m.id, m.session_id, m.seq, m.message_type, m.content, m.client_message_id, m.ai_metadata,
  m.private, m.status, m.created_at, m.reply_to, m.agent_id,
  (select coalesce(tm.display_name, 'Agent') from tenant_members tm
    where tm.tenant_id = m.tenant_id and tm.user_id = m.agent_id) as agent_name`

export interface MessageRow {
  id: string
  session_id: string
  seq: number
  message_type: 'user' | 'ai' | 'agent' | 'system'
  content: string
  client_message_id: string | null
  ai_metadata: Record<string, any>
  private: boolean
  status: string
  created_at: Date
  reply_to: string | null
  agent_id: string | null
  agent_name: string | null
}

/** A message as the API returns it (docs/api.md). */
export function toMessage(row: MessageRow): Message {
  const meta = row.ai_metadata ?? {}
  return {
    id: row.id,
    session_id: row.session_id,
    seq: row.seq,
    message_type: row.message_type,
    content: row.content,
    client_message_id: row.client_message_id,
    sources: (meta.sources ?? []) as Source[],
    agent: row.agent_id ? { id: row.agent_id, name: row.agent_name ?? 'Agent' } : null,
    status: row.status as MessageStatus,
    confidence: typeof meta.confidence === 'number' ? meta.confidence : null,
    suggest_human: meta.suggest_human === true,
    private: row.private,
    reply_to: row.reply_to,
    // Channel sessions: how the platform delivery went, and what a non-text message was.
    ...(meta.delivery ? { delivery: meta.delivery } : {}),
    ...(meta.attachment ? { attachment: meta.attachment } : {}),
    // The assistant's actions: choices the visitor can pick (meeting slots, a cancel button).
    ...(Array.isArray(meta.choices) ? { choices: meta.choices } : {}),
    // The wire's ISO string (what JSON.stringify made of pg's Date before).
    created_at: new Date(row.created_at).toISOString(),
  }
}

/** Messages of a session after a seq, in order; private notes only when asked for (console). */
export async function listMessages(
  db: Queryable,
  sessionId: string,
  after = 0,
  includePrivate = false,
  limit = 500,
) {
  const { rows } = await db.query(
    `select ${MESSAGE_COLUMNS} from chatbot_conversations m
      where m.session_id = $1 and m.seq > $2 and ($3 or not m.private)
      order by m.seq limit $4`,
    [sessionId, after, includePrivate, limit],
  )
  return rows.map(toMessage)
}

export async function getMessage(db: Queryable, id: string) {
  const { rows } = await db.query(`select ${MESSAGE_COLUMNS} from chatbot_conversations m where m.id = $1`, [
    id,
  ])
  return rows[0] ? toMessage(rows[0]) : null
}

/** The bot's answer to a visitor message, if one was stored. */
export async function findReply(db: Queryable, messageId: string) {
  const { rows } = await db.query(
    `select ${MESSAGE_COLUMNS} from chatbot_conversations m where m.reply_to = $1`,
    [messageId],
  )
  return rows[0] ? toMessage(rows[0]) : null
}

export interface NewMessage {
  tenant_id: string
  session_id: string
  message_type: MessageRow['message_type']
  content: string
  client_message_id?: string | null
  ai_metadata?: Record<string, unknown>
  agent_id?: string | null
  reply_to?: string | null
  private?: boolean
  status?: string
}

/**
 * Appends a message with the session's next seq. The caller holds the session row lock (lockSession),
 * so seqs are gap-free and ordered.
 */
export async function insertMessage(db: Queryable, m: NewMessage) {
  const { rows } = await db.query(
    `with s as (
       update chatbot_sessions set last_seq = last_seq + 1,
              last_message_at = case when $9 then last_message_at else now() end
        where id = $2 returning last_seq)
     insert into chatbot_conversations
       (tenant_id, session_id, seq, message_type, content, client_message_id, ai_metadata, agent_id, reply_to, private, status)
     select $1, $2, s.last_seq, $3, $4, $5, $6, $7, $8, $9, $10 from s
     returning id`,
    [
      m.tenant_id,
      m.session_id,
      m.message_type,
      m.content,
      m.client_message_id ?? null,
      m.ai_metadata ?? {},
      m.agent_id ?? null,
      m.reply_to ?? null,
      m.private ?? false,
      m.status ?? 'complete',
    ],
  )
  // A channel session's message goes out through its platform too (one outbox row, same transaction).
  await queueChannelDelivery(db, { ...m, id: rows[0].id })
  return (await getMessage(db, rows[0].id))!
}
