/**
 * Channels: a tenant's accounts on messaging platforms (owners and admins), and the webhook each
 * platform calls. The webhook checks the platform's signature over the raw body, stores the events
 * once each and answers at once; the channel worker does the rest (channels/worker.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { Hono } from 'hono'
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { requireUser } from '../auth/middleware'
import { ADMINS } from '../auth/roles'
import { publicUrl } from '../config'
import { withTx, type Queryable } from '../db/tx'
import type { AppEnv, Deps } from '../deps'
import { ApiError, badRequest, notFound, unauthorized } from '../errors'
import { jsonBody, uuidRe } from '../http/validate'
import {
  deleteTelegramWebhook,
  parsePayload,
  safeEqual,
  setTelegramWebhook,
  verifyMetaSignature,
  type PlatformUrls,
} from './platforms'
import {
  ACCOUNT_COLUMNS,
  accessToken,
  appSecret,
  getAccount,
  recordStatus,
  sealContext,
  sha256,
  InboundBatcher,
  storeEvents,
  type AccountRow,
  type AccountSecrets,
} from './store'

export const channels = new Hono<AppEnv>()
channels.use('/tenants/:t/channels', requireUser)
channels.use('/tenants/:t/channels/*', requireUser)

const urlsOf = (d: Deps): PlatformUrls => ({
  telegram: d.config.TELEGRAM_API_URL.replace(/\/$/, ''),
  graph: d.config.META_GRAPH_URL.replace(/\/$/, ''),
})

const webhookUrl = (d: Deps, id: string) => `${publicUrl(d.config)}/v1/channels/${id}/webhook`

/** A channel as the API returns it: ids and the webhook URL, never a secret. */
const toChannel = (d: Deps, a: AccountRow) => ({
  id: a.id,
  platform: a.platform,
  bot_id: a.bot_id,
  account_id: a.account_id,
  business_account_id: a.business_account_id,
  account_username: a.account_username,
  webhook_url: webhookUrl(d, a.id),
  is_active: a.is_active,
  created_at: a.created_at,
  updated_at: a.updated_at,
})

const uuid = z.string().regex(uuidRe, 'must be a uuid')
const numericId = z.string().regex(/^\d{1,30}$/, 'must be the numeric id the platform shows')
const token = z.string().trim().min(10).max(2000)
const appSecretField = z.string().trim().min(8).max(200)
const verifyToken = z
  .string()
  .min(8)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, 'printable characters without spaces')

const createSchema = z.discriminatedUnion('platform', [
  z
    .object({
      platform: z.literal('telegram'),
      bot_id: uuid,
      access_token: z
        .string()
        .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,100}$/, 'must be a Telegram bot token (123456:ABC...)'),
    })
    .strict(),
  z
    .object({
      platform: z.literal('whatsapp'),
      bot_id: uuid,
      account_id: numericId,
      business_account_id: numericId,
      access_token: token,
      app_secret: appSecretField,
      verify_token: verifyToken,
    })
    .strict(),
  ...(['messenger', 'instagram'] as const).map((platform) =>
    z
      .object({
        platform: z.literal(platform),
        bot_id: uuid,
        account_id: numericId,
        access_token: token,
        app_secret: appSecretField,
        verify_token: verifyToken,
      })
      .strict(),
  ),
] as [z.ZodObject<any>, ...z.ZodObject<any>[]])

type CreateBody = {
  platform: AccountRow['platform']
  bot_id: string
  access_token: string
  account_id?: string
  business_account_id?: string
  app_secret?: string
  verify_token?: string
}

const patchSchema = z
  .object({
    bot_id: uuid,
    is_active: z.boolean(),
    access_token: token,
    app_secret: appSecretField,
    verify_token: verifyToken,
    business_account_id: numericId,
  })
  .partial()
  .strict()

