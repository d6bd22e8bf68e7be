import type { Queryable } from '../db/tx'
import { notFound } from '../errors'

/** Every session query selects these, with the assignee's display name joined in. */
export const SESSION_COLUMNS = `s.id, s.tenant_id, s.bot_id, s.status, s.visitor_id, s.priority, s.created_at, s.last_message_at,
  s.csat_score, s.assignee_id, s.ai_context, s.customer_context, s.last_seq,
  s.channel, s.channel_account_id, s.external_user_id, s.external_user_name, s.external_user_phone, s.external_user_handle,
  (select coalesce(tm.display_name, 'Agent') from tenant_members tm
    where tm.tenant_id = s.tenant_id and tm.user_id = s.assignee_id) as assignee_name`

/** A session as the widget side sees it (docs/api.md). */
export function toSession(row: any) {
  return {
    id: row.id,
    bot_id: row.bot_id,
    status: row.status,
    visitor_id: row.visitor_id,
    assignee: row.assignee_id ? { id: row.assignee_id, name: row.assignee_name ?? 'Agent' } : null,
    created_at: row.created_at,
    last_message_at: row.last_message_at,
    csat: row.csat_score,
  }
}

/** The console sees a little more: priority, context and the AI's notes. */
export function toInboxSession(row: any) {
  return {
    ...toSession(row),
    tenant_id: row.tenant_id,
    priority: row.priority,
    customer_context: row.customer_context,
    ai_context: row.ai_context,
    channel: row.channel,
    // Messaging channels: the account and the platform user (name, phone or handle); null on the widget.
    channel_account_id: row.channel_account_id ?? null,
    external_user: row.external_user_id
      ? {
          id: row.external_user_id,
          name: row.external_user_name,
          phone: row.external_user_phone,
          handle: row.external_user_handle,
        }
      : null,
  }
}

export async function getSessionRow(db: Queryable, id: string, lock = false) {
  const { rows } = await db.query(
    `select ${SESSION_COLUMNS} from chatbot_sessions s where s.id = $1${lock ? ' for update' : ''}`,
    [id],
  )
  if (!rows[0]) throw notFound('Session')
  return rows[0]
}
