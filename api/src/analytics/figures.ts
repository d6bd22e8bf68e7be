/**
 * The owner's figures for a date range: conversations, AI-resolved, escalated, CSAT, thumbs, response
 * and resolution times per day and in total, and per agent. Days are the tenant's (settings.timezone).
 * Read from analytics_sessions; the sessions that changed since the analytics job last ran (and those
 * never computed) are computed first, so the figures are always current.
 */
import type pg from 'pg'
import type { Queryable } from '../db/tx'
import { DEFINITIONS, refreshFacts } from './facts'
import { histogramPercentile, restoreDaysOf, sumDays, type DayRow } from './rollup'

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
  const st = await pool.query(`select facts_through from analytics_state where tenant_id = $1`, [r.tenantId])
  const since: Date | null = st.rows[0]?.facts_through ?? null
  // Materialized: the sessions changed since the mark, by (tenant_id, updated_at), never a scan of the range.
  const { rows } = await pool.query(
    `with recent as materialized (
            select s.id, s.updated_at, s.created_at from chatbot_sessions s
             where s.tenant_id = $1 and s.updated_at > coalesce($5::timestamptz, '-infinity')),
          fed as materialized (
            select f.session_id as id, now() as updated_at from message_feedback f
             where f.tenant_id = $1 and f.created_at > coalesce($5::timestamptz, '-infinity')),
          changed as (
            select id, updated_at from recent
             where created_at >= ($2::date::timestamp at time zone $4) and created_at < (($3::date + 1)::timestamp at time zone $4)
            union
            select fed.id, fed.updated_at from fed join chatbot_sessions s on s.id = fed.id
             where s.created_at >= ($2::date::timestamp at time zone $4) and s.created_at < (($3::date + 1)::timestamp at time zone $4))
     select c.id from changed c left join analytics_sessions a on a.session_id = c.id
      where a.session_id is null or a.computed_at < c.updated_at`,
    [r.tenantId, r.from, r.to, tz, since],
  )
  if (!rows.length) return 0
  const ids = [...new Set(rows.map((x) => x.id as string))]
  const n = await refreshFacts(pool, ids)
  await restoreDaysOf(pool, r.tenantId, ids)
  return n
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

/** Above this many conversations in a range, percentiles come from the daily histograms (within 9 %). */
export const EXACT_LIMIT = 5000

const METRICS = { fr: 'first_response', hfr: 'human_first_response', res: 'resolution' } as const
type Metric = keyof typeof METRICS

interface DaySum {
  conversations: number
  ai_resolved: number
  escalated: number
  csat_sum: number
  csat_count: number
  thumbs_up: number
  thumbs_down: number
  hist: Record<Metric, Map<number, number>>
}

const emptySum = (): DaySum => ({
  conversations: 0,
  ai_resolved: 0,
  escalated: 0,
  csat_sum: 0,
  csat_count: 0,
  thumbs_up: 0,
  thumbs_down: 0,
  hist: { fr: new Map(), hfr: new Map(), res: new Map() },
})

function add(into: DaySum, row: DayRow) {
  into.conversations += row.conversations
  into.ai_resolved += row.ai_resolved
  into.escalated += row.escalated
  into.csat_sum += row.csat_sum
  into.csat_count += row.csat_count
  into.thumbs_up += row.thumbs_up
  into.thumbs_down += row.thumbs_down
  for (const [k, n] of Object.entries(row.hist)) {
    const [m, b] = k.split(':') as [Metric, string]
    const h = into.hist[m]
    if (h) h.set(Number(b), (h.get(Number(b)) ?? 0) + n)
  }
}

/** A day's (or the range's) figures from its sums; percentiles from its histograms unless given exactly. */
function figuresFromSum(s: DaySum, exact?: Record<string, unknown>) {
  const p = (m: Metric, q: number, key: string) =>
    exact ? (exact[key] ?? null) : histogramPercentile(s.hist[m], q)
  return figuresOf({
    conversations: s.conversations,
    ai_resolved: s.ai_resolved,
    escalated: s.escalated,
    csat_avg: s.csat_count ? s.csat_sum / s.csat_count : null,
    csat_count: s.csat_count,
    thumbs_up: s.thumbs_up,
    thumbs_down: s.thumbs_down,
    fr50: p('fr', 0.5, 'fr50'),
    fr90: p('fr', 0.9, 'fr90'),
    hfr50: p('hfr', 0.5, 'hfr50'),
    hfr90: p('hfr', 0.9, 'hfr90'),
    res50: p('res', 0.5, 'res50'),
    res90: p('res', 0.9, 'res90'),
  })
}

const nextDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)

/**
 * The whole answer of GET /v1/tenants/:t/analytics. Closed days already rolled up are read from
 * analytics_daily, the others summed from analytics_sessions; percentiles are exact (percentile_cont
 * over the conversations) up to EXACT_LIMIT conversations, from the daily histograms beyond. Runs as
 * the API's role with the tenant named in every query: the caller has checked the member's role.
 */
export async function analytics(db: Queryable, r: Range, tz: string) {
  const { rows: st } = await db.query(
    `select rolled_through::text as through, rollup_tz from analytics_state where tenant_id = $1`,
    [r.tenantId],
  )
  const through: string | null = st[0]?.rollup_tz === tz ? st[0].through : null
  const rows: DayRow[] = []
  if (through && r.from <= through) {
    const rolled = await db.query(
      `select bot_id, day::text as day, conversations, ai_resolved, escalated, csat_sum, csat_count, thumbs_up,
              thumbs_down, hist
         from analytics_daily where tenant_id = $1 and day between $2::date and $3::date`,
      [r.tenantId, r.from, r.to < through ? r.to : through],
    )
    rows.push(...rolled.rows)
  }
  const liveFrom = through && through >= r.from ? nextDay(through) : r.from
  if (liveFrom <= r.to) rows.push(...(await sumDays(db, r.tenantId, tz, liveFrom, r.to)))

  const byDay = new Map<string, DaySum>()
  const total = emptySum()
  for (const row of rows) {
    if (r.botId && row.bot_id !== r.botId) continue
    let day = byDay.get(row.day)
    if (!day) byDay.set(row.day, (day = emptySum()))
    add(day, row)
    add(total, row)
  }
  // Exact percentiles when the range is small enough to sort its conversations quickly.
  let exact: Map<string, Record<string, unknown>> | null = null
  if (total.conversations <= EXACT_LIMIT) {
    const grouped = await db.query(
      `select (started_at at time zone $4)::date::text as day, grouping((started_at at time zone $4)::date) as total,
              percentile_cont(0.5) within group (order by first_response_s) as fr50,
              percentile_cont(0.9) within group (order by first_response_s) as fr90,
              percentile_cont(0.5) within group (order by human_first_response_s) as hfr50,
              percentile_cont(0.9) within group (order by human_first_response_s) as hfr90,
              percentile_cont(0.5) within group (order by resolution_s) as res50,
              percentile_cont(0.9) within group (order by resolution_s) as res90
         from analytics_sessions
        where tenant_id = $1 and ${RANGE_SQL} and has_visitor and ($5::uuid is null or bot_id = $5)
        group by grouping sets (((started_at at time zone $4)::date), ())`,
      [r.tenantId, r.from, r.to, tz, r.botId],
    )
    exact = new Map(grouped.rows.map((x) => [Number(x.total) === 1 ? 'total' : (x.day as string), x]))
  }
  const days = datesBetween(r.from, r.to).map((date) => ({
    date,
    ...figuresFromSum(byDay.get(date) ?? emptySum(), exact ? (exact.get(date) ?? {}) : undefined),
  }))

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
      where e.tenant_id = $1 and s.tenant_id = $1 and e.assignee_id is not null
        and e.created_at >= ($2::date::timestamp at time zone $4) and e.created_at < (($3::date + 1)::timestamp at time zone $4)
        and ($5::uuid is null or s.bot_id = $5)
      group by 1, 2
      order by escalations_received desc, name`,
    [r.tenantId, r.from, r.to, tz, r.botId],
  )
  return {
    from: r.from,
    to: r.to,
    timezone: tz,
    bot_id: r.botId,
    percentiles: exact ? ('exact' as const) : ('histogram' as const),
    definitions: DEFINITIONS,
    totals: figuresFromSum(total, exact ? (exact.get('total') ?? {}) : undefined),
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
