/**
 * The one hook between conversations and channels: every message stored in a channel session that the
 * platform user should read (the bot's answers, agents' public replies, system texts) gets an outbox
 * row in the message's own transaction, so it is sent after commit, retried, and never lost or sent
 * twice. Widget sessions have no channel account: nothing is queued for them.
 */
import type { Queryable } from '../db/tx'
import { ApiError } from '../errors'

/** WhatsApp's customer service window: after it, only template messages reach the customer. */
export const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000

export const windowClosedMessage =
  "The customer's last WhatsApp message is more than 24 hours old: WhatsApp only delivers a template message now. Send an approved template (its name and language), or wait for the customer to write again."

/** Queues a stored message for its session's platform; refuses an agent reply WhatsApp would not deliver. */
export async function queueChannelDelivery(
  db: Queryable,
  m: {
    id: string
    tenant_id: string
    session_id: string
    message_type: string
    private?: boolean
    ai_metadata?: Record<string, unknown>
  },
  /** The session's channel account when the caller has read it: a widget session (null) costs no query. */
  known?: { channel_account_id: string | null },
) {
  // An approved template is what WhatsApp delivers outside the window.
  const template = !!m.ai_metadata?.template
  if (m.private || m.message_type === 'user') return
  if (known && !known.channel_account_id) return
  const { rows } = await db.query(
    `select s.channel, s.channel_account_id,
            case when s.channel = 'whatsapp' and $2 then
              (select max(c.created_at) from chatbot_conversations c where c.session_id = s.id and c.message_type = 'user')
            end as last_inbound
       from chatbot_sessions s where s.id = $1`,
    [m.session_id, m.message_type === 'agent'],
  )
  const s = rows[0]
  if (!s?.channel_account_id) return
  if (
    m.message_type === 'agent' &&
    s.channel === 'whatsapp' &&
    !template &&
    (!s.last_inbound || Date.now() - new Date(s.last_inbound).getTime() > WHATSAPP_WINDOW_MS)
  )
    throw new ApiError(422, 'whatsapp_window_closed', windowClosedMessage)
  await db.query(
    `insert into channel_outbox (tenant_id, account_id, session_id, message_id) values ($1, $2, $3, $4)
     on conflict (message_id) do nothing`,
    [m.tenant_id, s.channel_account_id, m.session_id, m.id],
  )
  await db.query(
    `update chatbot_conversations set ai_metadata = ai_metadata || '{"delivery": {"status": "pending"}}'::jsonb where id = $1`,
    [m.id],
  )
}
