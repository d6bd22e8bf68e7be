import { Hono } from 'hono'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { requireUser } from '../auth/middleware'
import { withMemberTx, type Queryable } from '../db/tx'
import type { AppEnv } from '../env'
import { badRequest, notFound } from '../errors'
import { text } from '../http/text'
import { jsonBody, query, uuidRe } from '../http/validate'
import { publish } from '../realtime/bus'
import { liveSSE } from '../realtime/sse'
import { insertMessage, listMessages } from '../sessions/messages'
import { getSessionRow, SESSION_COLUMNS, toInboxSession } from '../sessions/service'

/** The agents' side: the tenant's sessions, their conversations, replies and resolution. */
export const inbox = new Hono<AppEnv>()
inbox.use('/tenants/*', requireUser)

const SUMMARY = `${SESSION_COLUMNS},
  (select json_build_object('message_type', m.message_type, 'content', left(m.content, 200), 'created_at', m.created_at)
     from chatbot_conversations m where m.session_id = s.id and not m.private order by m.seq desc limit 1) as last_message,
  (select count(*) from chatbot_conversations m where m.session_id = s.id) as message_count`

const toSummary = (row: any) => ({ ...toInboxSession(row), last_message: row.last_message, message_count: row.message_count })

async function sessionSummary(db: Queryable, tenantId: string, sessionId: string) {
  const { rows } = await db.query(`select ${SUMMARY} from chatbot_sessions s where s.id = $1 and s.tenant_id = $2`, [sessionId, tenantId])
  if (!rows[0]) throw notFound('Session')
  return toSummary(rows[0])
}

const listSchema = z.object({
  status: z.enum(['active', 'escalated', 'resolved']).optional(),
  assignee: z.union([z.literal('me'), z.literal('none'), z.string().regex(uuidRe, 'must be me, none or a user id')]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
})

inbox.get('/tenants/:t/sessions', async (c) => {
  const q = query(listSchema, c.req.query())
  const sessions = await asMember(c, c.req.param('t'), async (db) => {
    const assignee = q.assignee === 'me' ? c.var.user.sub : q.assignee
    const { rows } = await db.query(
      `select ${SUMMARY} from chatbot_sessions s
        where s.tenant_id = $1 and ($2::text is null or s.status = $2)
          and ($3::text is null or ($3 = 'none' and s.assignee_id is null) or s.assignee_id::text = $3)
        order by coalesce(s.last_message_at, s.created_at) desc limit $4`,
      [c.req.param('t'), q.status ?? null, assignee ?? null, q.limit],
    )
    return rows.map(toSummary)
  })
  return c.json({ sessions })
})

/** Checks a session id belongs to the tenant (under RLS) and returns it locked for the transaction. */
async function tenantSession(db: Queryable, tenantId: string, sessionId: string) {
  if (!uuidRe.test(sessionId)) throw notFound('Session')
  const s = await getSessionRow(db, sessionId, true)
  if (s.tenant_id !== tenantId) throw notFound('Session')
  return s
}

inbox.get('/tenants/:t/sessions/:id', async (c) => {
  const t = c.req.param('t')
  const result = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    return { session: await sessionSummary(db, t, s.id), messages: await listMessages(db, s.id, 0, true, 5000) }
  })
  return c.json(result)
})

const replySchema = z.object({ content: text(8000), private: z.boolean().default(false) })

