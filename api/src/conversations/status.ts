/**
 * Every change of a session's status, whoever makes it: the rules or the visitor hand it to people
 * (escalate), an agent takes it (claim, or a first public reply), resolves it or hands it back to the
 * bot, and a visitor writing after resolution reopens it. Each writes the session, its escalation and
 * the visitor's system line together, in the caller's transaction where it has one.
 */
import type { Deps } from '../deps'
import type { Queryable } from '../db/tx'
import { withTx } from '../db/tx'
import { pickAgent, type AgentLoad } from '../escalation/assign'
import type { HandoffDecision } from '../escalation/service'
import { openingState } from '../escalation/hours'
import type { RuleTrace } from '../escalation/rules'
import { summarizeExtractive, summarizeWithModel } from '../escalation/summary'
import { queueWebhook } from '../escalation/webhook'
import { publish } from '../realtime/bus'
import { insertMessage, type Message } from './messages'
import { getSessionRow } from './sessions'
import { systemText } from './texts'

/** A trace entry of a built-in rule (no row in escalation_rules, hence no rule id). */
export type BuiltInTrace = Omit<RuleTrace, 'rule_id'> & { rule_id: null }

const builtIn = (
  name: string,
  priority: number,
  detail: string,
  conditions: RuleTrace['conditions'] = null,
): BuiltInTrace => ({ rule_id: null, name, priority, fired: true, detail, keywords: null, conditions })

/** Priority of an escalation the visitor asked for (a tenant's rules go from 1 to 5). */
export const HUMAN_REQUEST_PRIORITY = 3

/** The trace entries of the built-in rules, spelled once. */
export const builtInTrace = {
  /** The visitor asked for a person in words (the phrase, folded) or with the widget's button. */
  humanRequested: (words: string | null) =>
    words === null
      ? builtIn(
          'Visitor asked for a person',
          HUMAN_REQUEST_PRIORITY,
          'fired: the visitor pressed "talk to a person"',
          { type: 'human_requested', passed: true, detail: 'the button was pressed' },
        )
      : builtIn('Visitor asked for a person', HUMAN_REQUEST_PRIORITY, `fired: the visitor wrote "${words}"`),
  /** An agent claimed a session the bot was handling. */
  agentTakeover: (priority: number) =>
    builtIn('Agent takeover', priority, 'fired: an agent claimed the session'),
}

export type StatusDeps = Pick<Deps, 'pool' | 'llm' | 'log' | 'notifier'>

export interface EscalateInput {
  rule_id: string | null
  reason: string
  priority: number
  trace: (RuleTrace | BuiltInTrace)[]
  assignment: { strategy: 'round_robin' | 'least_busy' | 'specific'; agent_ids?: string[] }
  language?: string
}

export interface Escalated {
  escalation_id: string
  /** The system line the visitor sees ("a person is coming", or when the team is back). */
  message: Message
  reason: string
  trace: EscalateInput['trace']
}

/** What the rules decided (escalation/service.ts checkHandoff), as an escalation. */
export function handoffEscalation(d: HandoffDecision): EscalateInput {
  if (d.by === 'rule')
    return {
      rule_id: d.fired.rule_id,
      reason: d.fired.reason,
      priority: d.fired.priority,
      trace: d.trace,
      assignment: d.fired.assignment,
      language: d.language,
    }
  return {
    rule_id: null,
    reason: `Visitor asked for a person ("${d.words}")`,
    priority: HUMAN_REQUEST_PRIORITY,
    trace: [...d.trace, builtInTrace.humanRequested(d.words)],
    assignment: { strategy: 'least_busy' },
    language: d.language,
  }
}

/** The visitor pressed "talk to a person" (with an optional reason). */
export function requestHuman(
  d: StatusDeps,
  session: { id: string; tenant_id: string },
  reason: string | undefined,
) {
  return escalate(d, session, {
    rule_id: null,
    reason: reason ? `Visitor asked for a person: ${reason}` : 'Visitor asked for a person',
    priority: HUMAN_REQUEST_PRIORITY,
    trace: [builtInTrace.humanRequested(null)],
    assignment: { strategy: 'least_busy' },
  })
}

/**
 * Hands a session to people, once: an escalation row with its reason and trace, an agent picked among
 * those online with room (under row locks, so two handoffs at once never overfill an agent), the
 * session escalated, a system line for the visitor, and notifications queued in the same transaction.
 * Returns null when the session was already with people.
 */
