/**
 * The daily rollup (analytics_daily): a row per tenant, bot and closed day of the tenant's timezone,
 * summed from analytics_sessions, with sparse histograms of the response and resolution times. A long
 * range reads these rows; today and the days not rolled up yet are summed live with the same SQL.
 */
import type { Queryable } from '../db/tx'

/** Histogram buckets per doubling: bucket i holds times in [2^(i/8) - 1, 2^((i+1)/8) - 1) seconds (9 % wide). */
export const PER_DOUBLING = 8
const MAX_BUCKET = 8 * 32

export const bucketLow = (i: number) => 2 ** (i / PER_DOUBLING) - 1

export interface DayRow {
  bot_id: string
  day: string
  conversations: number
  ai_resolved: number
  escalated: number
  csat_sum: number
  csat_count: number
  thumbs_up: number
  thumbs_down: number
  hist: Record<string, number>
}

/**
 * Sums analytics_sessions per bot and day for the days from `from` to `to` (tenant's timezone),
 * with the histograms; one range scan of (tenant_id, started_at).
 */
export async function sumDays(
  db: Queryable,
  tenantId: string,
  tz: string,
  from: string,
  to: string,
): Promise<DayRow[]> {
  const { rows } = await db.query(
    `with f as (
       select bot_id, (started_at at time zone $4)::date as day, ai_resolved, escalated, csat, thumbs_up, thumbs_down,
              first_response_s, human_first_response_s, resolution_s
         from analytics_sessions
        where tenant_id = $1 and has_visitor
          and started_at >= ($2::date::timestamp at time zone $4) and started_at < (($3::date + 1)::timestamp at time zone $4)),
     agg as (
       select bot_id, day, count(*)::int as conversations, count(*) filter (where ai_resolved)::int as ai_resolved,
              count(*) filter (where escalated)::int as escalated, coalesce(sum(csat), 0)::int as csat_sum,
              count(csat)::int as csat_count, coalesce(sum(thumbs_up), 0)::int as thumbs_up,
              coalesce(sum(thumbs_down), 0)::int as thumbs_down
         from f group by bot_id, day),
     hist as (
       select bot_id, day, jsonb_object_agg(k, n) as hist from (
         select bot_id, day, m || ':' || least(${MAX_BUCKET}, floor(${PER_DOUBLING} * log(2, v::numeric + 1)))::int as k, count(*)::int as n
           from f cross join lateral (values ('fr', first_response_s), ('hfr', human_first_response_s), ('res', resolution_s)) x(m, v)
          where v is not null
          group by 1, 2, 3) b
        group by bot_id, day)
     select agg.bot_id, agg.day::text as day, agg.conversations, agg.ai_resolved, agg.escalated, agg.csat_sum, agg.csat_count,
            agg.thumbs_up, agg.thumbs_down, coalesce(hist.hist, '{}'::jsonb) as hist
       from agg left join hist using (bot_id, day)`,
    [tenantId, from, to, tz],
  )
  return rows
}

/** Replaces the rollup rows of the days from `from` to `to` (closed days only: the caller decides). */
export async function storeDays(db: Queryable, tenantId: string, tz: string, from: string, to: string) {
  const rows = await sumDays(db, tenantId, tz, from, to)
  await db.query(`delete from analytics_daily where tenant_id = $1 and day between $2::date and $3::date`, [
    tenantId,
    from,
    to,
  ])
  if (rows.length)
    await db.query(
      `insert into analytics_daily (tenant_id, bot_id, day, tz, conversations, ai_resolved, escalated, csat_sum, csat_count,
              thumbs_up, thumbs_down, hist)
       select $1, r.bot_id, r.day, $2, r.conversations, r.ai_resolved, r.escalated, r.csat_sum, r.csat_count,
              r.thumbs_up, r.thumbs_down, r.hist
         from jsonb_to_recordset($3::jsonb) as r(bot_id uuid, day date, conversations int, ai_resolved int, escalated int,
              csat_sum int, csat_count int, thumbs_up int, thumbs_down int, hist jsonb)`,
      [tenantId, tz, JSON.stringify(rows)],
    )
  return rows
}

/**
 * Keeps the rollup right after analytics_sessions changed: the closed days of these sessions that are
 * already rolled up are summed again. Days are contiguous runs in practice (one refresh per pass).
 */
export async function restoreDaysOf(db: Queryable, tenantId: string, sessionIds: string[]) {
  if (!sessionIds.length) return
  const { rows } = await db.query(
    `select st.rollup_tz as tz, st.rolled_through::text as through,
            array(select distinct (a.started_at at time zone st.rollup_tz)::date::text from analytics_sessions a
                   where a.session_id = any($2::uuid[])) as days
       from analytics_state st where st.tenant_id = $1 and st.rolled_through is not null and st.rollup_tz is not null`,
    [tenantId, sessionIds],
  )
  const st = rows[0]
  if (!st) return
  for (const day of (st.days as string[]).filter((d) => d <= st.through).sort())
    await storeDays(db, tenantId, st.tz, day, day)
}

/**
 * Rolls up every closed day after rolled_through (all of them the first time) up to `yesterday`, in
 * `tz`; a changed timezone starts over.
 */
export async function rollUp(db: Queryable, tenantId: string, tz: string, yesterday: string) {
  const { rows } = await db.query(
    `select rolled_through::text as through, rollup_tz from analytics_state where tenant_id = $1`,
    [tenantId],
  )
  let through: string | null = rows[0]?.rollup_tz === tz ? rows[0]?.through : null
  if (!through) {
    await db.query(`delete from analytics_daily where tenant_id = $1`, [tenantId])
    const first = await db.query(
      `select ((min(started_at) at time zone $2)::date - 1)::text as d from analytics_sessions where tenant_id = $1`,
      [tenantId, tz],
    )
    through = first.rows[0].d ?? yesterday
  }
  if (through! < yesterday) {
    const next = new Date(Date.parse(`${through}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
    await storeDays(db, tenantId, tz, next, yesterday)
  }
  await db.query(
    `insert into analytics_state (tenant_id, rolled_through, rollup_tz) values ($1, $2, $3)
     on conflict (tenant_id) do update set rolled_through = excluded.rolled_through, rollup_tz = excluded.rollup_tz`,
    [tenantId, through! < yesterday ? yesterday : through, tz],
  )
}

/**
 * The p-th percentile (0..1, interpolated like percentile_cont) of a histogram's values: the bucket
 * holding that rank, linearly within its bounds. Within a bucket's width (9 %) of the exact figure.
 */
export function histogramPercentile(counts: Map<number, number>, p: number): number | null {
  const total = [...counts.values()].reduce((a, b) => a + b, 0)
  if (!total) return null
  const rank = p * (total - 1)
  let seen = 0
  for (const b of [...counts.keys()].sort((a, c) => a - c)) {
    const n = counts.get(b)!
    if (rank < seen + n) {
      const within = n === 1 ? 0.5 : (rank - seen) / (n - 1)
      return bucketLow(b) + within * (bucketLow(b + 1) - bucketLow(b))
    }
    seen += n
  }
  return null
}
