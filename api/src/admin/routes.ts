import { randomBytes, randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { businessHoursSchema } from '../escalation/hours'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { ADMINS } from '../auth/roles'
import { requireUser } from '../auth/middleware'
import { withMemberTx, type Queryable } from '../db/tx'
import type { AppEnv } from '../deps'
import { badRequest, forbidden, notFound } from '../errors'
import { invalidateOrigins } from '../http/cors'
import { text } from '../http/text'
import { jsonBody, uuidRe } from '../http/validate'
import { PERSONA_FIELDS, personaSchema } from './persona'
import { linkDomainsSchema } from '../answers/links'

/** Owners' settings: tenants, members, bots and their widgets. */
export const admin = new Hono<AppEnv>()
admin.use('/tenants', requireUser)
admin.use('/tenants/*', requireUser)
admin.use('/bots/*', requireUser)

admin.get('/tenants', async (c) => {
  const tenants = await withMemberTx(
    c.var.deps.pool,
    c.var.user,
    async (db) =>
      (await db.query('select id, name, slug, settings, created_at from tenants order by name')).rows,
  )
  return c.json({ tenants })
})

const slug = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, 2 to 63 characters')
const settingsSchema = z
  .object({
    timezone: z.string().max(64).optional(),
    language: z.string().max(10).optional(),
    escalation_email: z.email().nullable().optional(),
    business_hours: z.record(z.string(), z.unknown()).optional(),
    /** Where links in bot answers may go, besides the widget's origins and the website sources. */
    link_domains: linkDomainsSchema.optional(),
  })
  .strict()

const tenantCreate = z.object({ name: text(200), slug }).strict()

admin.post('/tenants', jsonBody(tenantCreate), async (c) => {
  // A key acts for its own tenant only (the database refuses it too).
  if (c.var.user.api_key)
    throw forbidden('An API key acts for its own tenant only; it cannot create tenants.')
  const body = c.get('body') as z.infer<typeof tenantCreate>
  const tenant = await withMemberTx(c.var.deps.pool, c.var.user, async (db) => {
    // No RETURNING: the row is only visible to its creator once the owner trigger has run, after the statement.
    const id = randomUUID()
    await db.query('insert into tenants (id, name, slug) values ($1, $2, $3)', [id, body.name, body.slug])
    return (await db.query('select id, name, slug, settings, created_at from tenants where id = $1', [id]))
      .rows[0]
  })
  return c.json({ tenant }, 201)
})

admin.get('/tenants/:t', async (c) => {
  const t = c.req.param('t')
  const tenant = await asMember(
    c,
    t,
    async (db) =>
      (await db.query('select id, name, slug, settings, created_at from tenants where id = $1', [t])).rows[0],
  )
  return c.json({ tenant })
})

const tenantPatch = z.object({ name: text(200).optional(), settings: settingsSchema.optional() }).strict()

admin.patch('/tenants/:t', jsonBody(tenantPatch), async (c) => {
  const body = c.get('body') as z.infer<typeof tenantPatch>
  const t = c.req.param('t')
  const tenant = await asMember(
    c,
    t,
    async (db) => {
      const { rows } = await db.query(
        `update tenants set name = coalesce($2, name), settings = settings || coalesce($3, '{}'::jsonb)
        where id = $1 returning id, name, slug, settings, created_at`,
        [t, body.name ?? null, body.settings ?? null],
      )
      return rows[0]
    },
    ADMINS,
  )
  return c.json({ tenant })
})

admin.get('/tenants/:t/members', async (c) => {
  const t = c.req.param('t')
  const members = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select user_id, display_name as name, role, availability, capacity from tenant_members where tenant_id = $1 order by role, display_name`,
          [t],
        )
      ).rows,
  )
  // Members cannot read auth.users; the addresses of the rows RLS just showed them are added here.
  const emails = new Map<string, string>(
    (
      await c.var.deps.pool.query('select id, email from auth.users where id = any($1::uuid[])', [
        members.map((m) => m.user_id),
      ])
    ).rows.map((r) => [r.id, r.email]),
  )
  return c.json({ members: members.map((m) => ({ ...m, email: emails.get(m.user_id) ?? null })) })
})

export const BOT = `id, tenant_id, name, persona, ${PERSONA_FIELDS.join(', ')}, model, temperature, max_tokens, min_confidence, status, created_at, updated_at`
const botCreate = z
  .object({
    name: text(100),
    persona: text(4000, 0).optional(),
    temperature: z.number().min(0).max(2).optional(),
    max_tokens: z.number().int().min(16).max(8000).optional(),
  })
  .strict()

admin.get('/tenants/:t/bots', async (c) => {
  const t = c.req.param('t')
  const bots = await asMember(
    c,
    t,
    async (db) =>
      (await db.query(`select ${BOT} from bots where tenant_id = $1 order by created_at`, [t])).rows,
  )
  return c.json({ bots })
})

admin.post('/tenants/:t/bots', jsonBody(botCreate), async (c) => {
  const body = c.get('body') as z.infer<typeof botCreate>
  const t = c.req.param('t')
  const bot = await asMember(
    c,
    t,
    async (db) => {
      const { rows } = await db.query(
        `insert into bots (tenant_id, name, persona, temperature, max_tokens) values ($1, $2, $3, coalesce($4, 0.2), coalesce($5, 600)) returning ${BOT}`,
        [t, body.name, body.persona ?? '', body.temperature ?? null, body.max_tokens ?? null],
      )
      // Every bot gets its widget, closed to every site until the owner lists one.
      await db.query(`insert into widget_configs (tenant_id, bot_id, publishable_key) values ($1, $2, $3)`, [
        t,
        rows[0].id,
        'pk_' + randomBytes(16).toString('hex'),
      ])
      return rows[0]
    },
    ADMINS,
  )
  return c.json({ bot }, 201)
})

/** Finds the tenant a bot belongs to (as the member, under RLS) so the tenant's role check applies. */
export async function botTenant(c: any, botId: string): Promise<string> {
  if (!uuidRe.test(botId)) throw notFound('Bot')
  const rows = await withMemberTx(
    c.var.deps.pool,
    c.var.user,
    async (db: Queryable) => (await db.query('select tenant_id from bots where id = $1', [botId])).rows,
  )
  if (!rows[0]) throw notFound('Bot')
  return rows[0].tenant_id
}

admin.get('/bots/:b', async (c) => {
  const b = c.req.param('b')
  const bot = await asMember(
    c,
    await botTenant(c, b),
    async (db) => (await db.query(`select ${BOT} from bots where id = $1`, [b])).rows[0],
  )
  return c.json({ bot })
})

/** A model name on the configured server (bots' model, model versions' names). */
export const modelName = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,99}$/,
    'a model name like gpt-4o-mini (letters, digits, . _ : / @ -)',
  )

const botPatch = botCreate
  .partial()
  .extend({
    status: z.enum(['active', 'paused', 'archived']).optional(),
    ...personaSchema.shape,
    /** A model name on the configured server; null goes back to the default (LLM_MODEL). */
    model: modelName.nullable().optional(),
    /** The bot's answer threshold (0..1); null goes back to the calibrated default. */
    min_confidence: z.number().min(0).max(1).nullable().optional(),
  })
  .strict()

admin.patch('/bots/:b', jsonBody(botPatch), async (c) => {
  const body = c.get('body') as z.infer<typeof botPatch>
  const b = c.req.param('b')
  const bot = await asMember(
    c,
    await botTenant(c, b),
    async (db) => {
      const persona = PERSONA_FIELDS.map((f) => body[f] ?? null)
      const { rows } = await db.query(
        `update bots set name = coalesce($2, name), persona = coalesce($3, persona), temperature = coalesce($4, temperature),
              max_tokens = coalesce($5, max_tokens), status = coalesce($6, status),
              model = case when $7::boolean then $8 else model end,
              min_confidence = case when $9::boolean then $10::real else min_confidence end,
              ${PERSONA_FIELDS.map((f, i) => `${f} = coalesce($${11 + i}, ${f})`).join(', ')}
        where id = $1 returning ${BOT}`,
        [
          b,
          body.name ?? null,
          body.persona ?? null,
          body.temperature ?? null,
          body.max_tokens ?? null,
          body.status ?? null,
          body.model !== undefined,
          body.model || null,
          body.min_confidence !== undefined,
          body.min_confidence ?? null,
          ...persona,
        ],
      )
      return rows[0]
    },
    ADMINS,
  )
  return c.json({ bot })
})

admin.delete('/bots/:b', async (c) => {
  const b = c.req.param('b')
  await asMember(c, await botTenant(c, b), (db) => db.query('delete from bots where id = $1', [b]), ADMINS)
  return c.body(null, 204)
})

const WIDGET =
  'publishable_key, allowed_origins, theme, greeting, suggestions, language, identity_mode, business_hours, prechat, updated_at'
const origin = z
  .string()
  .refine(
    (o) => o === '*' || /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i.test(o),
    'an origin like https://shop.example.com (scheme, host, optional port; no path)',
  )
const widgetPatch = z
  .object({
    allowed_origins: z.array(origin).max(50).optional(),
    theme: z
      .object({
        primary_color: z
          .string()
          .regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #4f46e5')
          .optional(),
        position: z.enum(['left', 'right']).optional(),
      })
      .strict()
      .optional(),
    greeting: text(500, 0).optional(),
    suggestions: z.array(text(120)).max(6).optional(),
    language: z.enum(['auto', 'en', 'fr', 'es', 'pt']).optional(),
    identity_mode: z.enum(['off', 'optional', 'required']).optional(),
    business_hours: businessHoursSchema.nullable().optional(),
    prechat: z
      .object({
        fields: z
          .array(
            z
              .object({
                name: z.string().regex(/^[a-z_]{1,40}$/, 'lowercase letters and _'),
                label: text(100),
                type: z.enum(['text', 'email']),
                required: z.boolean().default(false),
              })
              .strict(),
          )
          .min(1)
          .max(6),
      })
      .strict()
      .nullable()
      .optional(),
  })
  .strict()

admin.get('/bots/:b/widget', async (c) => {
  const b = c.req.param('b')
  const widget = await asMember(
    c,
    await botTenant(c, b),
    async (db) => (await db.query(`select ${WIDGET} from widget_configs where bot_id = $1`, [b])).rows[0],
  )
  return c.json({ widget })
})

admin.patch('/bots/:b/widget', jsonBody(widgetPatch), async (c) => {
  const body = c.get('body') as z.infer<typeof widgetPatch>
  const b = c.req.param('b')
  const widget = await asMember(
    c,
    await botTenant(c, b),
    async (db) => {
      const { rows } = await db.query(
        `update widget_configs set allowed_origins = coalesce($2, allowed_origins), theme = theme || coalesce($3, '{}'::jsonb),
              greeting = coalesce($4, greeting), suggestions = coalesce($5, suggestions), language = coalesce($6, language),
              identity_mode = coalesce($7, identity_mode),
              business_hours = case when $8::boolean then $9::jsonb else business_hours end,
              prechat = case when $10::boolean then $11::jsonb else prechat end
        where bot_id = $1 returning ${WIDGET}`,
        [
          b,
          body.allowed_origins ?? null,
          body.theme ?? null,
          body.greeting ?? null,
          body.suggestions ?? null,
          body.language ?? null,
          body.identity_mode ?? null,
          body.business_hours !== undefined,
          body.business_hours ? JSON.stringify(body.business_hours) : null,
          body.prechat !== undefined,
          body.prechat ? JSON.stringify(body.prechat) : null,
        ],
      )
      if (
        rows[0]?.identity_mode === 'required' &&
        !(await db.query(`select identity_secret from widget_configs where bot_id = $1`, [b])).rows[0]
          ?.identity_secret
      ) {
        throw badRequest(
          'validation_failed',
          'identity_mode: create an identity secret first (POST /v1/bots/:b/widget/identity-secret)',
        )
      }
      return rows[0]
    },
    ADMINS,
  )
  invalidateOrigins()
  return c.json({ widget })
})

/** A new identity-verification secret for the widget, shown this once (the site's server keeps it). */
admin.post('/bots/:b/widget/identity-secret', async (c) => {
  const b = c.req.param('b')
  const secret = `idsec_${randomBytes(32).toString('base64url')}`
  await asMember(
    c,
    await botTenant(c, b),
    (db) => db.query(`update widget_configs set identity_secret = $2 where bot_id = $1`, [b, secret]),
    ADMINS,
  )
  return c.json({ identity_secret: secret }, 201)
})