export async function escalate(
  d: StatusDeps,
  session: { id: string; tenant_id: string },
  e: EscalateInput,
): Promise<Escalated | null> {
  const done = await withTx(d.pool, async (db) => {
    const s = await getSessionRow(db, session.id, true)
    if (s.status === 'escalated') return null
    const history = await db.query(
      `select message_type, content, ai_metadata from chatbot_conversations where session_id = $1 and not private order by seq desc limit 50`,
      [s.id],
    )
    const lang = e.language ?? (s.ai_context?.language as string) ?? 'en'
    const summary = summarizeExtractive(history.rows.reverse(), lang)
    const assignee = await assignAgent(db, s.tenant_id, e.assignment)

    const esc = await db.query(
      `insert into escalations (tenant_id, session_id, rule_id, reason, trace, ai_summary, priority, assignee_id, assigned_at)
       values ($1, $2, $3, $4, $5, $6, $7, $8, case when $8::uuid is null then null else now() end) returning id`,
      [
        s.tenant_id,
        s.id,
        e.rule_id,
        e.reason.slice(0, 1000),
        JSON.stringify(e.trace),
        summary,
        e.priority,
        assignee,
      ],
    )
    await db.query(
      `update chatbot_sessions set status = 'escalated', resolved_at = null, assignee_id = $2, priority = $3,
              ai_context = ai_context || jsonb_build_object('summary', $4::text)
        where id = $1`,
      [s.id, assignee, e.priority, summary],
    )
    const hours = await db.query(
      `select coalesce(w.business_hours, t.settings->'business_hours') as hours from tenants t left join widget_configs w on w.bot_id = $2 where t.id = $1`,
      [s.tenant_id, s.bot_id],
    )
    const state = hours.rows[0]?.hours
      ? openingState(hours.rows[0].hours)
      : { open: true, next_open_at: null }
    const text = state.open
      ? systemText.handoff(lang)
      : systemText.offline(lang, state.next_open_at, hours.rows[0]?.hours?.timezone)
    const message = await insertMessage(db, {
      tenant_id: s.tenant_id,
      session_id: s.id,
      message_type: 'system',
      content: text,
      ai_metadata: {
        handoff: { open: state.open, next_open_at: state.next_open_at, ask_email: !state.open },
      },
    })
    await queueWebhook(db, s.tenant_id, 'escalation.created', {
      escalation: {
        id: esc.rows[0].id,
        reason: e.reason,
        priority: e.priority,
        summary,
        assignee_id: assignee,
      },
      session: { id: s.id, bot_id: s.bot_id, customer_context: s.customer_context },
    })
    await publish(db, { tenant_id: s.tenant_id, session_id: s.id, kind: 'status' })
    await publish(db, { tenant_id: s.tenant_id, session_id: s.id, kind: 'message', seq: message.seq })
    return { escalation_id: esc.rows[0].id as string, message, reason: e.reason, trace: e.trace }
  })
  if (done) {
    d.notifier?.escalated(session.tenant_id, done.escalation_id)
    // The model's summary replaces the extractive one when it arrives; the handoff never waits for it.
    if (d.llm)
      void summarizeWithModel(d.pool, d.llm, session, done.escalation_id, e.language).catch((err) =>
        d.log.warn('escalation summary by model failed', { err: String(err) }),
      )
  }
  return done
}

/** Picks the assignee under a lock of the tenant's members: concurrent escalations assign one after the other. */
async function assignAgent(db: Queryable, tenantId: string, assignment: EscalateInput['assignment']) {
  // The lock is its own statement so the counts below see what the escalation we waited for committed
  // (read committed re-checks the locked row, not the subquery: two handoffs at once overfilled an agent).
  await db.query(`select 1 from tenant_members where tenant_id = $1 order by user_id for update`, [tenantId])
  const members = await db.query(
    `select tm.user_id, tm.availability, tm.capacity, tm.last_assigned_at,
            (select count(*)::int from chatbot_sessions x where x.tenant_id = tm.tenant_id and x.assignee_id = tm.user_id and x.status = 'escalated') as open_count
       from tenant_members tm where tm.tenant_id = $1 order by tm.user_id for update of tm`,
    [tenantId],
  )
  const agents: AgentLoad[] = members.rows.map((m) => ({
    ...m,
    last_assigned_at: m.last_assigned_at?.toISOString() ?? null,
  }))
  const last = [...agents]
    .filter((a) => a.last_assigned_at)
    .sort((a, b) => b.last_assigned_at!.localeCompare(a.last_assigned_at!))[0]
  const assignee = pickAgent(assignment.strategy, agents, {
    agent_ids: assignment.agent_ids,
    lastAssignedId: last?.user_id,
  })
  if (assignee)
    await db.query(
      `update tenant_members set last_assigned_at = now() where tenant_id = $1 and user_id = $2`,
      [tenantId, assignee],
    )
  return assignee
}

/** A session row as the status changes below read it (getSessionRow, locked by the caller). */
interface SessionState {
  id: string
  tenant_id: string
  status: string
  assignee_id: string | null
  priority: number
  ai_context?: { language?: unknown } | null
}

