/**
 * The owner's figures (owners and admins): GET /v1/tenants/:t/analytics and its CSV export, the daily
 * topics and an on-demand topic run. Thin adapters over figures.ts and topics.ts.
 */
import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { requireUser } from '../auth/middleware'
import { ADMINS } from '../auth/roles'
import type { AppEnv } from '../deps'
import { ApiError, badRequest } from '../errors'
import { query, uuidRe } from '../http/validate'
import { analyticsCsv } from './csv'
import { analytics, refreshStale, tenantTimezone, type Range } from './figures'
import { listTopics } from './topics'

export const analyticsRoutes = new Hono<AppEnv>()
for (const path of [
  '/tenants/:t/analytics',
  '/tenants/:t/analytics/*',
  '/tenants/:t/topics',
  '/tenants/:t/topics/*',
])
  analyticsRoutes.use(path, requireUser)

/** Longest range one request may cover, in days (both ends included). */
export const MAX_RANGE_DAYS = 366

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`)
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s
  }, 'is not a calendar date')

const rangeSchema = z
  .object({
    from: isoDate,
    to: isoDate,
    bot_id: z.string().regex(uuidRe, 'must be a uuid').optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' })
    else if (days + 1 > MAX_RANGE_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range is at most ${MAX_RANGE_DAYS} days` })
  })

const topicsRangeSchema = z
  .object({ from: isoDate, to: isoDate })
  .strict()
  .superRefine((q, ctx) => {
    const days = (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000
    if (days < 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be on or after from' })
    else if (days + 1 > MAX_RANGE_DAYS)
      ctx.addIssue({ code: 'custom', path: ['to'], message: `the range is at most ${MAX_RANGE_DAYS} days` })
  })

async function figuresFor(c: Context<AppEnv>) {
  const t = c.req.param('t')!
  const d = c.var.deps
  // Membership and role before the query string (a stranger learns nothing: 404; an agent: 403).
  const { q, tz } = await asMember(
    c,
    t,
    async (db) => {
      const q = query(rangeSchema, c.req.query())
      if (q.bot_id) {
        const bot = await db.query(`select 1 from bots where id = $1 and tenant_id = $2`, [q.bot_id, t])
        if (!bot.rows[0]) throw badRequest('validation_failed', 'bot_id: not a bot of this workspace')
      }
      return { q, tz: await tenantTimezone(db, t) }
    },
    ADMINS,
  )
  const range: Range = { tenantId: t, from: q.from, to: q.to, botId: q.bot_id ?? null }
  await refreshStale(d.pool, range, tz)
  // Read as the API's role, every query naming the tenant: the row policies' per-row membership check
  // costs seconds over a long range (bench/analytics.ts), and the member's role is checked above.
  return analytics(d.pool, range, tz)
}

analyticsRoutes.get('/tenants/:t/analytics', async (c) => c.json(await figuresFor(c)))

analyticsRoutes.get('/tenants/:t/analytics/export.csv', async (c) => {
  const a = await figuresFor(c)
  return c.body(analyticsCsv(a), 200, {
    'Content-Type': 'text/csv; charset=utf-8',
    'Content-Disposition': `attachment; filename="analytics-${a.from}-to-${a.to}.csv"`,
    'Cache-Control': 'no-store',
  })
})

analyticsRoutes.get('/tenants/:t/topics', async (c) => {
  const t = c.req.param('t')
  const topics = await asMember(
    c,
    t,
    (db) => {
      const q = query(topicsRangeSchema, c.req.query())
      return listTopics(db, t, q.from, q.to)
    },
    ADMINS,
  )
  return c.json({ topics })
})

analyticsRoutes.post('/tenants/:t/topics/run', async (c) => {
  const t = c.req.param('t')
  const q = await asMember(
    c,
    t,
    async () => query(z.object({ date: isoDate }).strict(), c.req.query()),
    ADMINS,
  )
  const worker = c.var.deps.analytics
  if (!worker) throw new ApiError(503, 'unavailable', 'The analytics job does not run in this process.')
  worker.requestTopics(t, q.date)
  return c.json({ queued: { date: q.date } }, 202)
})
