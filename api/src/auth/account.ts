import { randomBytes, randomUUID } from 'node:crypto'
import type { Context } from 'hono'
import { Hono } from 'hono'
import { z } from 'zod'
import { withTx } from '../db/tx'
import type { AppEnv } from '../deps'
import { badRequest, conflict, unauthorized } from '../errors'
import { clientIp } from '../http/client-ip'
import { rateLimit } from '../http/rate-limit'
import { text } from '../http/text'
import { jsonBody } from '../http/validate'
import { signAccessToken } from './jwt'
import { requireUser } from './middleware'
import { consoleLink, newOneTimeToken, sendMail, tokenHash, tokenShape } from './one-time'
import { hashPassword, verifyPassword } from './passwords'

/**
 * Account routes that need no membership: accepting an invitation, resetting a forgotten password,
 * changing one's own password, and the first run's set-up. Every one is rate-limited like sign-in.
 */
export const account = new Hono<AppEnv>()

const email = z.string().trim().toLowerCase().email('must be an e-mail address').max(320)
const password = z.string().min(8, 'must be at least 8 characters').max(200, 'must be at most 200 characters')
const token = z.string().regex(tokenShape, 'is not a valid link token')

/** Counts attempts per client address and what the body names (an e-mail, or the route). */
const limited = (what: (body: any) => string) =>
  rateLimit(
    (c) => c.var.deps.limiters,
    'login',
    (c) =>
      `${clientIp(c, { trustedProxyHops: c.var.deps.config.TRUSTED_PROXY_HOPS })}|${what(c.get('body'))}`,
  )

async function signedIn(c: Context<AppEnv>, user: { id: string; email: string }) {
  const { jwtSecret, config } = c.var.deps
  return {
    access_token: await signAccessToken(jwtSecret, user, config.JWT_TTL_SECONDS),
    token_type: 'bearer' as const,
    expires_in: config.JWT_TTL_SECONDS,
    user: { id: user.id, email: user.email },
  }
}

const acceptSchema = z.object({ token, password, name: text(100).optional() }).strict()

/**
 * Spends an invitation: a new address becomes a user with this password; an existing user proves it
 * is them with their current password (a link must never sign anyone in as someone else). The
 * membership is added with the invited role, and the answer is a signed-in session.
 */
account.post(
  '/auth/invitations/accept',
  jsonBody(acceptSchema),
  limited(() => 'invitation'),
  async (c) => {
    const body = c.get('body') as z.infer<typeof acceptSchema>
    const result = await withTx(c.var.deps.pool, async (db) => {
      // Spent by this update: a second use, a revoked or an expired link finds no row.
      const inv = (
        await db.query(
          `update invitations set accepted_at = now()
            where token_hash = $1 and accepted_at is null and revoked_at is null and expires_at > now()
            returning id, tenant_id, email, role`,
          [tokenHash(body.token)],
        )
      ).rows[0]
      if (!inv) return null
      let user = (
        await db.query(
          'select id, email, encrypted_password from auth.users where lower(email) = lower($1)',
          [inv.email],
        )
      ).rows[0]
      if (user) {
        if (!(await verifyPassword(body.password, user.encrypted_password)))
          throw unauthorized('password: this address already has an account; enter its current password.')
      } else {
        user = (
          await db.query(
            `insert into auth.users (id, email, encrypted_password, raw_user_meta_data) values ($1, $2, $3, $4)
             returning id, email`,
            [randomUUID(), inv.email, await hashPassword(body.password), { name: body.name ?? null }],
          )
        ).rows[0]
      }
      await db.query(
        `insert into tenant_members (tenant_id, user_id, role, display_name) values ($1, $2, $3, $4)
         on conflict (tenant_id, user_id) do nothing`,
        [inv.tenant_id, user.id, inv.role, body.name ?? inv.email.split('@')[0]],
      )
      await db.query('update invitations set accepted_by = $2 where id = $1', [inv.id, user.id])
      return { user: { id: user.id as string, email: user.email as string }, tenant_id: inv.tenant_id }
    })
    if (!result) throw badRequest('invalid_token', 'token: this invitation link is invalid, used or expired.')
    return c.json({ ...(await signedIn(c, result.user)), tenant_id: result.tenant_id })
  },
)

const resetSchema = z.object({ email }).strict()

/**
 * Always 204, whether or not the address has an account (nothing to learn from the answer); the
 * link goes by e-mail only, after the response, so the timing says nothing either.
 */
account.post(
  '/auth/password-reset',
  jsonBody(resetSchema),
  limited((b) => `reset|${b.email}`),
  async (c) => {
    const { email: address } = c.get('body') as z.infer<typeof resetSchema>
    const { pool, config, log } = c.var.deps
    const { token: secret, hash } = newOneTimeToken()
    const work = (async () => {
      const { rows } = await pool.query(
        `insert into password_reset_tokens (user_id, token_hash, expires_at)
         select id, $2, now() + make_interval(mins => $3) from auth.users where lower(email) = $1
         returning user_id`,
        [address, hash, config.PASSWORD_RESET_TTL_MINUTES],
      )
      if (!rows[0]) return
      await sendMail(
        { config, log },
        {
          to: address,
          subject: 'Reset your Parley password',
          text: `Someone (hopefully you) asked to reset the password of this address on Parley.\n\nChoose a new password (the link works once, for ${config.PASSWORD_RESET_TTL_MINUTES} minutes):\n${consoleLink(config, 'reset-password', secret)}\n\nIf it was not you, ignore this e-mail: your password stays as it is.`,
        },
      )
    })().catch((err) => log.warn('password reset failed', { err: String(err) }))
    // Tests (and a graceful shutdown) can wait for it; the visitor of the route never does.
    pendingResets.add(work)
    void work.finally(() => pendingResets.delete(work))
    return c.body(null, 204)
  },
)

