/** The channels' SQL: accounts, the platform user's session, inbound events and delivery statuses. */
import { createHash, randomBytes } from 'node:crypto'
import type pg from 'pg'
import { withTx, type Queryable } from '../db/tx'
import { publish } from '../realtime/bus'
import type { Secrets } from '../crypto/secrets'
import { linkPlatformSession } from '../contacts/store'
import type { InboundMessage, Platform, StatusUpdate } from './platforms'

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/** Where each sealed value lives: a ciphertext opens only in its own row and column. */
export const sealContext = (accountId: string, column: 'access_token' | 'app_secret') =>
  `social_accounts.${column}:${accountId}`

/** The columns a console member may read (never the sealed secrets or the webhook secret's hash). */
export const ACCOUNT_COLUMNS = `id, tenant_id, bot_id, platform, account_id, business_account_id, account_username, is_active, created_at, updated_at`

export interface AccountRow {
  id: string
  tenant_id: string
  bot_id: string
  platform: Platform
  account_id: string
  business_account_id: string | null
  account_username: string | null
  is_active: boolean
  created_at: Date
  updated_at: Date
}

/** An account with what the worker and the webhook need (server side only). */
export interface AccountSecrets extends AccountRow {
  access_token_enc: string
  app_secret_enc: string | null
  webhook_secret_hash: string
}

export async function getAccount(db: Queryable, id: string): Promise<AccountSecrets | null> {
  const { rows } = await db.query(
    `select ${ACCOUNT_COLUMNS}, access_token_enc, app_secret_enc, webhook_secret_hash from social_accounts where id = $1`,
    [id],
  )
  return rows[0] ?? null
}

export const accessToken = (secrets: Secrets, a: AccountSecrets) =>
  secrets.open(a.access_token_enc, sealContext(a.id, 'access_token'))
export const appSecret = (secrets: Secrets, a: AccountSecrets) =>
  a.app_secret_enc ? secrets.open(a.app_secret_enc, sealContext(a.id, 'app_secret')) : ''

/** Stores inbound messages once each (a platform's retry adds nothing); returns how many were new. */
export async function storeEvents(
  db: Queryable,
  account: { id: string; tenant_id: string },
  messages: InboundMessage[],
): Promise<number> {
  if (!messages.length) return 0
  const { rowCount } = await db.query(
    `insert into channel_events (tenant_id, account_id, event_key, user_key, payload)
     select $1, $2, x.k, x.u, x.p::jsonb from unnest($3::text[], $4::text[], $5::text[]) as x(k, u, p)
     on conflict (account_id, event_key) do nothing`,
    [
      account.tenant_id,
      account.id,
      messages.map((m) => m.event_key),
      messages.map((m) => m.user.id),
      messages.map((m) => JSON.stringify(m)),
    ],
  )
  return rowCount ?? 0
}

type Pending = {
  account: { id: string; tenant_id: string }
  messages: InboundMessage[]
  resolve: (stored: number) => void
  reject: (err: unknown) => void
}

/**
 * Group commit for the webhook: the events of concurrent calls go into one insert. While one insert is
 * in flight the next calls wait in a queue, and the whole queue is the next insert, so under load the
 * statements (and commits) per second stay few, and at low load nothing waits (no timer). On the
 * embedded database, whose one connection the worker shares, this is what keeps the webhook's own
 * answer fast. Each call still learns how many of its own events were new.
 */
export class InboundBatcher {
  private queue: Pending[] = []
  private flushing = false

  /**
   * holdConnection (embedded PGlite, whose session already works as the app role): the batch takes the
   * one connection as soon as the first call arrives, so its insert is queued ahead of the workers'
   * statements (db/priority.ts) rather than behind whichever of them polls first. On a server each
   * insert is pool.query (its own short transaction as the app role).
   */
  constructor(
    private readonly pool: pg.Pool,
    private readonly o: { holdConnection?: boolean; maxRows?: number } = {},
  ) {}

