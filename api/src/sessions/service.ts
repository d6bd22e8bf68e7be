import { createHash, randomBytes } from 'node:crypto'
import type pg from 'pg'
import type { Queryable } from '../db/tx'
import { withTx } from '../db/tx'
import { ApiError, conflict, notFound } from '../errors'
import { publish } from '../realtime/bus'
import { verifyIdentity, type IdentityInput, type Verified } from './identity'
import { getSessionRow, toSession } from '../conversations/sessions'
import { linkVerifiedSession } from '../contacts/store'

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex')

export interface WidgetRow {
  id: string
  tenant_id: string
  bot_id: string
  bot_name: string
  publishable_key: string
  allowed_origins: string[]
  theme: Record<string, unknown>
  greeting: string
  suggestions: string[]
  language: string
  business_hours: unknown
  prechat: unknown
  identity_mode: 'off' | 'optional' | 'required'
  /** Server-side only: never in a response. */
  identity_secret: string | null
}

/** The widget of a bot (for routes that start from a session rather than a publishable key). */
export async function widgetOfBot(db: Queryable, botId: string): Promise<WidgetRow> {
  const { rows } = await db.query(`select publishable_key from widget_configs where bot_id = $1`, [botId])
  if (!rows[0]) throw notFound('Widget')
  return findWidget(db, rows[0].publishable_key)
}

export async function findWidget(db: Queryable, key: string): Promise<WidgetRow> {
  const { rows } = await db.query(
    `select w.id, w.tenant_id, w.bot_id, b.name as bot_name, w.publishable_key, w.allowed_origins, w.theme,
            w.greeting, w.suggestions, w.language, w.prechat, w.identity_mode, w.identity_secret,
            coalesce(w.business_hours, t.settings->'business_hours') as business_hours
       from widget_configs w join bots b on b.id = w.bot_id join tenants t on t.id = w.tenant_id
      where w.publishable_key = $1 and b.status = 'active'`,
    [key],
  )
  if (!rows[0]) throw notFound('Publishable key')
  return rows[0]
}

export async function createSession(
  pool: pg.Pool,
  widget: WidgetRow,
  input: { visitor_id?: string; context?: Record<string, unknown>; identity?: IdentityInput },
  ttlDays: number,
) {
  const verified = await verifyIdentity(widget, input.identity)
  const token = randomBytes(32).toString('hex')
  const visitorId = input.visitor_id ?? 'v_' + randomBytes(12).toString('hex')
  // What the visitor says (context, an unproven name or e-mail) stays at the top level, as claimed;
  // only the server's verified identity is under `verified`, which no visitor input can write.
  const claimed =
    !verified && input.identity
      ? { name: input.identity.name, email: input.identity.email }
      : (verified?.claimed ?? {})
  const context = {
    ...visitorContext(input.context),
    ...dropUndefined(claimed),
    ...(verified ? identityContext(verified) : {}),
  }
  return withTx(pool, async (db) => {
    if (verified) {
      // A verified user continues their own conversation on any device: a new token for it.
      const prior = await db.query(
        `select id from chatbot_sessions where bot_id = $1 and identified_user_id = $2 order by created_at desc limit 1 for update`,
        [widget.bot_id, verified.user_id],
      )
      if (prior.rows[0]) {
        await addToken(db, prior.rows[0].id, token, ttlDays)
        await db.query(
          `update chatbot_sessions set customer_context = customer_context || $2::jsonb where id = $1`,
          [prior.rows[0].id, JSON.stringify(context)],
        )
        await linkVerifiedSession(db, { id: prior.rows[0].id, tenant_id: widget.tenant_id }, verified)
        return { session: toSession(await getSessionRow(db, prior.rows[0].id)), token }
      }
    }
    const { rows } = await db.query(
      `insert into chatbot_sessions (tenant_id, bot_id, visitor_id, identified_user_id, token_hash, token_expires_at, customer_context)
       values ($1, $2, $3, $4, $5, now() + make_interval(days => $6), $7) returning id`,
      [
        widget.tenant_id,
        widget.bot_id,
        visitorId,
        verified?.user_id ?? null,
        hashToken(token),
        ttlDays,
        context,
      ],
    )
    // A verified visitor is a contact: found by the site's user id, or made (contacts/store.ts).
    if (verified) await linkVerifiedSession(db, { id: rows[0].id, tenant_id: widget.tenant_id }, verified)
    await publish(db, { tenant_id: widget.tenant_id, session_id: rows[0].id, kind: 'created' })
    return { session: toSession(await getSessionRow(db, rows[0].id)), token }
  })
}

