/**
 * The figures of one conversation (a session), computed from its public messages, escalations,
 * visitor feedback and rating, and kept in analytics_sessions. Every figure of the analytics route is
 * an aggregate of these rows, so each definition below is the one place that figure is decided.
 */
import { coverage, termsOf } from '../answers/terms'
import type { Queryable } from '../db/tx'
import { fold } from '../text/fold'

/** What the analytics route returns in `definitions`: the sentences the console shows beside each figure. */
export const DEFINITIONS = {
  day: "A conversation counts on the day its session started, in the workspace's timezone (settings.timezone, UTC when unset).",
  conversations: 'Sessions with at least one visitor message.',
  ai_resolved:
    'Conversations the assistant answered (at least one answer that was not an "I don\'t know") with no escalation to a person, no thumbs-down, no question asked again (a later visitor message about the same terms as an earlier one, across wording and language), and not abandoned after a decline (the last answer was an "I don\'t know" and the visitor wrote nothing after it).',
  escalated:
    'Conversations handed to a person (by a rule, the visitor or the assistant), whatever the outcome.',
  deflection_rate: 'ai_resolved / conversations (0 to 1; null without conversations).',
  csat: "Average of the visitors' 1-5 ratings (csat_avg) over the rated conversations (csat_count).",
  thumbs: "Visitors' thumbs up and down on the answers of these conversations.",
  first_response:
    "Seconds from the visitor's first message to the first answer after it (the assistant's or an agent's; private notes and system texts excluded). p50 and p90 are interpolated percentiles (percentile_cont), exact up to 5,000 conversations in the range; beyond, from per-day histograms (within 9 %): `percentiles` says which.",
  human_first_response:
    "Seconds from a conversation's first escalation to the first agent reply after it (private notes excluded).",
  resolution:
    "Seconds from the visitor's first message to the resolution: the time an agent resolved the session, or for an AI-resolved conversation not marked resolved, the assistant's last answer.",
  agents:
    'Per agent, escalations of the period assigned to them: escalations_received counts them, conversations_handled the sessions in which they replied (or resolved), avg_resolution_minutes the minutes from escalation to their resolution, csat the average rating of the sessions they handled.',
} as const

/** Visitor messages compared for a repeated question (a long session is judged on its start). */
const MAX_COMPARED = 30
/** Both ways, the share of a question's terms another holds to be the same question again. */
const SAME_QUESTION = 0.8

export interface FactsMessage {
  type: 'user' | 'ai' | 'agent'
  /** Visitor messages only (the rest are not read). */
  content: string | null
  at: number
  /** An ai message that was an "I don't know" (the answerer offered a person instead). */
  decline: boolean
}

export interface FactsInput {
  created_at: number
  resolved_at: number | null
  csat: number | null
  messages: FactsMessage[]
  escalations: number[]
  thumbs_up: number
  thumbs_down: number
}

export interface Facts {
  has_visitor: boolean
  escalated: boolean
  ai_resolved: boolean
  repeated_question: boolean
  abandoned_after_decline: boolean
  first_response_s: number | null
  human_first_response_s: number | null
  resolution_s: number | null
  csat: number | null
  thumbs_up: number
  thumbs_down: number
}

const seconds = (from: number, to: number) => Math.max(0, (to - from) / 1000)

/** True when a later visitor message asks what an earlier one asked (same terms, any wording or language). */
export function hasRepeatedQuestion(questions: string[]): boolean {
  const seen: { folded: string; terms: ReturnType<typeof termsOf> }[] = []
  for (const q of questions.slice(0, MAX_COMPARED)) {
    const folded = fold(q)
    const terms = termsOf(q)
    for (const p of seen) {
      if (folded && folded === p.folded) return true
      if (!terms.length || !p.terms.length) continue
      if (coverage(terms, p.terms).share >= SAME_QUESTION && coverage(p.terms, terms).share >= SAME_QUESTION)
        return true
    }
    seen.push({ folded, terms })
  }
  return false
}

/** The figures of one conversation (see DEFINITIONS). Pure: messages in order, times in ms. */
export function factsOf(s: FactsInput): Facts {
  const visitor = s.messages.filter((m) => m.type === 'user')
  const answers = s.messages.filter((m) => m.type !== 'user')
  const firstVisitor = visitor[0]
  const escalated = s.escalations.length > 0
  let first_response_s: number | null = null
  if (firstVisitor) {
    const reply = answers.find((m) => m.at >= firstVisitor.at)
    if (reply) first_response_s = seconds(firstVisitor.at, reply.at)
  }
  let human_first_response_s: number | null = null
  if (escalated) {
    const since = Math.min(...s.escalations)
    const reply = s.messages.find((m) => m.type === 'agent' && m.at >= since)
    if (reply) human_first_response_s = seconds(since, reply.at)
  }
  const last = s.messages.at(-1)
  const abandoned_after_decline = last?.type === 'ai' && last.decline
  const repeated_question = hasRepeatedQuestion(visitor.map((m) => m.content ?? ''))
  const answered = s.messages.some((m) => m.type === 'ai' && !m.decline)
  const ai_resolved =
    !!firstVisitor &&
    answered &&
    !escalated &&
    s.thumbs_down === 0 &&
    !repeated_question &&
    !abandoned_after_decline
  let resolution_s: number | null = null
  if (firstVisitor && s.resolved_at !== null) resolution_s = seconds(firstVisitor.at, s.resolved_at)
  else if (firstVisitor && ai_resolved) {
    const lastAi = s.messages.findLast((m) => m.type === 'ai')!
    resolution_s = seconds(firstVisitor.at, lastAi.at)
  }
  return {
    has_visitor: !!firstVisitor,
    escalated,
    ai_resolved,
    repeated_question,
    abandoned_after_decline,
    first_response_s,
    human_first_response_s,
    resolution_s,
    csat: s.csat,
    thumbs_up: s.thumbs_up,
    thumbs_down: s.thumbs_down,
  }
}