/** A visitor writing again after resolution reopens the conversation with the bot. */
export async function reopen(db: Queryable, s: SessionState) {
  if (s.status !== 'resolved') return
  await db.query(`update chatbot_sessions set status = 'active', resolved_at = null where id = $1`, [s.id])
  await publish(db, { tenant_id: s.tenant_id, session_id: s.id, kind: 'status' })
}

/**
 * A public agent reply takes the conversation over: the bot goes silent until it is resolved, and the
 * first such reply is the escalation's first response (the figure agent analytics averages).
 */
export async function takeOverByReply(db: Queryable, s: SessionState, agentId: string) {
  if (s.status !== 'escalated' || !s.assignee_id) {
    await db.query(
      `update chatbot_sessions set status = 'escalated', assignee_id = coalesce(assignee_id, $2) where id = $1`,
      [s.id, agentId],
    )
    await publish(db, { tenant_id: s.tenant_id, session_id: s.id, kind: 'status' })
  }
  await db.query(
    `update escalations set status = 'in_progress', assignee_id = coalesce(assignee_id, $2),
            first_response_at = coalesce(first_response_at, now())
      where session_id = $1 and status <> 'resolved'`,
    [s.id, agentId],
  )
}

/** The agent takes the session: assigned to them, the escalation in progress, the bot silent. */
export async function claim(db: Queryable, s: SessionState, agentId: string) {
  await db.query(
    `update chatbot_sessions set status = 'escalated', assignee_id = $2, resolved_at = null where id = $1`,
    [s.id, agentId],
  )
  const open = await db.query(
    `update escalations set assignee_id = $2, status = 'in_progress', assigned_at = coalesce(assigned_at, now())
                                where session_id = $1 and status <> 'resolved' returning id`,
    [s.id, agentId],
  )
  if (!open.rows[0]) {
    // Claiming a session the bot was handling opens an escalation for the record (first response time included).
    await db.query(
      `insert into escalations (tenant_id, session_id, reason, trace, priority, assignee_id, status, assigned_at)
       values ($1, $2, 'Taken over by an agent', $3, $4, $5, 'in_progress', now())`,
      [s.tenant_id, s.id, JSON.stringify([builtInTrace.agentTakeover(s.priority)]), s.priority, agentId],
    )
  }
  await db.query(`update tenant_members set last_assigned_at = now() where tenant_id = $1 and user_id = $2`, [
    s.tenant_id,
    agentId,
  ])
  await publish(db, { tenant_id: s.tenant_id, session_id: s.id, kind: 'status' })
}

/** The escalation an agent closed, for the agent's daily figures. */
export interface Closed {
  assignee_id: string | null
  first_response_s: number | null
  resolution_min: number
}

/**
 * Resolves the session and its open escalation; the visitor is asked for a 1-5 rating (the system line
 * carries the cue). Returns the escalation it closed, if any; nothing changes on a resolved session.
 */
export async function resolve(db: Queryable, s: SessionState): Promise<Closed | undefined> {
  if (s.status === 'resolved') return undefined
  await db.query(`update chatbot_sessions set status = 'resolved', resolved_at = now() where id = $1`, [s.id])
  const closed = (
    await db.query(
      `update escalations set status = 'resolved', outcome = 'resolved', resolved_at = now() where session_id = $1 and status <> 'resolved'
       returning assignee_id, extract(epoch from first_response_at - created_at) as first_response_s, extract(epoch from now() - created_at) / 60 as resolution_min`,
      [s.id],
    )
  ).rows[0]
  await announce(db, s, systemText.resolved(language(s)), { ask_rating: true })
  return closed
}

/** Hands an escalated session back to the bot: the escalation ends (outcome handed_back) and the bot answers again. */
export async function handBack(db: Queryable, s: SessionState) {
  if (s.status !== 'escalated') return
  await db.query(`update chatbot_sessions set status = 'active', assignee_id = null where id = $1`, [s.id])
  await db.query(
    `update escalations set status = 'resolved', outcome = 'handed_back', resolved_at = now() where session_id = $1 and status <> 'resolved'`,
    [s.id],
  )
  await announce(db, s, systemText.handBack(language(s)))
}

const language = (s: SessionState) => (s.ai_context?.language as string) ?? 'en'

/** The visitor's system line after a status change; the status and the line go to every live stream. */
async function announce(
  db: Queryable,
  s: SessionState,
  content: string,
  ai_metadata?: Record<string, unknown>,
) {
  const msg = await insertMessage(db, {
    tenant_id: s.tenant_id,
    session_id: s.id,
    message_type: 'system',
    content,
    ai_metadata,
  })
  await publish(db, { tenant_id: s.tenant_id, session_id: s.id, kind: 'status' })
  await publish(db, { tenant_id: s.tenant_id, session_id: s.id, kind: 'message', seq: msg.seq })
}
