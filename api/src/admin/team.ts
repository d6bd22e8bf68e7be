import { Hono } from 'hono'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { ADMINS, type Role } from '../auth/roles'
import { requireUser } from '../auth/middleware'
import { consoleLink, newOneTimeToken, sendMail } from '../auth/one-time'
import type { Queryable } from '../db/tx'
import type { AppEnv } from '../deps'
import { conflict, forbidden, notFound } from '../errors'
import { jsonBody, uuidRe } from '../http/validate'
import { publish } from '../realtime/bus'

/**
 * The team of a tenant: invitations (a one-time link, shown once and e-mailed when SMTP is set) and
 * the members' roles and capacity. Owners and admins manage it; only owners touch owners, and a
 * tenant always keeps one owner.
 */
export const team = new Hono<AppEnv>()
team.use('/tenants/:t/invitations', requireUser)
team.use('/tenants/:t/invitations/*', requireUser)
team.use('/tenants/:t/members/:id', requireUser)
team.use('/tenants/:t/webhook/deliveries', requireUser)

const INVITATION =
  'id, tenant_id, email, role, expires_at, accepted_at, revoked_at, invited_by, sent_count, last_sent_at, created_at'

/** People invite people: a key cannot add members. */
function humansOnly(c: { var: AppEnv['Variables'] }) {
  if (c.var.user.api_key)
    throw forbidden('Teammates are invited by signed-in owners and admins, not by keys.')
}