/** Keys of customer_context only the server writes: a visitor's context never sets them. */
export const RESERVED_CONTEXT_KEYS = ['verified', 'identity_verified', 'user_id']

/** The visitor's own context, without the keys that would pose as a verified identity. */
export function visitorContext(context: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(context ?? {}).filter(([k]) => !RESERVED_CONTEXT_KEYS.includes(k)))
}

const dropUndefined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/** The verified identity, under its own key; legacy top-level flags are cleared. */
const identityContext = (v: Verified) => ({
  verified: {
    user_id: v.user_id,
    ...(v.name ? { name: v.name } : {}),
    ...(v.email ? { email: v.email } : {}),
    ...(v.attributes ? { attributes: v.attributes } : {}),
  },
  ...(v.attributes ? { attributes: v.attributes } : {}),
  identity_verified: true,
})

async function addToken(db: Queryable, sessionId: string, token: string, ttlDays: number) {
  await db.query(
    `insert into session_tokens (token_hash, session_id, expires_at) values ($1, $2, now() + make_interval(days => $3))`,
    [hashToken(token), sessionId, ttlDays],
  )
}

/**
 * identify() after the conversation started: the anonymous session becomes the verified user's, or,
 * when that user already has a conversation, the visitor is handed a token for it. A session that
 * already belongs to another user is never re-assigned (the widget must reset first).
 */
export async function identifySession(
  pool: pg.Pool,
  session: { id: string; bot_id: string },
  widget: WidgetRow,
  identity: IdentityInput,
  ttlDays: number,
) {
  const verified = await verifyIdentity(widget, identity)
  if (!verified)
    throw new ApiError(
      400,
      'identity_unverified',
      'identify needs user_hash or user_jwt on this widget (identity verification is off or the proof is missing).',
    )
  return withTx(pool, async (db) => {
    const s = await db.query(`select identified_user_id from chatbot_sessions where id = $1 for update`, [
      session.id,
    ])
    const current = s.rows[0]?.identified_user_id as string | null
    if (current === verified.user_id) {
      await linkVerifiedSession(db, { id: session.id, tenant_id: widget.tenant_id }, verified)
      return { session: toSession(await getSessionRow(db, session.id)), token: null }
    }
    if (current)
      throw conflict(
        'This conversation belongs to another user: reset the widget before identifying someone else.',
      )
    const prior = await db.query(
      `select id from chatbot_sessions where bot_id = $1 and identified_user_id = $2 order by created_at desc limit 1`,
      [session.bot_id, verified.user_id],
    )
    if (prior.rows[0]) {
      const token = randomBytes(32).toString('hex')
      await addToken(db, prior.rows[0].id, token, ttlDays)
      await linkVerifiedSession(db, { id: prior.rows[0].id, tenant_id: widget.tenant_id }, verified)
      return { session: toSession(await getSessionRow(db, prior.rows[0].id)), token }
    }
    await linkVerifiedSession(db, { id: session.id, tenant_id: widget.tenant_id }, verified)
    await db.query(
      `update chatbot_sessions set identified_user_id = $2, customer_context = customer_context || $3::jsonb where id = $1`,
      [
        session.id,
        verified.user_id,
        JSON.stringify({ ...dropUndefined(verified.claimed ?? {}), ...identityContext(verified) }),
      ],
    )
    return { session: toSession(await getSessionRow(db, session.id)), token: null }
  })
}

/** The session a visitor token opens, or null when the token is unknown, expired or for another session. */
export async function sessionForToken(db: Queryable, sessionId: string, token: string) {
  const hash = hashToken(token)
  const { rows } = await db.query(
    `select s.id, s.tenant_id, s.bot_id, s.status, s.identified_user_id, w.allowed_origins, w.identity_mode
       from chatbot_sessions s join widget_configs w on w.bot_id = s.bot_id
      where s.id = $2 and ((s.token_hash = $1 and s.token_expires_at > now())
         or exists (select 1 from session_tokens t where t.token_hash = $1 and t.session_id = s.id and t.expires_at > now()))`,
    [hash, sessionId],
  )
  return (rows[0] ?? null) as {
    id: string
    tenant_id: string
    bot_id: string
    status: string
    identified_user_id: string | null
    allowed_origins: string[]
    identity_mode: string
  } | null
}
