/**
 * The owner's figures for a date range: conversations, AI-resolved, escalated, CSAT, thumbs, response
 * and resolution times per day and in total, and per agent. Days are the tenant's (settings.timezone).
 * Read from analytics_sessions; the sessions that changed since the analytics job last ran (and those
 * never computed) are computed first, so the figures are always current.
 */
import type pg from 'pg'
import type { Queryable } from '../db/tx'
import { DEFINITIONS, refreshFacts } from './facts'

export interface Range {
  tenantId: string
  from: string
  to: string
  botId: string | null
}

/** The tenant's IANA timezone, UTC when unset or not one Intl knows. */
export async function tenantTimezone(db: Queryable, tenantId: string): Promise<string> {
  const { rows } = await db.query(`select settings->>'timezone' as tz from tenants where id = $1`, [tenantId])
  return validTimezone(rows[0]?.tz)
}

export function validTimezone(tz: unknown): string {
  if (typeof tz !== 'string' || !tz) return 'UTC'
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz })
    return tz
  } catch {
    return 'UTC'
  }
}

// The range as instants: local midnight of `from` to local midnight after `to`.
const RANGE_SQL = `started_at >= ($2::date::timestamp at time zone $4) and started_at < (($3::date + 1)::timestamp at time zone $4)`

/**
 * Brings analytics_sessions up to date for the range: sessions changed after the job's watermark
 * (or with visitor feedback since) whose row is missing or older than the change. Runs as the API's
 * role: the caller has checked the member's access to the tenant.
 */
export async function refreshStale(pool: pg.Pool, r: Range, tz: string): Promise<number> {
  const { rows } = await pool.query(
    `with st as (select facts_through from analytics_state where tenant_id = $1),
          changed as (
            select s.id, s.updated_at from chatbot_sessions s
             where s.tenant_id = $1 and s.updated_at > coalesce((select facts_through from st), '-infinity')
               and s.created_at >= ($2::date::timestamp at time zone $4) and s.created_at < (($3::date + 1)::timestamp at time zone $4)
            union
            select s.id, now() from message_feedback f join chatbot_sessions s on s.id = f.session_id
             where f.tenant_id = $1 and f.created_at > coalesce((select facts_through from st), '-infinity')
               and s.created_at >= ($2::date::timestamp at time zone $4) and s.created_at < (($3::date + 1)::timestamp at time zone $4))
     select c.id from changed c left join analytics_sessions a on a.session_id = c.id
      where a.session_id is null or a.computed_at < c.updated_at`,
    [r.tenantId, r.from, r.to, tz],
  )
  if (!rows.length) return 0
  return refreshFacts(pool, [...new Set(rows.map((x) => x.id as string))])
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v))
const round = (v: unknown, digits = 1) => {
  const n = num(v)
  return n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits
}

function figuresOf(row: Record<string, unknown>) {
  const conversations = Number(row.conversations ?? 0)
  const ai_resolved = Number(row.ai_resolved ?? 0)
  return {
    conversations,
    ai_resolved,
    escalated: Number(row.escalated ?? 0),
    deflection_rate: conversations ? Math.round((ai_resolved / conversations) * 10000) / 10000 : null,
    csat_avg: round(row.csat_avg, 2),
    csat_count: Number(row.csat_count ?? 0),
    thumbs_up: Number(row.thumbs_up ?? 0),
    thumbs_down: Number(row.thumbs_down ?? 0),
    first_response_p50_s: round(row.fr50),
    first_response_p90_s: round(row.fr90),
    human_first_response_p50_s: round(row.hfr50),
    human_first_response_p90_s: round(row.hfr90),
    resolution_p50_s: round(row.res50),
    resolution_p90_s: round(row.res90),
  }
}

export type Figures = ReturnType<typeof figuresOf>

/** The whole answer of GET /v1/tenants/:t/analytics, read through `db` (the member's transaction). */
export async function analytics(db: Queryable, r: Range, tz: string) {
  const params = [r.tenantId, r.from, r.to, tz, r.botId]
  const grouped = await db.query(
    `select (started_at at time zone $4)::date::text as day, grouping((started_at at time zone $4)::date) as total,
            count(*) as conversations,
            count(*) filter (where ai_resolved) as ai_resolved,
            count(*) filter (where escalated) as escalated,
            avg(csat) as csat_avg, count(csat) as csat_count,
            sum(thumbs_up) as thumbs_up, sum(thumbs_down) as thumbs_down,
            percentile_cont(0.5) within group (order by first_response_s) as fr50,
            percentile_cont(0.9) within group (order by first_response_s) as fr90,
            percentile_cont(0.5) within group (order by human_first_response_s) as hfr50,
            percentile_cont(0.9) within group (order by human_first_response_s) as hfr90,
            percentile_cont(0.5) within group (order by resolution_s) as res50,
            percentile_cont(0.9) within group (order by resolution_s) as res90
       from analytics_sessions
      where tenant_id = $1 and ${RANGE_SQL} and has_visitor and ($5::uuid is null or bot_id = $5)
      group by grouping sets (((started_at at time zone $4)::date), ())`,
    params,
  )
  const totalRow = grouped.rows.find((x) => Number(x.total) === 1) ?? {}
  const byDay = new Map(grouped.rows.filter((x) => Number(x.total) === 0).map((x) => [x.day as string, x]))
  const days = datesBetween(r.from, r.to).map((date) => ({ date, ...figuresOf(byDay.get(date) ?? {}) }))

  const agents = await db.query(
    `select e.assignee_id as agent_id,
            coalesce(nullif(m.display_name, ''), 'Agent') as name,
            count(*)::int as escalations_received,
            count(distinct e.session_id) filter (where e.first_response_at is not null or e.outcome = 'resolved')::int as conversations_handled,
            avg(extract(epoch from e.resolved_at - e.created_at) / 60) filter (where e.outcome = 'resolved') as avg_resolution_minutes,
            avg(s.csat_score) filter (where e.first_response_at is not null or e.outcome = 'resolved') as csat
       from escalations e
       join chatbot_sessions s on s.id = e.session_id
       left join tenant_members m on m.tenant_id = e.tenant_id and m.user_id = e.assignee_id
      where e.tenant_id = $1 and e.assignee_id is not null
        and e.created_at >= ($2::date::timestamp at time zone $4) and e.created_at < (($3::date + 1)::timestamp at time zone $4)
        and ($5::uuid is null or s.bot_id = $5)
      group by 1, 2
      order by escalations_received desc, name`,
    params,
  )
  return {
    from: r.from,
    to: r.to,
    timezone: tz,
    bot_id: r.botId,
    definitions: DEFINITIONS,
    totals: figuresOf(totalRow),
    days,
    agents: agents.rows.map((a) => ({
      agent_id: a.agent_id as string,
      name: a.name as string,
      conversations_handled: a.conversations_handled as number,
      avg_resolution_minutes: round(a.avg_resolution_minutes),
      csat: round(a.csat, 2),
      escalations_received: a.escalations_received as number,
    })),
  }
}

export type Analytics = Awaited<ReturnType<typeof analytics>>

/** Every date from `from` to `to` (YYYY-MM-DD, inclusive). */
export function datesBetween(from: string, to: string): string[] {
  const out: string[] = []
  const end = Date.parse(`${to}T00:00:00Z`)
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= end; t += 86_400_000)
    out.push(new Date(t).toISOString().slice(0, 10))
  return out
}