team.get('/tenants/:t/invitations', async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const invitations = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select ${INVITATION}, expires_at <= now() as expired from invitations
            where tenant_id = $1 and accepted_at is null and revoked_at is null order by created_at desc`,
          [t],
        )
      ).rows,
    ADMINS,
  )
  return c.json({ invitations })
})

const inviteSchema = z
  .object({
    email: z.string().trim().toLowerCase().email('must be an e-mail address').max(320),
    role: z.enum(['admin', 'agent']),
  })
  .strict()

async function mailInvitation(
  c: { var: AppEnv['Variables'] },
  tenantId: string,
  to: string,
  role: string,
  url: string,
) {
  const { pool, config, log } = c.var.deps
  const tenant = (await pool.query('select name from tenants where id = $1', [tenantId])).rows[0]
  return sendMail(
    { config, log },
    {
      to,
      subject: `You are invited to ${tenant?.name ?? 'a team'} on Parley`,
      text: `You have been invited to join ${tenant?.name ?? 'a team'} as ${role === 'admin' ? 'an admin' : 'an agent'}.\n\nAccept the invitation (the link works once, for ${config.INVITATION_TTL_HOURS} hours):\n${url}\n\nIf you did not expect this e-mail, ignore it.`,
    },
  )
}

/** Invites an address; the accept link is in this response only (and in the e-mail). */
team.post('/tenants/:t/invitations', jsonBody(inviteSchema), async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof inviteSchema>
  const { token, hash } = newOneTimeToken()
  const ttl = c.var.deps.config.INVITATION_TTL_HOURS
  const invitation = await asMember(
    c,
    t,
    async (db) => {
      // An expired invitation no longer blocks a new one for the same address.
      await db.query(
        `update invitations set revoked_at = now()
          where tenant_id = $1 and lower(email) = $2 and accepted_at is null and revoked_at is null and expires_at <= now()`,
        [t, body.email],
      )
      const open = await db.query(
        `select 1 from invitations where tenant_id = $1 and lower(email) = $2 and accepted_at is null and revoked_at is null`,
        [t, body.email],
      )
      if (open.rows[0])
        throw conflict('email: this address already has a pending invitation; resend it instead.')
      return (
        await db.query(
          `insert into invitations (tenant_id, email, role, token_hash, expires_at, invited_by)
           values ($1, $2, $3, $4, now() + make_interval(hours => $5), auth.uid()) returning ${INVITATION}`,
          [t, body.email, body.role, hash, ttl],
        )
      ).rows[0]
    },
    ADMINS,
  )
  const accept_url = consoleLink(c.var.deps.config, 'accept-invitation', token, new URL(c.req.url).origin)
  const emailed = await mailInvitation(c, t, invitation.email, invitation.role, accept_url)
  return c.json({ invitation, accept_url, emailed }, 201)
})

/** A new link for a pending invitation (the old link stops working) and a fresh expiry. */
team.post('/tenants/:t/invitations/:id/resend', async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Invitation')
  const { token, hash } = newOneTimeToken()
  const ttl = c.var.deps.config.INVITATION_TTL_HOURS
  const invitation = await asMember(
    c,
    t,
    async (db) => {
      const { rows } = await db.query(
        `update invitations set token_hash = $3, expires_at = now() + make_interval(hours => $4),
                sent_count = sent_count + 1, last_sent_at = now()
          where id = $1 and tenant_id = $2 and accepted_at is null and revoked_at is null
          returning ${INVITATION}`,
        [id, t, hash, ttl],
      )
      if (!rows[0]) throw notFound('Invitation')
      return rows[0]
    },
    ADMINS,
  )
  const accept_url = consoleLink(c.var.deps.config, 'accept-invitation', token, new URL(c.req.url).origin)
  const emailed = await mailInvitation(c, t, invitation.email, invitation.role, accept_url)
  return c.json({ invitation, accept_url, emailed })
})

team.delete('/tenants/:t/invitations/:id', async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Invitation')
  await asMember(
    c,
    t,
    async (db) => {
      const { rowCount } = await db.query(
        `update invitations set revoked_at = now() where id = $1 and tenant_id = $2 and accepted_at is null and revoked_at is null`,
        [id, t],
      )
      if (!rowCount) throw notFound('Invitation')
    },
    ADMINS,
  )
  return c.body(null, 204)
})

const MEMBER = 'user_id, display_name as name, role, availability, capacity'
const memberPatch = z
  .object({
    role: z.enum(['owner', 'admin', 'agent']).optional(),
    capacity: z.number().int().min(0).max(100).optional(),
    availability: z.enum(['online', 'away', 'offline']).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'send role, capacity or availability')

/**
 * Locks the tenant's owner list for this transaction and reads the target member. Only owners touch
 * an owner or make one; nobody removes or demotes the last owner.
 */
async function guardMember(db: Queryable, t: string, userId: string, actor: Role, newRole?: string) {
  await db.query(`select pg_advisory_xact_lock(hashtext('parley.tenant-owners:' || $1))`, [t])
  const target = (
    await db.query(`select ${MEMBER} from tenant_members where tenant_id = $1 and user_id = $2`, [t, userId])
  ).rows[0]
  if (!target) throw notFound('Member')
  if ((target.role === 'owner' || newRole === 'owner') && actor !== 'owner')
    throw forbidden('Only an owner can change an owner or make someone an owner.')
  if (target.role === 'owner' && newRole !== 'owner') {
    const owners = await db.query(
      `select count(*)::int as n from tenant_members where tenant_id = $1 and role = 'owner'`,
      [t],
    )
    if (owners.rows[0].n <= 1)
      throw conflict('role: this is the last owner; make someone else an owner first.')
  }
  return target
}

team.patch('/tenants/:t/members/:id', jsonBody(memberPatch), async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const id = c.req.param('id')
  const body = c.get('body') as z.infer<typeof memberPatch>
  if (!uuidRe.test(id)) throw notFound('Member')
  const member = await asMember(
    c,
    t,
    async (db, actor) => {
      const target = await guardMember(db, t, id, actor, body.role ?? undefined)
      const { rows } = await db.query(
        `update tenant_members set role = coalesce($3, role), capacity = coalesce($4, capacity),
                availability = coalesce($5, availability)
          where tenant_id = $1 and user_id = $2 returning ${MEMBER}`,
        [t, id, body.role ?? null, body.capacity ?? null, body.availability ?? null],
      )
      if (body.role && body.role !== target.role) await membershipChanged(db, t)
      return rows[0]
    },
    ADMINS,
  )
  return c.json({ member })
})

/** Removes a member: their next request is refused and their live streams end now. */
team.delete('/tenants/:t/members/:id', async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Member')
  await asMember(
    c,
    t,
    async (db, actor) => {
      await guardMember(db, t, id, actor)
      await db.query(`delete from tenant_members where tenant_id = $1 and user_id = $2`, [t, id])
      // Sessions they held go back to the queue rather than waiting on someone who left.
      await db.query(
        `update chatbot_sessions set assignee_id = null where tenant_id = $1 and assignee_id = $2 and status <> 'resolved'`,
        [t, id],
      )
      await membershipChanged(db, t)
    },
    ADMINS,
  )
  // Every open stream re-checks its credential now: the removed member's ones end at once.
  void c.var.deps.streams.recheck()
  return c.body(null, 204)
})

const NO_SESSION = '00000000-0000-0000-0000-000000000000'

/**
 * Wakes every open inbox stream of the tenant (on commit): each re-reads its member's membership
 * before sending anything, so a removed member's stream is revoked at once, not at the next visitor
 * message. The event names no session, so the streams that stay have nothing to send.
 */
function membershipChanged(db: Queryable, t: string) {
  return publish(db, { tenant_id: t, session_id: NO_SESSION, kind: 'status' })
}

/** The latest webhook deliveries (status, HTTP status, error), for the Settings page. */
team.get('/tenants/:t/webhook/deliveries', async (c) => {
  const t = c.req.param('t')
  const deliveries = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select id, event, status, attempts, last_status, last_error, delivered_at, created_at
             from webhook_deliveries where tenant_id = $1 order by created_at desc limit 20`,
          [t],
        )
      ).rows,
    ADMINS,
  )
  return c.json({ deliveries })
})