  store(account: { id: string; tenant_id: string }, messages: InboundMessage[]): Promise<number> {
    if (!messages.length) return Promise.resolve(0)
    return new Promise((resolve, reject) => {
      this.queue.push({ account, messages, resolve, reject })
      if (!this.flushing) void this.flush()
    })
  }

  private async flush() {
    this.flushing = true
    let client: pg.PoolClient | undefined
    try {
      if (this.o.holdConnection) client = await this.pool.connect()
      // Calls that arrived in the same turn of the event loop join the first insert.
      await new Promise((r) => setImmediate(r))
      const db: Queryable = client ?? this.pool
      const maxRows = this.o.maxRows ?? 500
      while (this.queue.length) {
        let rows = 0
        let n = 0
        while (n < this.queue.length && (n === 0 || rows + this.queue[n]!.messages.length <= maxRows))
          rows += this.queue[n++]!.messages.length
        const batch = this.queue.splice(0, n)
        try {
          const counts = await insertEvents(db, batch)
          batch.forEach((b, i) => b.resolve(counts[i]!))
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err)
          // One call's bad row must not fail the others: each alone, so only it gets the error.
          else for (const b of batch) await insertEvents(db, [b]).then(([c]) => b.resolve(c!), b.reject)
        }
      }
    } catch (err) {
      // No connection (the server is down): every waiting call gets the error.
      for (const b of this.queue.splice(0)) b.reject(err)
    } finally {
      client?.release()
      this.flushing = false
    }
  }
}

/** One insert for several calls' events; how many of each call's events were new. */
async function insertEvents(db: Queryable, batch: Pending[]): Promise<number[]> {
  const rows = batch.flatMap((b) => b.messages.map((m) => ({ a: b.account, m })))
  const { rows: stored } = await db.query(
    `insert into channel_events (tenant_id, account_id, event_key, user_key, payload)
     select x.t, x.a, x.k, x.u, x.p::jsonb
       from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[]) as x(t, a, k, u, p)
     on conflict (account_id, event_key) do nothing
     returning account_id, event_key`,
    [
      rows.map((r) => r.a.tenant_id),
      rows.map((r) => r.a.id),
      rows.map((r) => r.m.event_key),
      rows.map((r) => r.m.user.id),
      rows.map((r) => JSON.stringify(r.m)),
    ],
  )
  // A key stored once counts for the first call that carried it (a platform retry racing its original).
  const fresh = new Set(
    stored.map((r: { account_id: string; event_key: string }) => `${r.account_id} ${r.event_key}`),
  )
  return batch.map((b) => {
    let n = 0
    for (const m of b.messages) if (fresh.delete(`${b.account.id} ${m.event_key}`)) n++
    return n
  })
}

const RANK = `case $1 when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 else 0 end`

/**
 * A delivery receipt: the messages it names (or, on Messenger and Instagram, every message sent to the
 * user up to the watermark) move forward to sent, delivered or read, never back; a failure is shown.
 */
export async function recordStatus(db: Queryable, accountId: string, st: StatusUpdate) {
  const current = `case ai_metadata->'delivery'->>'status' when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 else 0 end`
  const set = `ai_metadata = jsonb_set(ai_metadata, '{delivery}', (coalesce(ai_metadata->'delivery', '{}'::jsonb) - 'error')
    || jsonb_strip_nulls(jsonb_build_object('status', $1::text, 'error', case when $1::text = 'failed' then $4::text end)))`
  const guard = st.state === 'failed' ? 'true' : `${current} < ${RANK}`
  const { rows } = await db.query(
    `update chatbot_conversations c set ${set}
      where c.id in (select o.message_id from channel_outbox o join chatbot_sessions s on s.id = o.session_id
                      where o.account_id = $2 and o.status = 'sent'
                        and (o.platform_message_ids && $3::text[]
                             or ($5::text is not null and s.external_user_id = $5 and o.sent_at <= to_timestamp($6::double precision / 1000))))
        and ${guard}
      returning c.tenant_id, c.session_id, c.seq`,
    [st.state, accountId, st.message_ids, st.error ?? 'failed', st.user_id ?? null, st.watermark ?? null],
  )
  for (const r of rows)
    await publish(db, { tenant_id: r.tenant_id, session_id: r.session_id, kind: 'status' })
  return rows.length
}

