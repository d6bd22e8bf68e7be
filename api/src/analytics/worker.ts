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

export type AnalyticsDeps = Pick<Deps, 'pool' | 'log'>

export class AnalyticsWorker {
  private readonly poller: Poller
  private readonly requested = new Map<string, { tenantId: string; date: string }>()

  constructor(private readonly d: AnalyticsDeps) {
    this.poller = new Poller(() => this.pass(), ANALYTICS_EVERY_MS, { log: d.log, name: 'analytics job' })
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
    do await this.poller.settle()
    while (this.requested.size)
  }

  async stop() {
    await this.poller.stop()
  }

  private async pass() {
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
  }

  /**
   * Recomputes the sessions changed (or given feedback) since the watermark, then moves it to the
   * pass's start (what changes during the pass is newer: the next pass takes it). refreshFacts yields
   * to the event loop between batches, however many there are.
   */
  private async factsOf(tenantId: string, since: Date | null) {
    const { rows } = await this.d.pool.query(
      `select now() as mark, array(
         select s.id from chatbot_sessions s
          where s.tenant_id = $1 and s.updated_at > coalesce($2::timestamptz, '-infinity')
         union
         select f.session_id from message_feedback f
          where f.tenant_id = $1 and f.created_at > coalesce($2::timestamptz, '-infinity')) as ids`,
      [tenantId, since],
    )
    const ids: string[] = rows[0].ids
    await refreshFacts(this.d.pool, ids)
    await restoreDaysOf(this.d.pool, tenantId, ids)
    await this.d.pool.query(
      `insert into analytics_state (tenant_id, facts_through) values ($1, $2)
       on conflict (tenant_id) do update set facts_through = excluded.facts_through`,
      [tenantId, rows[0].mark],
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