async function tenantAccount(db: Queryable, tenantId: string, id: string): Promise<AccountRow> {
  if (!uuidRe.test(id)) throw notFound('Channel')
  const { rows } = await db.query(
    `select ${ACCOUNT_COLUMNS} from social_accounts where id = $1 and tenant_id = $2`,
    [id, tenantId],
  )
  if (!rows[0]) throw notFound('Channel')
  return rows[0]
}

channels.get('/tenants/:t/channels', async (c) => {
  const d = c.var.deps
  const list = await asMember(
    c,
    c.req.param('t'),
    async (db) =>
      (
        await db.query(
          `select ${ACCOUNT_COLUMNS} from social_accounts where tenant_id = $1 order by created_at`,
          [c.req.param('t')],
        )
      ).rows,
    ADMINS,
  )
  return c.json({ channels: list.map((a) => toChannel(d, a)) })
})

channels.get('/tenants/:t/channels/:id', async (c) => {
  const d = c.var.deps
  const a = await asMember(
    c,
    c.req.param('t'),
    (db) => tenantAccount(db, c.req.param('t'), c.req.param('id')),
    ADMINS,
  )
  return c.json({ channel: toChannel(d, a) })
})

channels.post('/tenants/:t/channels', jsonBody(createSchema), async (c) => {
  const d = c.var.deps
  const t = c.req.param('t')
  const body = c.get('body') as CreateBody
  const id = randomUUID()
  const accountId = body.platform === 'telegram' ? body.access_token.split(':')[0]! : body.account_id!
  // Telegram: our own secret, which Telegram sends back on every update; Meta: the owner's verify token.
  const webhookSecret = body.platform === 'telegram' ? randomBytes(32).toString('hex') : body.verify_token!
  // Checked before the platform is told about the webhook: a refused request changes nothing there.
  await asMember(
    c,
    t,
    async (db) => {
      const bot = await db.query(`select 1 from bots where id = $1 and tenant_id = $2`, [body.bot_id, t])
      if (!bot.rows[0]) throw badRequest('validation_failed', 'bot_id: not a bot of this tenant')
    },
    ADMINS,
  )
  const taken = await d.pool.query(`select 1 from social_accounts where platform = $1 and account_id = $2`, [
    body.platform,
    accountId,
  ])
  if (taken.rows[0]) throw new ApiError(409, 'conflict', 'This account is already connected.')
  if (body.platform === 'telegram') {
    try {
      await setTelegramWebhook(
        urlsOf(d),
        body.access_token,
        webhookUrl(d, id),
        webhookSecret,
        d.config.CHANNEL_SEND_TIMEOUT_MS,
      )
    } catch (err) {
      throw new ApiError(
        502,
        'channel_setup_failed',
        `Telegram refused the webhook (${(err as Error).message}). Check the bot token.`,
      )
    }
  }
  const channel = await asMember(
    c,
    t,
    async (db) => {
      await db.query(
        `insert into social_accounts (id, tenant_id, bot_id, platform, account_id, business_account_id,
                access_token_enc, app_secret_enc, webhook_secret_hash)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [
          id,
          t,
          body.bot_id,
          body.platform,
          accountId,
          body.business_account_id ?? null,
          d.secrets.seal(body.access_token, sealContext(id, 'access_token')),
          body.app_secret ? d.secrets.seal(body.app_secret, sealContext(id, 'app_secret')) : null,
          sha256(webhookSecret),
        ],
      )
      return tenantAccount(db, t, id)
    },
    ADMINS,
  )
  d.log.info('channel connected', { tenant_id: t, channel: id, platform: body.platform })
  return c.json({ channel: toChannel(d, channel) }, 201)
})

channels.patch('/tenants/:t/channels/:id', jsonBody(patchSchema), async (c) => {
  const d = c.var.deps
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof patchSchema>
  const channel = await asMember(
    c,
    t,
    async (db) => {
      const a = await tenantAccount(db, t, c.req.param('id'))
      if (a.platform === 'telegram' && (body.verify_token || body.app_secret || body.business_account_id))
        throw badRequest(
          'validation_failed',
          'A Telegram channel has only bot_id, is_active and access_token.',
        )
      if (body.access_token && a.platform === 'telegram' && body.access_token.split(':')[0] !== a.account_id)
        throw badRequest(
          'validation_failed',
          'access_token: a token of another bot (connect it as a new channel).',
        )
      if (body.bot_id) {
        const bot = await db.query(`select 1 from bots where id = $1 and tenant_id = $2`, [body.bot_id, t])
        if (!bot.rows[0]) throw badRequest('validation_failed', 'bot_id: not a bot of this tenant')
      }
      // Only the fields given are written: a member may not read the sealed columns, even in a SET.
      const fields: [string, unknown][] = [
        ['bot_id', body.bot_id],
        ['is_active', body.is_active],
        [
          'access_token_enc',
          body.access_token && d.secrets.seal(body.access_token, sealContext(a.id, 'access_token')),
        ],
        [
          'app_secret_enc',
          body.app_secret && d.secrets.seal(body.app_secret, sealContext(a.id, 'app_secret')),
        ],
        ['webhook_secret_hash', body.verify_token && sha256(body.verify_token)],
        ['business_account_id', body.business_account_id],
      ].filter(([, v]) => v !== undefined) as [string, unknown][]
      if (fields.length)
        await db.query(
          `update social_accounts set ${fields.map(([k], i) => `${k} = $${i + 2}`).join(', ')} where id = $1`,
          [a.id, ...fields.map(([, v]) => v)],
        )
      return tenantAccount(db, t, a.id)
    },
    ADMINS,
  )
  forgetAccount(channel.id)
  return c.json({ channel: toChannel(d, channel) })
})

channels.delete('/tenants/:t/channels/:id', async (c) => {
  const d = c.var.deps
  const t = c.req.param('t')
  const id = c.req.param('id')
  // The bot token (read as the API; members never read it) unregisters Telegram's webhook afterwards.
  // Read before the member's transaction: the embedded database has one connection.
  const full = uuidRe.test(id) ? await getAccount(d.pool, id) : null
  const a = await asMember(
    c,
    t,
    async (db) => {
      const a = await tenantAccount(db, t, id)
      await db.query(`delete from social_accounts where id = $1`, [a.id])
      return a
    },
    ADMINS,
  )
  forgetAccount(a.id)
  // Best effort, after the row is gone: a webhook that now answers 404 is harmless anyway.
  if (a.platform === 'telegram' && full)
    void deleteTelegramWebhook(
      urlsOf(d),
      accessToken(d.secrets, full),
      d.config.CHANNEL_SEND_TIMEOUT_MS,
    ).catch(() => {})
  return c.body(null, 204)
})

const batchers = new WeakMap<Deps, InboundBatcher>()
function batcherOf(d: Deps) {
  let b = batchers.get(d)
  if (!b) batchers.set(d, (b = new InboundBatcher(d.pool, { holdConnection: d.db.kind === 'pglite' })))
  return b
}

/** Per channel: a flood on one account's webhook is refused before any database work. */
const limiters = new WeakMap<Deps, RateLimiterMemory>()
async function limitWebhook(d: Deps, id: string) {
  let l = limiters.get(d)
  if (!l) {
    l = new RateLimiterMemory({
      keyPrefix: 'channel-webhook',
      points: d.config.CHANNEL_WEBHOOK_PER_MIN,
      duration: 60,
    })
    limiters.set(d, l)
  }
  try {
    await l.consume(id)
  } catch (res) {
    if (!(res instanceof RateLimiterRes)) throw res
    const retry = Math.max(1, Math.ceil(res.msBeforeNext / 1000))
    throw new ApiError(429, 'rate_limited', 'Too many webhook calls for this channel.', {
      'Retry-After': String(retry),
    })
  }
}

/**
 * The webhook's account, cached for a few seconds: a busy channel costs one insert per call. A change
 * made here drops the entry at once; one made by another process is seen within the TTL (and the
 * worker checks the account again before any work).
 */
const ACCOUNT_TTL_MS = 5000
const accountCache = new Map<string, { at: number; account: AccountSecrets | null }>()
const forgetAccount = (id: string) => accountCache.delete(id)

async function webhookAccount(d: Deps, id: string) {
  if (!uuidRe.test(id)) throw notFound('Channel')
  const hit = accountCache.get(id)
  let a = hit && Date.now() - hit.at < ACCOUNT_TTL_MS ? hit.account : undefined
  if (a === undefined) {
    a = await getAccount(d.pool, id)
    if (accountCache.size > 10_000) accountCache.clear()
    accountCache.set(id, { at: Date.now(), account: a })
  }
  if (!a || !a.is_active) throw notFound('Channel')
  return a
}

/** Meta's subscription handshake: the verify token the owner chose, answered with the challenge. */
channels.get('/channels/:id/webhook', async (c) => {
  const d = c.var.deps
  await limitWebhook(d, c.req.param('id'))
  const a = await webhookAccount(d, c.req.param('id'))
  if (a.platform === 'telegram') throw notFound('Channel')
  const mode = c.req.query('hub.mode')
  const given = c.req.query('hub.verify_token') ?? ''
  const challenge = c.req.query('hub.challenge') ?? ''
  if (mode !== 'subscribe' || !safeEqual(sha256(given), a.webhook_secret_hash))
    throw new ApiError(403, 'forbidden', 'The verify token does not match.')
  if (!/^[A-Za-z0-9_.-]{1,200}$/.test(challenge))
    throw badRequest('validation_failed', 'hub.challenge: missing')
  return c.text(challenge, 200)
})

channels.post('/channels/:id/webhook', async (c) => {
  const d = c.var.deps
  await limitWebhook(d, c.req.param('id'))
  const a = await webhookAccount(d, c.req.param('id'))
  const raw = new Uint8Array(await c.req.arrayBuffer())
  if (a.platform === 'telegram') {
    const given = c.req.header('x-telegram-bot-api-secret-token') ?? ''
    if (!safeEqual(sha256(given), a.webhook_secret_hash))
      throw unauthorized('The secret token does not match.')
  } else if (!verifyMetaSignature(appSecret(d.secrets, a), raw, c.req.header('x-hub-signature-256'))) {
    throw unauthorized('The X-Hub-Signature-256 signature does not match the body.')
  }
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder().decode(raw))
  } catch {
    throw badRequest('invalid_json', 'The request body is not valid JSON.')
  }
  const parsed = parsePayload(a.platform, body, a.account_id)
  // A Meta app's webhook carries every account of the app: each entry goes to its own account, when
  // that account is in this tenant; others are dropped.
  const byAccount = new Map<string, typeof parsed.messages>()
  for (const m of parsed.messages) byAccount.set(m.account_id, [...(byAccount.get(m.account_id) ?? []), m])
  let stored = 0
  const work = async (db: Queryable) => {
    for (const [platformId, messages] of byAccount) {
      const target = platformId === a.account_id ? a : await siblingAccount(db, a, platformId)
      if (target) stored += await storeEvents(db, target, messages)
    }
    for (const st of parsed.statuses) {
      const target = st.account_id === a.account_id ? a : await siblingAccount(db, a, st.account_id)
      if (target) await recordStatus(db, target.id, st)
    }
  }
  // The common case (one account's messages) is one row set in a shared insert (group commit with the
  // concurrent calls): no transaction round trips, and few statements under load.
  if (!parsed.statuses.length && [...byAccount.keys()].every((k) => k === a.account_id))
    stored = await batcherOf(d).store(a, byAccount.get(a.account_id) ?? [])
  else await withTx(d.pool, work)
  if (stored) d.channels?.kick()
  return c.json({ ok: true })
})

async function siblingAccount(db: Queryable, a: AccountRow, platformId: string) {
  const { rows } = await db.query(
    `select id, tenant_id from social_accounts where platform = $1 and account_id = $2 and tenant_id = $3 and is_active`,
    [a.platform, platformId, a.tenant_id],
  )
  return (rows[0] as { id: string; tenant_id: string } | undefined) ?? null
}