const pendingResets = new Set<Promise<unknown>>()
/** Resolves when the reset requests already answered have done their work (tests). */
export const resetsSettled = () => Promise.all([...pendingResets])

const confirmSchema = z.object({ token, password }).strict()

account.post(
  '/auth/password-reset/confirm',
  jsonBody(confirmSchema),
  limited(() => 'reset-confirm'),
  async (c) => {
    const body = c.get('body') as z.infer<typeof confirmSchema>
    const passwordHash = await hashPassword(body.password)
    const user = await withTx(c.var.deps.pool, async (db) => {
      const row = (
        await db.query(
          `update password_reset_tokens set used_at = now()
            where token_hash = $1 and used_at is null and expires_at > now() returning user_id`,
          [tokenHash(body.token)],
        )
      ).rows[0]
      if (!row) return null
      // Every other outstanding link of the user dies with this one.
      await db.query(
        `update password_reset_tokens set used_at = now() where user_id = $1 and used_at is null`,
        [row.user_id],
      )
      return (
        await db.query(
          `update auth.users set encrypted_password = $2, updated_at = now() where id = $1 returning id, email`,
          [row.user_id, passwordHash],
        )
      ).rows[0]
    })
    if (!user) throw badRequest('invalid_token', 'token: this reset link is invalid, used or expired.')
    return c.json(await signedIn(c, user))
  },
)

const changeSchema = z.object({ current_password: z.string().min(1).max(200), password }).strict()

account.put(
  '/me/password',
  requireUser,
  jsonBody(changeSchema),
  limited(() => 'change-password'),
  async (c) => {
    if (c.var.user.api_key) throw unauthorized('Sign in as a person to change a password.')
    const body = c.get('body') as z.infer<typeof changeSchema>
    const { pool } = c.var.deps
    const user = (
      await pool.query('select id, encrypted_password from auth.users where id = $1', [c.var.user.sub])
    ).rows[0]
    if (!(await verifyPassword(body.current_password, user?.encrypted_password)))
      throw badRequest('wrong_password', 'current_password: this is not your current password.')
    await withTx(pool, async (db) => {
      await db.query('update auth.users set encrypted_password = $2, updated_at = now() where id = $1', [
        user.id,
        await hashPassword(body.password),
      ])
      await db.query(
        `update password_reset_tokens set used_at = now() where user_id = $1 and used_at is null`,
        [user.id],
      )
    })
    return c.body(null, 204)
  },
)

/** Set-up is open while no user exists at all, outside demo mode (whose seed has its users). */
async function setupNeeded(c: Context<AppEnv>, db = c.var.deps.pool) {
  if (c.var.deps.config.DEMO) return false
  const { rows } = await db.query('select not exists (select 1 from auth.users) as needed')
  return rows[0].needed as boolean
}

account.get('/auth/setup', async (c) => c.json({ needed: await setupNeeded(c) }))

const setupSchema = z.object({ email, password, name: text(100), tenant_name: text(200) }).strict()

/**
 * The first run: creates the first owner, their tenant and a first bot with its widget. Refused (409)
 * once any user exists; two concurrent set-ups serialise on one lock and the second is refused.
 */
account.post(
  '/auth/setup',
  jsonBody(setupSchema),
  limited(() => 'setup'),
  async (c) => {
    const body = c.get('body') as z.infer<typeof setupSchema>
    if (c.var.deps.config.DEMO) throw conflict('Set-up is not available in demo mode.')
    const passwordHash = await hashPassword(body.password)
    const created = await withTx(c.var.deps.pool, async (db) => {
      await db.query(`select pg_advisory_xact_lock(hashtext('parley.setup'))`)
      if ((await db.query('select 1 from auth.users limit 1')).rows[0]) return null
      const userId = randomUUID()
      const tenantId = randomUUID()
      await db.query(
        `insert into auth.users (id, email, encrypted_password, raw_user_meta_data) values ($1, $2, $3, $4)`,
        [userId, body.email, passwordHash, { name: body.name }],
      )
      await db.query(`insert into tenants (id, name, slug) values ($1, $2, $3)`, [
        tenantId,
        body.tenant_name,
        slugOf(body.tenant_name),
      ])
      await db.query(
        `insert into tenant_members (tenant_id, user_id, role, display_name, availability) values ($1, $2, 'owner', $3, 'online')`,
        [tenantId, userId, body.name],
      )
      const bot = (
        await db.query(`insert into bots (tenant_id, name) values ($1, 'Assistant') returning id`, [tenantId])
      ).rows[0]
      await db.query(`insert into widget_configs (tenant_id, bot_id, publishable_key) values ($1, $2, $3)`, [
        tenantId,
        bot.id,
        'pk_' + randomBytes(16).toString('hex'),
      ])
      return { user: { id: userId, email: body.email }, tenant_id: tenantId }
    })
    if (!created) throw conflict('Set-up is done: an account already exists. Sign in instead.')
    return c.json({ ...(await signedIn(c, created.user)), tenant_id: created.tenant_id }, 201)
  },
)

/** A slug from a name ("Ma Boutique!" -> "ma-boutique-3f2a"), unique enough for a first tenant. */
function slugOf(name: string) {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
  return `${base || 'team'}-${randomBytes(2).toString('hex')}`
}
