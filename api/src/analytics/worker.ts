/**
 * The analytics job, on the shared scheduling loop (jobs/poller.ts): per tenant it brings
 * analytics_sessions up to date with everything that changed since its last pass (so a range query
 * reads rows instead of a million messages), clusters yesterday's questions into topics once the day
 * is over in the tenant's timezone, and runs the topic days an owner asked for
 * (POST /v1/tenants/:t/topics/run).
 */
import type { Deps } from '../deps'
import { Poller } from '../jobs/poller'
import { refreshFacts } from './facts'
import { validTimezone } from './figures'
import { restoreDaysOf, rollUp } from './rollup'
import { runTopics } from './topics'

/** How often the job looks for work without being kicked. */
export const ANALYTICS_EVERY_MS = 5 * 60_000
/** Sessions refreshed per tenant per pass: a backlog is worked off over several passes. */
const SESSIONS_PER_PASS = 20_000

export type AnalyticsDeps = Pick<Deps, 'pool' | 'log'>

export class AnalyticsWorker {
  private readonly poller: Poller
  private readonly requested = new Map<string, { tenantId: string; date: string }>()
  /** A tenant had more changed sessions than one pass takes: another pass follows. */
  private backlog = false
  private draining = false

  constructor(private readonly d: AnalyticsDeps) {
    this.poller = new Poller(() => this.pass(), ANALYTICS_EVERY_MS)
  }

  start() {
    this.poller.start()
  }

  /** Queues a topic run for a tenant's day (re-running replaces that day). */
  requestTopics(tenantId: string, date: string) {
    this.requested.set(`${tenantId}/${date}`, { tenantId, date })
    this.poller.kick()
  }

  /** Runs passes until nothing requested is left (tests and commands). */
  async drain() {
    this.draining = true
    try {
      do await this.poller.settle()
      while (this.requested.size || this.backlog)
    } finally {
      this.draining = false
    }
  }

  async stop() {
    await this.poller.stop()
  }

  private async pass() {
    this.backlog = false
    for (const [key, job] of this.requested) {
      this.requested.delete(key)
      await this.topicsOf(job.tenantId, job.date).catch((err) =>
        this.d.log.warn('topics run failed', { tenant_id: job.tenantId, date: job.date, err: String(err) }),
      )
    }
    const { rows: tenants } = await this.d.pool
      .query(
        `select t.id, t.settings->>'timezone' as tz, st.facts_through, st.topics_through::text as topics_through,
              ((now() at time zone coalesce(nullif(t.settings->>'timezone', ''), 'UTC'))::date - 1)::text as yesterday
         from tenants t left join analytics_state st on st.tenant_id = t.id`,
      )
      .catch(async () =>
        // A timezone Postgres does not know: the whole list again in UTC for every tenant.
        this.d.pool.query(
          `select t.id, 'UTC' as tz, st.facts_through, st.topics_through::text as topics_through,
                ((now() at time zone 'UTC')::date - 1)::text as yesterday
           from tenants t left join analytics_state st on st.tenant_id = t.id`,
        ),
      )
    for (const t of tenants) {
      if (this.poller.stopped) return
      await new Promise((r) => setImmediate(r))
      try {
        await this.factsOf(t.id, t.facts_through)
        await rollUp(this.d.pool, t.id, validTimezone(t.tz), t.yesterday)
        if (!t.topics_through || t.topics_through < t.yesterday) {
          await runTopics(this.d.pool, t.id, t.yesterday, validTimezone(t.tz))
          await this.d.pool.query(
            `insert into analytics_state (tenant_id, topics_through) values ($1, $2)
             on conflict (tenant_id) do update set topics_through = excluded.topics_through`,
            [t.id, t.yesterday],
          )
        }
      } catch (err) {
        this.d.log.warn('analytics pass failed', { tenant_id: t.id, err: String(err) })
      }
    }
    // The rest of a backlog right after this pass (drain() loops on its own).
    if (this.backlog && !this.draining) this.poller.kick()
  }

  /** Recomputes the sessions changed (or given feedback) since the watermark, then moves it. */
  private async factsOf(tenantId: string, since: Date | null) {
    const { rows } = await this.d.pool.query(
      `select now() as mark, array(
         select id from (
           select s.id, s.updated_at as at from chatbot_sessions s
            where s.tenant_id = $1 and s.updated_at > coalesce($2::timestamptz, '-infinity')
           union
           select f.session_id, f.created_at from message_feedback f
            where f.tenant_id = $1 and f.created_at > coalesce($2::timestamptz, '-infinity')
         ) c group by id order by max(at) limit ${SESSIONS_PER_PASS}) as ids`,
      [tenantId, since],
    )
    const ids: string[] = rows[0].ids
    await refreshFacts(this.d.pool, ids)
    await restoreDaysOf(this.d.pool, tenantId, ids)
    // A backlog larger than one pass moves the mark only as far as it got (the next pass goes on).
    let mark: Date = rows[0].mark
    if (ids.length === SESSIONS_PER_PASS) {
      const last = await this.d.pool.query(
        `select max(greatest(s.updated_at, coalesce((select max(f.created_at) from message_feedback f where f.session_id = s.id), '-infinity'))) as at
           from chatbot_sessions s where s.id = any($1::uuid[])`,
        [ids],
      )
      mark = last.rows[0].at
      this.backlog = true
    }
    await this.d.pool.query(
      `insert into analytics_state (tenant_id, facts_through) values ($1, $2)
       on conflict (tenant_id) do update set facts_through = excluded.facts_through`,
      [tenantId, mark],
    )
  }

  private async topicsOf(tenantId: string, date: string) {
    const { rows } = await this.d.pool.query(
      `select settings->>'timezone' as tz from tenants where id = $1`,
      [tenantId],
    )
    if (!rows[0]) return
    await runTopics(this.d.pool, tenantId, date, validTimezone(rows[0].tz))
  }
}