inbox.post('/tenants/:t/sessions/:id/messages', jsonBody(replySchema), async (c) => {
  const body = c.get('body') as z.infer<typeof replySchema>
  const t = c.req.param('t')
  const me = c.var.user.sub
  const message = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    const message = await insertMessage(db, {
      tenant_id: t,
      session_id: s.id,
      message_type: 'agent',
      content: body.content,
      agent_id: me,
      private: body.private,
    })
    // A person answering takes the conversation over: the bot goes silent until it is resolved.
    if (!body.private && (s.status !== 'escalated' || !s.assignee_id)) {
      await db.query(`update chatbot_sessions set status = 'escalated', assignee_id = coalesce(assignee_id, $2) where id = $1`, [s.id, me])
      await db.query(
        `update escalations set status = 'in_progress', assignee_id = coalesce(assignee_id, $2),
                first_response_at = coalesce(first_response_at, now())
          where session_id = $1 and status <> 'resolved'`,
        [s.id, me],
      )
      await publish(db, { tenant_id: t, session_id: s.id, kind: 'status' })
    }
    await publish(db, { tenant_id: t, session_id: s.id, kind: 'message', seq: message.seq, private: body.private })
    return message
  })
  return c.json({ message }, 201)
})

const assignSchema = z.object({ assignee_id: z.string().regex(uuidRe, 'must be a user id').nullable().optional() })

inbox.post('/tenants/:t/sessions/:id/assign', jsonBody(assignSchema), async (c) => {
  const body = c.get('body') as z.infer<typeof assignSchema>
  const t = c.req.param('t')
  const session = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    const assignee = body.assignee_id === undefined ? c.var.user.sub : body.assignee_id
    if (assignee) {
      const m = await db.query('select 1 from tenant_members where tenant_id = $1 and user_id = $2', [t, assignee])
      if (!m.rows[0]) throw badRequest('validation_failed', 'assignee_id: not a member of this tenant')
    }
    await db.query('update chatbot_sessions set assignee_id = $2 where id = $1', [s.id, assignee])
    await db.query(`update escalations set assignee_id = $2 where session_id = $1 and status <> 'resolved'`, [s.id, assignee])
    await publish(db, { tenant_id: t, session_id: s.id, kind: 'status' })
    return sessionSummary(db, t, s.id)
  })
  return c.json({ session })
})

const RESOLVED_TEXT: Record<string, string> = {
  fr: 'Cette conversation est résolue. Merci ! Vous pouvez noter notre aide.',
  en: 'This conversation is resolved. Thank you! You can rate the help you got.',
  es: 'Esta conversación está resuelta. ¡Gracias! Puede valorar la ayuda recibida.',
  pt: 'Esta conversa foi resolvida. Obrigado! Você pode avaliar o atendimento.',
}

inbox.post('/tenants/:t/sessions/:id/resolve', async (c) => {
  const t = c.req.param('t')
  const session = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    if (s.status !== 'resolved') {
      await db.query(`update chatbot_sessions set status = 'resolved', resolved_at = now() where id = $1`, [s.id])
      await db.query(`update escalations set status = 'resolved', resolved_at = now() where session_id = $1 and status <> 'resolved'`, [s.id])
      const lang = (s.ai_context?.language as string) ?? 'en'
      const msg = await insertMessage(db, { tenant_id: t, session_id: s.id, message_type: 'system', content: RESOLVED_TEXT[lang] ?? RESOLVED_TEXT.en })
      await publish(db, { tenant_id: t, session_id: s.id, kind: 'status' })
      await publish(db, { tenant_id: t, session_id: s.id, kind: 'message', seq: msg.seq })
    }
    return sessionSummary(db, t, s.id)
  })
  return c.json({ session })
})

inbox.get('/tenants/:t/events', async (c) => {
  const t = c.req.param('t')
  const { pool, bus } = c.var.deps
  await asMember(c, t, async () => {})
  const user = c.var.user
  return liveSSE(c, async (live) => {
    const unsubscribe = bus.subscribe((e) => {
      if (e.tenant_id !== t || e.kind === 'typing') return
      // Read under RLS each time: a member removed since connecting gets nothing more.
      void withMemberTx(pool, user, (db) => sessionSummary(db, t, e.session_id))
        .then((session) => live.send('session', { session_id: e.session_id, reason: e.kind, session }))
        .catch(() => live.send('revoked', {}).then(() => undefined))
    })
    return unsubscribe
  })
})
