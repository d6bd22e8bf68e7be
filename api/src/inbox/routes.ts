import { linkDomains } from '../answers/links'
import { Hono } from 'hono'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { principalKey, requireUser } from '../auth/middleware'
import { withMemberTx, type Queryable } from '../db/tx'
import type { AppEnv } from '../deps'
import { badRequest, notFound } from '../errors'
import { text } from '../http/text'
import { jsonBody, query, uuidRe } from '../http/validate'
import { publish, type BusEvent } from '../realtime/bus'
import { apiKeys, memberships } from '../realtime/credentials'
import { liveSSE } from '../realtime/sse'
import type { ApiKeyPrincipal } from '../auth/keys'
import { insertMessage, listMessages } from '../conversations/messages'
import { getSessionRow, SESSION_COLUMNS, toInboxSession } from '../conversations/sessions'
import { claim, handBack, resolve, takeOverByReply, type Closed } from '../conversations/status'

/** The agents' side: the tenant's sessions, their conversations, replies and resolution. */
export const inbox = new Hono<AppEnv>()
inbox.use('/tenants/*', requireUser)

const SUMMARY = `${SESSION_COLUMNS},
  (select json_build_object('message_type', m.message_type, 'content', left(m.content, 200), 'created_at', m.created_at)
     from chatbot_conversations m where m.session_id = s.id and not m.private order by m.seq desc limit 1) as last_message,
  (select count(*) from chatbot_conversations m where m.session_id = s.id) as message_count,
  (select json_build_object('id', e.id, 'reason', e.reason, 'status', e.status, 'priority', e.priority, 'assignee_id', e.assignee_id,
                            'created_at', e.created_at, 'first_response_at', e.first_response_at)
     from escalations e where e.session_id = s.id order by e.created_at desc limit 1) as escalation`

const toSummary = (row: any) => ({
  ...toInboxSession(row),
  last_message: row.last_message,
  message_count: row.message_count,
  escalation: row.escalation,
})

/** The session's latest escalation in full: reason, rule, trace and summary. */
async function escalationDetail(db: Queryable, sessionId: string) {
  const { rows } = await db.query(
    `select e.id, e.rule_id, r.rule_name, e.reason, e.trace, e.ai_summary, e.status, e.priority, e.assignee_id, e.outcome,
            e.created_at, e.assigned_at, e.first_response_at, e.resolved_at
       from escalations e left join escalation_rules r on r.id = e.rule_id
      where e.session_id = $1 order by e.created_at desc limit 1`,
    [sessionId],
  )
  return rows[0] ?? null
}

/** How long the console's stream gathers events before reading the sessions they name. */
const BURST_MS = 15

async function sessionSummaries(db: Queryable, tenantId: string, ids: string[]) {
  const { rows } = await db.query(
    `select ${SUMMARY} from chatbot_sessions s where s.id = any($1::uuid[]) and s.tenant_id = $2`,
    [ids, tenantId],
  )
  return new Map(rows.map((row) => [row.id as string, toSummary(row)]))
}

async function sessionSummary(db: Queryable, tenantId: string, sessionId: string) {
  const summary = (await sessionSummaries(db, tenantId, [sessionId])).get(sessionId)
  if (!summary) throw notFound('Session')
  return summary
}