/** Sessions computed per statement batch: bounded memory and time between event-loop turns. */
export const FACTS_BATCH = 500

/**
 * Computes and stores the figures of these sessions (any tenant; the caller decides which). Yields to
 * the event loop between batches so a large refresh never holds it.
 */
export async function refreshFacts(db: Queryable, sessionIds: string[]): Promise<number> {
  let done = 0
  for (let i = 0; i < sessionIds.length; i += FACTS_BATCH) {
    const ids = sessionIds.slice(i, i + FACTS_BATCH)
    const [sessions, messages, escalations, feedback] = await Promise.all([
      db.query(
        `select id, tenant_id, bot_id, created_at, resolved_at, csat_score from chatbot_sessions where id = any($1::uuid[])`,
        [ids],
      ),
      db.query(
        `select session_id, message_type as type,
                case when message_type = 'user' then left(content, 2000) end as content,
                created_at,
                -- An "I don't know": the answerer offered a person and quoted nothing.
                coalesce(ai_metadata->>'suggest_human' = 'true', false)
                  and coalesce(ai_metadata->'sources', '[]'::jsonb) = '[]'::jsonb as decline
           from chatbot_conversations
          where session_id = any($1::uuid[]) and not private and message_type in ('user', 'ai', 'agent')
          order by session_id, seq`,
        [ids],
      ),
      db.query(`select session_id, created_at from escalations where session_id = any($1::uuid[])`, [ids]),
      db.query(
        `select session_id, count(*) filter (where rating = 'up')::int as up, count(*) filter (where rating = 'down')::int as down
           from message_feedback where session_id = any($1::uuid[]) and source = 'visitor' group by session_id`,
        [ids],
      ),
    ])
    const bySession = new Map<string, FactsMessage[]>()
    for (const m of messages.rows) {
      let list = bySession.get(m.session_id)
      if (!list) bySession.set(m.session_id, (list = []))
      list.push({ type: m.type, content: m.content, at: m.created_at.getTime(), decline: m.decline })
    }
    const escBySession = new Map<string, number[]>()
    for (const e of escalations.rows) {
      const list = escBySession.get(e.session_id) ?? []
      list.push(e.created_at.getTime())
      escBySession.set(e.session_id, list)
    }
    const fbBySession = new Map(feedback.rows.map((f) => [f.session_id, f]))
    const rows = sessions.rows.map((s) => {
      const fb = fbBySession.get(s.id)
      const f = factsOf({
        created_at: s.created_at.getTime(),
        resolved_at: s.resolved_at ? s.resolved_at.getTime() : null,
        csat: s.csat_score,
        messages: bySession.get(s.id) ?? [],
        escalations: escBySession.get(s.id) ?? [],
        thumbs_up: fb?.up ?? 0,
        thumbs_down: fb?.down ?? 0,
      })
      return { session_id: s.id, tenant_id: s.tenant_id, bot_id: s.bot_id, started_at: s.created_at, ...f }
    })
    if (rows.length)
      await db.query(
        `insert into analytics_sessions (session_id, tenant_id, bot_id, started_at, has_visitor, escalated, ai_resolved,
                repeated_question, abandoned_after_decline, first_response_s, human_first_response_s, resolution_s,
                csat, thumbs_up, thumbs_down, computed_at)
         select r.session_id, r.tenant_id, r.bot_id, r.started_at, r.has_visitor, r.escalated, r.ai_resolved,
                r.repeated_question, r.abandoned_after_decline, r.first_response_s, r.human_first_response_s,
                r.resolution_s, r.csat, r.thumbs_up, r.thumbs_down, now()
           from jsonb_to_recordset($1::jsonb) as r(session_id uuid, tenant_id uuid, bot_id uuid, started_at timestamptz,
                has_visitor boolean, escalated boolean, ai_resolved boolean, repeated_question boolean,
                abandoned_after_decline boolean, first_response_s real, human_first_response_s real,
                resolution_s real, csat int, thumbs_up int, thumbs_down int)
         on conflict (session_id) do update set
           bot_id = excluded.bot_id, started_at = excluded.started_at, has_visitor = excluded.has_visitor,
           escalated = excluded.escalated, ai_resolved = excluded.ai_resolved,
           repeated_question = excluded.repeated_question, abandoned_after_decline = excluded.abandoned_after_decline,
           first_response_s = excluded.first_response_s, human_first_response_s = excluded.human_first_response_s,
           resolution_s = excluded.resolution_s, csat = excluded.csat, thumbs_up = excluded.thumbs_up,
           thumbs_down = excluded.thumbs_down, computed_at = now()`,
        [JSON.stringify(rows)],
      )
    done += rows.length
    await new Promise((r) => setImmediate(r))
  }
  return done
}
