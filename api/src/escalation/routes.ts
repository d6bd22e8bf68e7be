import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { ADMINS } from '../auth/roles'
import { requireUser } from '../auth/middleware'
import type { AppEnv } from '../deps'
import { ApiError, badRequest, notFound } from '../errors'
import { text } from '../http/text'
import { jsonBody, uuidRe, assertSafeJson } from '../http/validate'
import { validateUrl } from '../net'
import { sentimentOf } from './lexicon'
import { findHumanRequest } from './human-request'
import { parseRule, RuleValidationError } from './rule-schema'
import { evaluateRules, type EvalInput } from './rules'
import { RULE_COLUMNS, tenantRules, toRule } from './service'

/** Escalation rules (and their dry run), canned replies and the tenant's webhook. */
export const escalation = new Hono<AppEnv>()
escalation.use('/tenants/:t/escalation-rules', requireUser)
escalation.use('/tenants/:t/escalation-rules/*', requireUser)
escalation.use('/tenants/:t/canned-replies', requireUser)
escalation.use('/tenants/:t/canned-replies/*', requireUser)
escalation.use('/tenants/:t/webhook', requireUser)

/** parseRule's errors name the field; they become the contract's 400. */
function validRule(input: unknown) {
  try {
    return parseRule(input)
  } catch (err) {
    if (err instanceof RuleValidationError) throw badRequest('validation_failed', err.message)
    throw err
  }
}

const toApi = (row: any) => {
  const r = toRule(row)
  return { ...r, updated_at: row.updated_at }
}

escalation.get('/tenants/:t/escalation-rules', async (c) => {
  const t = c.req.param('t')
  const rows = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select ${RULE_COLUMNS} from escalation_rules where tenant_id = $1 order by priority_level desc, created_at`,
          [t],
        )
      ).rows,
  )
  return c.json({ rules: rows.map(toApi) })
})

async function readBody(c: { req: { json(): Promise<unknown> } }) {
  let raw: unknown
  try {
    raw = await c.req.json()
  } catch {
    throw badRequest('invalid_json', 'The body is not valid JSON.')
  }
  // The same bounds as jsonBody: depth, size, no NUL or lone surrogate.
  assertSafeJson(raw)
  return raw
}

escalation.post('/tenants/:t/escalation-rules', async (c) => {
  const t = c.req.param('t')
  const rule = validRule(await readBody(c))
  const row = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `insert into escalation_rules (tenant_id, rule_name, description, trigger_keywords, trigger_conditions, agent_assignment_logic, priority_level, is_active)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${RULE_COLUMNS}`,
          [
            t,
            rule.name,
            rule.description ?? null,
            rule.trigger_keywords,
            JSON.stringify(rule.trigger_conditions ?? {}),
            JSON.stringify(rule.agent_assignment_logic),
            rule.priority_level,
            rule.is_active,
          ],
        )
      ).rows[0],
    ADMINS,
  )
  return c.json({ rule: toApi(row) }, 201)
})

escalation.patch('/tenants/:t/escalation-rules/:id', async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Rule')
  const patch = await readBody(c)
  if (!patch || typeof patch !== 'object' || Array.isArray(patch))
    throw badRequest('validation_failed', 'body: an object is required')
  const row = await asMember(
    c,
    t,
    async (db) => {
      const current = (
        await db.query(
          `select ${RULE_COLUMNS} from escalation_rules where id = $1 and tenant_id = $2 for update`,
          [id, t],
        )
      ).rows[0]
      if (!current) throw notFound('Rule')
      const { id: _id, created_at: _c, ...base } = toRule(current)
      // The merged rule is validated whole: a patch cannot leave an invalid rule behind.
      const rule = validRule({ ...base, ...(patch as object) })
      return (
        await db.query(
          `update escalation_rules set rule_name = $2, description = $3, trigger_keywords = $4, trigger_conditions = $5,
                  agent_assignment_logic = $6, priority_level = $7, is_active = $8
            where id = $1 returning ${RULE_COLUMNS}`,
          [
            id,
            rule.name,
            rule.description ?? null,
            rule.trigger_keywords,
            JSON.stringify(rule.trigger_conditions ?? {}),
            JSON.stringify(rule.agent_assignment_logic),
            rule.priority_level,
            rule.is_active,
          ],
        )
      ).rows[0]
    },
    ADMINS,
  )
  return c.json({ rule: toApi(row) })
})

escalation.delete('/tenants/:t/escalation-rules/:id', async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Rule')
  await asMember(
    c,
    t,
    async (db) => {
      const { rowCount } = await db.query(`delete from escalation_rules where id = $1 and tenant_id = $2`, [
        id,
        t,
      ])
      if (!rowCount) throw notFound('Rule')
    },
    ADMINS,
  )
  return c.body(null, 204)
})

const testSchema = z
  .object({
    message: text(4000),
    context: z
      .object({
        human_requested: z.boolean().optional(),
        visitor_message_count: z.number().int().min(0).max(100_000).optional(),
        recent_confidences: z.array(z.number().min(0).max(1)).max(50).optional(),
        sentiment: z.enum(['negative', 'neutral', 'positive']).optional(),
        intent: z.string().max(60).optional(),
        language: z.string().max(10).optional(),
        business_hours_open: z.boolean().nullable().optional(),
        page_url: z.string().max(2000).nullable().optional(),
        attributes: z.record(z.string().max(64), z.unknown()).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()

/**
 * Dry run: which rule would fire for this message and context, and why, condition by condition.
 * The same evaluation (and the same trace) as a real message; sentiment falls back to the lexicon.
 */
escalation.post('/tenants/:t/escalation-rules/test', jsonBody(testSchema), async (c) => {
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof testSchema>
  const rules = await asMember(c, t, (db) => tenantRules(db, t))
  const ctx = body.context
  const human = findHumanRequest(body.message)
  const input: EvalInput = {
    message: body.message,
    human_requested: ctx.human_requested ?? human !== null,
    visitor_message_count: ctx.visitor_message_count ?? 1,
    recent_confidences: ctx.recent_confidences ?? [],
    triage: {
      sentiment: ctx.sentiment ?? sentimentOf(body.message).sentiment,
      intent: ctx.intent,
      language: ctx.language,
    },
    business_hours_open: ctx.business_hours_open ?? null,
    page_url: ctx.page_url ?? null,
    attributes: ctx.attributes ?? {},
  }
  const result = evaluateRules(rules.rules, input, { traceAll: true })
  return c.json({
    fired: result.fired,
    human_request: human,
    // Without a matching rule, words asking for a person still hand over (the built-in rule).
    escalates: result.fired !== null || human !== null,
    trace: result.trace,
  })
})

const cannedSchema = z
  .object({
    shortcut: z.string().regex(/^[a-z0-9_-]{1,40}$/, 'lowercase letters, digits, _ and -, at most 40'),
    title: text(200),
    content: text(8000),
  })
  .strict()

escalation.get('/tenants/:t/canned-replies', async (c) => {
  const t = c.req.param('t')
  const rows = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select id, shortcut, title, content from canned_replies where tenant_id = $1 order by shortcut`,
          [t],
        )
      ).rows,
  )
  return c.json({ canned_replies: rows })
})