export interface ChannelConversation {
  id: string
  tenant_id: string
  bot_id: string
  status: string
  language: string | undefined
  /** This message opened the session (the platform user's first). */
  created?: boolean
}

/**
 * The platform user's session on this account: created on their first message (one per user per
 * account), their name, phone and handle refreshed when the platform sends newer ones. The platform's
 * locale, when it gives one, is the conversation's language until the visitor's own words say more.
 */
export async function channelSession(
  pool: pg.Pool,
  account: AccountRow,
  user: InboundMessage['user'],
  languages: readonly string[],
): Promise<ChannelConversation> {
  return withTx(pool, async (db) => {
    const found = await db.query(
      `update chatbot_sessions set external_user_name = coalesce($4, external_user_name),
              external_user_phone = coalesce($5, external_user_phone), external_user_handle = coalesce($6, external_user_handle)
        where tenant_id = $1 and channel_account_id = $2 and external_user_id = $3
        returning id, tenant_id, bot_id, status, ai_context->>'language' as language, contact_id`,
      [account.tenant_id, account.id, user.id, user.name ?? null, user.phone ?? null, user.handle ?? null],
    )
    if (found.rows[0]) {
      // One contact per platform user (contacts/store.ts); sessions from before contacts get theirs now.
      const { contact_id, ...session } = found.rows[0]
      if (!contact_id) await linkPlatformSession(db, session, account.platform, user)
      return session
    }
    const language = user.language && languages.includes(user.language) ? user.language : undefined
    const inserted = await db.query(
      `insert into chatbot_sessions (tenant_id, bot_id, channel, channel_account_id, external_user_id, external_user_name,
              external_user_phone, external_user_handle, visitor_id, token_hash, token_expires_at, customer_context, ai_context)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), $11, $12)
       on conflict (tenant_id, channel_account_id, external_user_id) where channel_account_id is not null do nothing
       returning id, tenant_id, bot_id, status, ai_context->>'language' as language`,
      [
        account.tenant_id,
        account.bot_id,
        account.platform,
        account.id,
        user.id,
        user.name ?? null,
        user.phone ?? null,
        user.handle ?? null,
        `${account.platform}:${user.id}`.slice(0, 100),
        // No visitor token opens a channel session: an unguessable, already expired placeholder.
        sha256(randomBytes(32).toString('hex')),
        JSON.stringify({
          channel: account.platform,
          ...(user.name ? { name: user.name } : {}),
          ...(user.phone ? { phone: user.phone } : {}),
        }),
        JSON.stringify(language ? { language } : {}),
      ],
    )
    const row = inserted.rows[0]
    if (!row) {
      const again = await db.query(
        `select id, tenant_id, bot_id, status, ai_context->>'language' as language from chatbot_sessions
          where tenant_id = $1 and channel_account_id = $2 and external_user_id = $3`,
        [account.tenant_id, account.id, user.id],
      )
      return again.rows[0]
    }
    await linkPlatformSession(db, row, account.platform, user)
    await publish(db, { tenant_id: account.tenant_id, session_id: row.id, kind: 'created' })
    return { ...row, created: true }
  })
}

/** A platform user's profile, looked up after their first message: fills what is still unknown. */
export async function storeProfile(db: Queryable, sessionId: string, p: { name?: string; handle?: string }) {
  const { rows } = await db.query(
    `update chatbot_sessions set external_user_name = coalesce(external_user_name, $2),
            external_user_handle = coalesce(external_user_handle, $3)
      where id = $1 and ($2::text is not null or $3::text is not null)
      returning tenant_id`,
    [sessionId, p.name ?? null, p.handle ?? null],
  )
  if (rows[0]) await publish(db, { tenant_id: rows[0].tenant_id, session_id: sessionId, kind: 'status' })
}