const listSchema = z.object({
  status: z.enum(['active', 'escalated', 'resolved']).optional(),
  assignee: z
    .union([z.literal('me'), z.literal('none'), z.string().regex(uuidRe, 'must be me, none or a user id')])
    .optional(),
  priority: z.coerce.number().int().min(1).max(5).optional(),
  channel: z.enum(['widget', 'api', 'email', 'whatsapp', 'telegram', 'messenger', 'instagram']).optional(),
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
          and ($5::int is null or s.priority = $5)
          and ($6::text is null or s.channel = $6)
        order by (s.status = 'escalated') desc, case when s.status = 'escalated' then s.priority end desc nulls last,
                 coalesce(s.last_message_at, s.created_at) desc limit $4`,
      [c.req.param('t'), q.status ?? null, assignee ?? null, q.limit, q.priority ?? null, q.channel ?? null],
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
    return {
      bot_id: s.bot_id,
      session: await sessionSummary(db, t, s.id),
      messages: await listMessages(db, s.id, 0, true, 5000),
      escalation: await escalationDetail(db, s.id),
    }
  })
  const { bot_id, ...detail } = result
  // The visitor's page_url is the visitor's word: the console links it only to the tenant's own domains.
  return c.json({ ...detail, link_domains: await linkDomains(c.var.deps.pool, t, bot_id) })
})

/** A WhatsApp message template approved in WhatsApp Manager: its name and language code. */
const templateSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name: lowercase letters, digits and _'),
    language: z.string().regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'a language code like en_US or fr'),
  })
  .strict()

const replySchema = z
  .object({
    content: text(8000).optional(),
    private: z.boolean().default(false),
    template: templateSchema.optional(),
  })
  .superRefine((b, ctx) => {
    if (!b.template && b.content === undefined)
      ctx.addIssue({ code: 'custom', path: ['content'], message: 'Required' })
    if (b.template && b.private)
      ctx.addIssue({ code: 'custom', path: ['template'], message: 'a private note cannot be a template' })
  })

inbox.post('/tenants/:t/sessions/:id/messages', jsonBody(replySchema), async (c) => {
  const body = c.get('body') as z.infer<typeof replySchema>
  const t = c.req.param('t')
  const me = c.var.user.sub
  const message = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    // WhatsApp outside its 24-hour window delivers only an approved template (conversations' outbox).
    if (body.template && s.channel !== 'whatsapp')
      throw badRequest('validation_failed', 'template: only WhatsApp conversations send templates')
    const tpl = body.template
    const message = await insertMessage(db, {
      tenant_id: t,
      session_id: s.id,
      message_type: 'agent',
      content: body.content ?? (tpl ? `[template ${tpl.name} (${tpl.language})]` : ''),
      agent_id: me,
      private: body.private,
      ...(tpl ? { ai_metadata: { template: tpl } } : {}),
    })
    // A person answering takes the conversation over: the bot goes silent until it is resolved.
    if (!body.private) await takeOverByReply(db, s, me)
    await publish(db, {
      tenant_id: t,
      session_id: s.id,
      kind: 'message',
      seq: message.seq,
      private: body.private,
    })
    return message
  })
  return c.json({ message }, 201)
})

const assignSchema = z.object({
  assignee_id: z.string().regex(uuidRe, 'must be a user id').nullable().optional(),
})

inbox.post('/tenants/:t/sessions/:id/assign', jsonBody(assignSchema), async (c) => {
  const body = c.get('body') as z.infer<typeof assignSchema>
  const t = c.req.param('t')
  const session = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    const assignee = body.assignee_id === undefined ? c.var.user.sub : body.assignee_id
    if (assignee) {
      const m = await db.query('select 1 from tenant_members where tenant_id = $1 and user_id = $2', [
        t,
        assignee,
      ])
      if (!m.rows[0]) throw badRequest('validation_failed', 'assignee_id: not a member of this tenant')
    }
    await db.query('update chatbot_sessions set assignee_id = $2 where id = $1', [s.id, assignee])
    await db.query(`update escalations set assignee_id = $2 where session_id = $1 and status <> 'resolved'`, [
      s.id,
      assignee,
    ])
    await publish(db, { tenant_id: t, session_id: s.id, kind: 'status' })
    return sessionSummary(db, t, s.id)
  })
  return c.json({ session })
})

/**
 * Daily agent figures (seed 003 agent_analytics): conversations handled and running averages of first
 * response and resolution times, for the agent who had the escalation (or who resolved it).
 */
async function recordResolution(db: Queryable, tenantId: string, e: Closed | undefined, resolver: string) {
  if (!e) return
  await db.query(
    `insert into agent_analytics (tenant_id, agent_id, date, conversations_handled, avg_first_response_seconds, avg_resolution_minutes, ai_escalations_received)
     values ($1, $2, current_date, 1, coalesce($3::real, 0), $4::real, 1)
     on conflict (tenant_id, agent_id, date) do update set
       conversations_handled = agent_analytics.conversations_handled + 1,
       avg_first_response_seconds = case when $3::real is null then agent_analytics.avg_first_response_seconds
         else (agent_analytics.avg_first_response_seconds * agent_analytics.conversations_handled + $3::real) / (agent_analytics.conversations_handled + 1) end,
       avg_resolution_minutes = (agent_analytics.avg_resolution_minutes * agent_analytics.conversations_handled + $4::real) / (agent_analytics.conversations_handled + 1),
       ai_escalations_received = agent_analytics.ai_escalations_received + 1`,
    [
      tenantId,
      e.assignee_id ?? resolver,
      e.first_response_s === null ? null : Number(e.first_response_s),
      Number(e.resolution_min),
    ],
  )
}

inbox.post('/tenants/:t/sessions/:id/resolve', async (c) => {
  const t = c.req.param('t')
  let closed: Closed | undefined
  const session = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    closed = await resolve(db, s)
    return sessionSummary(db, t, s.id)
  })
  // Analytics are the system's figures, written outside the member's transaction (members only read them).
  await recordResolution(c.var.deps.pool, t, closed, c.var.user.sub)
  return c.json({ session })
})

/** The agent takes the session: assigned to them, the escalation in progress, the bot silent. */
inbox.post('/tenants/:t/sessions/:id/claim', async (c) => {
  const t = c.req.param('t')
  const me = c.var.user.sub
  const session = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    await claim(db, s, me)
    return sessionSummary(db, t, s.id)
  })
  return c.json({ session })
})

/** Hands the session back to the bot: the escalation ends (outcome handed_back) and the bot answers again. */
inbox.post('/tenants/:t/sessions/:id/handback', async (c) => {
  const t = c.req.param('t')
  const session = await asMember(c, t, async (db) => {
    const s = await tenantSession(db, t, c.req.param('id'))
    await handBack(db, s)
    return sessionSummary(db, t, s.id)
  })
  return c.json({ session })
})

/** The agent is typing: the visitor's widget shows it (nothing is stored). */
inbox.post(
  '/tenants/:t/sessions/:id/typing',
  jsonBody(z.object({ typing: z.boolean() }).strict()),
  async (c) => {
    const t = c.req.param('t')
    const { typing } = c.get('body') as { typing: boolean }
    const name = await asMember(c, t, async (db) => {
      const s = await tenantSession(db, t, c.req.param('id'))
      const me = await db.query(
        `select coalesce(display_name, 'Agent') as name from tenant_members where tenant_id = $1 and user_id = auth.uid()`,
        [t],
      )
      await publish(db, {
        tenant_id: t,
        session_id: s.id,
        kind: 'typing',
        from: 'agent',
        name: me.rows[0]?.name ?? 'Agent',
        typing,
      })
      return me.rows[0]?.name
    })
    void name
    return c.body(null, 204)
  },
)

const availabilitySchema = z.object({ availability: z.enum(['online', 'away', 'offline']) }).strict()

/** An agent sets their own availability: only online agents receive new escalations. */
inbox.patch('/tenants/:t/members/me', jsonBody(availabilitySchema), async (c) => {
  const t = c.req.param('t')
  const { availability } = c.get('body') as z.infer<typeof availabilitySchema>
  const member = await asMember(c, t, async (db) => {
    const { rows } = await db.query(
      `update tenant_members set availability = $2 where tenant_id = $1 and user_id = auth.uid()
       returning user_id, display_name, role, availability, capacity`,
      [t, availability],
    )
    return rows[0]
  })
  return c.json({ member })
})

inbox.get('/tenants/:t/events', async (c) => {
  const t = c.req.param('t')
  const { pool, bus } = c.var.deps
  await asMember(c, t, async () => {})
  const user = c.var.user
  const key = user.api_key as ApiKeyPrincipal | undefined
  // Checked again by the streams' sweep and on every revocation: a revoked key, a removed member or an
  // expired token keeps no live stream.
  const credential = key
    ? { check: apiKeys, key: key.id }
    : { check: memberships, key: [t, user.sub] as [string, string] }
  const exp = typeof user.exp === 'number' ? user.exp * 1000 : undefined
  return liveSSE(c, { slot: { owner: principalKey(user) }, credential, expiresAt: exp }, async (live) => {
    // Events come in bursts (a handoff is a status and a message; a busy site has many sessions at
    // once): the changed sessions are read in one query per burst rather than one transaction per
    // event, a 'message' reason winning over the others for a session named twice.
    const pending = new Map<string, BusEvent['kind']>()
    let timer: ReturnType<typeof setTimeout> | undefined
    let revoked = false
    const flush = async () => {
      timer = undefined
      const batch = [...pending]
      pending.clear()
      // Read under RLS each time: a member removed since connecting gets nothing more.
      const read = await withMemberTx(pool, user, async (db) => {
        const member = await db.query('select public.is_tenant_member($1) as ok', [t])
        if (!member.rows[0]?.ok) return null
        return sessionSummaries(
          db,
          t,
          batch.map(([id]) => id),
        )
      }).catch(() => null)
      if (!read) {
        revoked = true
        return live.end('revoked', 'credential_revoked')
      }
      for (const [id, reason] of batch) {
        const session = read.get(id)
        if (session) await live.send('session', { session_id: id, reason, session })
      }
    }
    const unsubscribe = bus.subscribe((e) => {
      if (e.tenant_id !== t || revoked) return
      if (e.kind === 'typing') {
        if (e.from === 'visitor')
          void live
            .send('typing', { session_id: e.session_id, from: 'visitor', typing: e.typing === true })
            .catch(() => {})
        return
      }
      pending.set(e.session_id, pending.get(e.session_id) === 'message' ? 'message' : e.kind)
      timer ??= setTimeout(() => void flush().catch(() => {}), BURST_MS)
    })
    return () => {
      clearTimeout(timer)
      unsubscribe()
    }
  })
})