escalation.post('/tenants/:t/canned-replies', jsonBody(cannedSchema), async (c) => {
  const t = c.req.param('t')
  const b = c.get('body') as z.infer<typeof cannedSchema>
  const row = await asMember(c, t, async (db) => {
    const { rows } = await db.query(
      `insert into canned_replies (tenant_id, shortcut, title, content, created_by) values ($1, $2, $3, $4, auth.uid())
       on conflict (tenant_id, shortcut) do nothing returning id, shortcut, title, content`,
      [t, b.shortcut, b.title, b.content],
    )
    if (!rows[0]) throw new ApiError(409, 'conflict', `shortcut: /${b.shortcut} already exists`)
    return rows[0]
  })
  return c.json({ canned_reply: row }, 201)
})

const cannedPatch = cannedSchema
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'nothing to change: give shortcut, title or content')

escalation.patch('/tenants/:t/canned-replies/:id', jsonBody(cannedPatch), async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  const b = c.get('body') as z.infer<typeof cannedPatch>
  if (!uuidRe.test(id)) throw notFound('Canned reply')
  const row = await asMember(c, t, async (db) => {
    if (b.shortcut) {
      const taken = await db.query(
        `select 1 from canned_replies where tenant_id = $1 and shortcut = $2 and id <> $3`,
        [t, b.shortcut, id],
      )
      if (taken.rows[0]) throw new ApiError(409, 'conflict', `shortcut: /${b.shortcut} already exists`)
    }
    const { rows } = await db.query(
      `update canned_replies set shortcut = coalesce($3, shortcut), title = coalesce($4, title), content = coalesce($5, content)
        where id = $1 and tenant_id = $2 returning id, shortcut, title, content`,
      [id, t, b.shortcut ?? null, b.title ?? null, b.content ?? null],
    )
    if (!rows[0]) throw notFound('Canned reply')
    return rows[0]
  })
  return c.json({ canned_reply: row })
})

escalation.delete('/tenants/:t/canned-replies/:id', async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Canned reply')
  await asMember(c, t, async (db) => {
    const { rowCount } = await db.query(`delete from canned_replies where id = $1 and tenant_id = $2`, [
      id,
      t,
    ])
    if (!rowCount) throw notFound('Canned reply')
  })
  return c.body(null, 204)
})

const webhookSchema = z
  .object({
    url: z.string().min(1).max(2000),
    events: z
      .array(z.enum(['escalation.created']))
      .min(1)
      .default(['escalation.created']),
    is_active: z.boolean().default(true),
  })
  .strict()

escalation.get('/tenants/:t/webhook', async (c) => {
  const t = c.req.param('t')
  const row = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select url, events, is_active, created_at, updated_at from tenant_webhooks where tenant_id = $1`,
          [t],
        )
      ).rows[0],
    ADMINS,
  )
  return c.json({ webhook: row ?? null })
})

/** Sets the tenant's webhook; a new signing secret is returned this once and never again. */
escalation.put('/tenants/:t/webhook', jsonBody(webhookSchema), async (c) => {
  const t = c.req.param('t')
  const b = c.get('body') as z.infer<typeof webhookSchema>
  try {
    validateUrl(b.url, { allowLoopback: c.var.deps.config.FETCH_ALLOW_LOOPBACK })
  } catch (err) {
    throw badRequest('validation_failed', `url: ${(err as Error).message}`)
  }
  const secret = `whsec_${randomBytes(24).toString('base64url')}`
  const webhook = await asMember(
    c,
    t,
    async (db) => {
      // Replace rather than upsert: members may not read the secret column, which an upsert would need.
      await db.query(`delete from tenant_webhooks where tenant_id = $1`, [t])
      const { rows } = await db.query(
        `insert into tenant_webhooks (tenant_id, url, secret, events, is_active) values ($1, $2, $3, $4, $5)
         returning url, events, is_active, created_at, updated_at`,
        [t, b.url, secret, b.events, b.is_active],
      )
      return rows[0]
    },
    ADMINS,
  )
  return c.json({ webhook: { ...webhook, secret } })
})
