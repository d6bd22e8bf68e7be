/**
 * The channels' background work, on leased jobs kept in Postgres (FOR UPDATE SKIP LOCKED, so several
 * processes share the queues): inbound events become conversation turns through conversations/receive
 * (one platform user's events one at a time, in order), and the outbox's messages go out through the
 * platform's send API, retried with backoff, their delivery recorded on the message for the agents.
 */
import { createHash } from 'node:crypto'
import type { Deps } from '../deps'
import { withTx } from '../db/tx'
import { receive, type ReceiveDeps } from '../conversations/receive'
import { receiveUnreadable } from '../conversations/attachments'
import { publish } from '../realtime/bus'
import type { Secrets } from '../crypto/secrets'
import { renderForPlatform } from './format'
import { WHATSAPP_WINDOW_MS } from './outbox'
import {
  fetchProfile,
  PLACEHOLDER,
  SendError,
  sendPart,
  sendTemplate,
  type InboundMessage,
  type PlatformUrls,
} from './platforms'
import {
  accessToken,
  channelSession,
  getAccount,
  sealContext,
  storeProfile,
  type AccountSecrets,
} from './store'
import { textOnly } from './texts'
import { Poller } from '../jobs/poller'
import { claimOne, outstandingSql, type Queue } from '../jobs/claim'

/**
 * Inbound events, one platform user's at a time in order; a job whose worker has not finished within
 * the lease is taken to be dead and run again.
 */
const EVENTS: Queue = {
  table: 'channel_events',
  taken: 'processing',
  dueAt: 'run_at',
  takenAt: 'locked_at',
  lease: '5 minutes',
  orderBy: 'id',
  inOrderOf: ['account_id', 'user_key'],
  returning: 'id, account_id, payload, attempts, max_attempts',
}
/** Outgoing messages, one session's at a time in order. */
const OUTBOX: Queue = {
  table: 'channel_outbox',
  taken: 'sending',
  dueAt: 'run_at',
  takenAt: 'locked_at',
  lease: '5 minutes',
  orderBy: 'id',
  inOrderOf: ['session_id'],
  returning: 'id, account_id, session_id, message_id, attempts, platform_message_ids',
}
/**
 * Jobs of each queue worked at once by one process. Embedded PGlite has one connection: one lane each
 * (the webhook's insert is served before the lanes' queries anyway: db/priority.ts).
 */
const PARALLEL = { postgres: 4, pglite: 1 }
/** Notified at commit whenever a channel job is queued (migration 20261130000110). */
const JOBS_CHANNEL = 'parley_channel_jobs'
/** Languages the bot's texts come in (text/language.ts). */
const LANGUAGES = ['en', 'fr', 'es', 'pt'] as const

export type ChannelWorkerDeps = ReceiveDeps & Pick<Deps, 'bus' | 'db'> & { secrets: Secrets }

/** A client_message_id fits in 100 characters: longer platform ids are hashed. */
const clientId = (id: string) =>
  id.length <= 100 ? id : `h:${createHash('sha256').update(id).digest('hex')}`

export class ChannelWorker {
  private unsubscribe: (() => Promise<void>) | undefined
  private listening: Promise<unknown> | undefined
  private readonly urls: PlatformUrls
  /** One poller per queue: a busy inbound queue never holds the replies waiting to go out. */
  private readonly inbound: Poller
  private readonly outbound: Poller

  constructor(private readonly deps: ChannelWorkerDeps) {
    const d = this.d
    this.inbound = new Poller(() => this.lanes(() => this.runInbound()), d.config.WORKER_POLL_MS, {
      log: d.log,
      name: 'channel worker (inbound)',
    })
    this.outbound = new Poller(() => this.lanes(() => this.runOutbound()), d.config.WORKER_POLL_MS, {
      log: d.log,
      name: 'channel worker (outbound)',
    })
    this.urls = {
      telegram: d.config.TELEGRAM_API_URL.replace(/\/$/, ''),
      graph: d.config.META_GRAPH_URL.replace(/\/$/, ''),
    }
  }

  /**
   * The app's deps as they are now, with the background pool: on embedded PGlite the worker's queries
   * (its turns included) wait while a request's, the webhook's insert first, are queued for the one
   * connection (db/priority.ts).
   */
  private get d(): ChannelWorkerDeps {
    return { ...this.deps, pool: this.deps.db.background ?? this.deps.pool }
  }

  start() {
    // A job queued anywhere (an answer or agent reply to a platform user, a webhook's event, in this
    // process or another) notifies parley_channel_jobs at commit (migration 20261130000110): look now.
    // Widget messages queue nothing and wake nothing. After a lost LISTEN connection, look too.
    this.listening = this.d.db
      .listen(
        JOBS_CHANNEL,
        (queue) => this.kick(queue),
        () => this.kick(),
      )
      .then((stop) => (this.unsubscribe = stop))
      .catch((err) =>
        this.d.log.warn('channel worker: listen failed (the timer still polls)', { err: String(err) }),
      )
    this.inbound.start()
    this.outbound.start()
    void this.resealSecrets().catch((err) =>
      this.d.log.warn('re-sealing channel secrets failed', { err: String(err) }),
    )
  }

  /** Looks for due jobs now: in one queue (the table NOTIFY names) or both. */
  kick(queue?: string) {
    if (queue !== OUTBOX.table) this.inbound.kick()
    if (queue !== EVENTS.table) this.outbound.kick()
  }

  /**
   * Until nothing is due and nothing is being worked (tests). A pass woken by a notification may have
   * claimed a job while this one found none: it is waited for too, or a test would read a reply that
   * is still being sent.
   */
  async drain() {
    for (let i = 0; i < 50; i++) {
      await Promise.all([this.inbound.settle(), this.outbound.settle()])
      const due = await this.d.pool.query(`select ${outstandingSql(EVENTS)} + ${outstandingSql(OUTBOX)} as n`)
      if (!Number(due.rows[0].n)) return
    }
  }

  async stop() {
    await this.listening
    await this.unsubscribe?.()
    await Promise.all([this.inbound.stop(), this.outbound.stop()])
  }

  /**
   * One queue's pass: one claim first, and the other lanes open only when it found work (an empty
   * queue costs one claim); each lane works jobs until none is due.
   */
  private async lanes(fn: () => Promise<boolean>) {
    const stopped = () => this.inbound.stopped || this.outbound.stopped
    const lane = async () => {
      // Between jobs, the event loop serves what waits (the webhook's requests) before the next one.
      while (!stopped() && (await fn())) await new Promise((r) => setImmediate(r))
    }
    if (stopped() || !(await fn())) return
    await Promise.all(Array.from({ length: PARALLEL[this.d.db.kind] }, lane))
  }

  /** Claims and works one inbound event; false when none is due. */
  async runInbound(): Promise<boolean> {
    // One user's events in order: none while an earlier one of theirs waits or is being worked.
    const job = await claimOne(this.d.pool, EVENTS)
    if (!job) return false
    try {
      await this.handleInbound(job.account_id, job.payload as InboundMessage)
      await this.d.pool.query(
        `update channel_events set status = 'done', locked_at = null, last_error = null where id = $1`,
        [job.id],
      )
    } catch (err) {
      const final = job.attempts >= job.max_attempts
      const delayMs = this.d.config.CHANNEL_RETRY_BASE_MS * 2 ** (job.attempts - 1)
      await this.d.pool.query(
        `update channel_events set status = $2, last_error = $3, locked_at = null, run_at = now() + make_interval(secs => $4) where id = $1`,
        [job.id, final ? 'failed' : 'pending', String(err).slice(0, 500), delayMs / 1000],
      )
      this.d.log.warn('channel event failed', {
        event: job.id,
        attempt: job.attempts,
        final,
        err: String(err),
      })
    }
    this.kick()
    return true
  }

  /** A platform user's message: their session, then the same turn as any widget message. */
  private async handleInbound(accountId: string, m: InboundMessage) {
    const account = await getAccount(this.d.pool, accountId)
    if (!account?.is_active) return
    const session = await channelSession(this.d.pool, account, m.user, LANGUAGES)
    const conversation = { id: session.id, tenant_id: session.tenant_id, bot_id: session.bot_id }
    const client_message_id = clientId(m.message_id)
    if (m.kind === 'text' && m.text?.trim()) {
      await receive(this.d, conversation, {
        content: m.text.trim().slice(0, this.d.config.MESSAGE_MAX_CHARS),
        client_message_id,
      })
    } else {
      await receiveUnreadable(this.d, conversation, {
        client_message_id,
        kind: m.kind,
        placeholder: PLACEHOLDER[m.kind] || PLACEHOLDER.other,
        reply: textOnly,
      })
    }
    // After the answer, so a slow Graph never delays it; once per user (on their first message).
    if (
      session.created &&
      !m.user.name &&
      (account.platform === 'messenger' || account.platform === 'instagram')
    )
      await this.lookUpProfile(account, session.id, m.user.id)
  }

  /** Messenger and Instagram: the user's name from the Graph profile; a failure keeps the id and is logged. */
  private async lookUpProfile(account: AccountSecrets, sessionId: string, userId: string) {
    try {
      const profile = await fetchProfile(
        this.urls,
        { platform: account.platform, access_token: accessToken(this.d.secrets, account) },
        userId,
        this.d.config.CHANNEL_SEND_TIMEOUT_MS,
      )
      await storeProfile(this.d.pool, sessionId, profile)
    } catch (err) {
      this.d.log.warn('channel profile lookup failed', {
        channel: account.id,
        session: sessionId,
        err: (err as Error).message,
      })
    }
  }

  /** Claims and sends one outgoing message; false when none is due. */
  async runOutbound(): Promise<boolean> {
    // One session's messages in order: none while an earlier one waits or is being sent.
    const job = await claimOne(this.d.pool, OUTBOX)
    if (!job) return false
    const sentIds: string[] = [...job.platform_message_ids]
    try {
      await this.send(job, sentIds)
      await this.finish(job, 'sent', {
        status: 'sent',
        attempts: job.attempts,
        platform_message_ids: sentIds,
      })
    } catch (err) {
      const e = err instanceof SendError ? err : new SendError(String((err as Error).message ?? err), true)
      const final = !e.retryable || job.attempts >= this.d.config.CHANNEL_SEND_ATTEMPTS
      const delayMs = Math.round(
        this.d.config.CHANNEL_RETRY_BASE_MS * 2 ** (job.attempts - 1) * (0.75 + Math.random() * 0.5),
      )
      await this.finish(
        job,
        final ? 'failed' : 'pending',
        {
          status: final ? 'failed' : 'retrying',
          error: e.message,
          attempts: job.attempts,
          platform_message_ids: sentIds,
        },
        final ? 0 : delayMs,
      )
      this.d.log.warn('channel send failed', { outbox: job.id, attempt: job.attempts, final, err: e.message })
    }
    return true
  }

  private async send(
    job: { id: string; account_id: string; session_id: string; message_id: string },
    sentIds: string[],
  ) {
    const { rows } = await this.d.pool.query(
      `select m.content, m.ai_metadata->'sources' as sources, m.ai_metadata->'template' as template, s.external_user_id, s.channel,
              (select max(c.created_at) from chatbot_conversations c where c.session_id = s.id and c.message_type = 'user') as last_inbound
         from chatbot_conversations m join chatbot_sessions s on s.id = m.session_id where m.id = $1`,
      [job.message_id],
    )
    const row = rows[0]
    const account = await getAccount(this.d.pool, job.account_id)
    if (!row || !account?.is_active) throw new SendError('The channel is disconnected.', false)
    // An approved template is what WhatsApp delivers outside the window: one request, no text parts.
    if (row.template && account.platform === 'whatsapp') {
      if (sentIds.length) return
      const target = {
        platform: account.platform,
        account_id: account.account_id,
        access_token: accessToken(this.d.secrets, account),
        to: row.external_user_id,
      }
      sentIds.push(await sendTemplate(this.urls, target, row.template, this.d.config.CHANNEL_SEND_TIMEOUT_MS))
      return
    }
    if (
      account.platform === 'whatsapp' &&
      (!row.last_inbound || Date.now() - new Date(row.last_inbound).getTime() > WHATSAPP_WINDOW_MS)
    )
      throw new SendError(
        "Not sent: the customer's last WhatsApp message is more than 24 hours old, and WhatsApp then only delivers template messages.",
        false,
      )
    const parts = renderForPlatform(
      account.platform,
      row.content,
      Array.isArray(row.sources) ? row.sources : [],
    )
    const target = {
      platform: account.platform,
      account_id: account.account_id,
      access_token: accessToken(this.d.secrets, account),
      to: row.external_user_id,
    }
    // Parts sent by an earlier try are not sent again.
    for (let i = sentIds.length; i < parts.length; i++) {
      const id = await sendPart(this.urls, target, parts[i]!, this.d.config.CHANNEL_SEND_TIMEOUT_MS)
      sentIds.push(id)
      await this.d.pool.query(`update channel_outbox set platform_message_ids = $2 where id = $1`, [
        job.id,
        sentIds,
      ])
    }
  }

  /** Records the outcome on the outbox row and on the message (what the inbox shows the agent). */
  private async finish(
    job: { id: string; message_id: string },
    status: 'sent' | 'pending' | 'failed',
    delivery: Record<string, unknown>,
    delayMs = 0,
  ) {
    await withTx(this.d.pool, async (db) => {
      await db.query(
        `update channel_outbox set status = $2, locked_at = null, last_error = $3, platform_message_ids = $4,
                sent_at = case when $2 = 'sent' then now() end, run_at = now() + make_interval(secs => $5)
          where id = $1`,
        [
          job.id,
          status,
          (delivery.error as string | undefined) ?? null,
          delivery.platform_message_ids,
          delayMs / 1000,
        ],
      )
      // A receipt may have come first (delivered, read): the outcome never moves the status back.
      const { rows } = await db.query(
        `update chatbot_conversations set ai_metadata = ai_metadata || jsonb_build_object('delivery',
                  case when $3 = 'sent' and ai_metadata->'delivery'->>'status' in ('delivered', 'read')
                       then $2::jsonb || jsonb_build_object('status', ai_metadata->'delivery'->>'status') else $2::jsonb end)
          where id = $1 returning tenant_id, session_id`,
        [job.message_id, JSON.stringify(delivery), delivery.status],
      )
      if (rows[0])
        await publish(db, { tenant_id: rows[0].tenant_id, session_id: rows[0].session_id, kind: 'status' })
    })
  }

  /** Secrets sealed with an older key are sealed again with the current one (key rotation). */
  async resealSecrets() {
    const { rows } = await this.d.pool.query(
      `select id, access_token_enc, app_secret_enc from social_accounts
        where split_part(access_token_enc, ':', 2) <> $1 or split_part(coalesce(app_secret_enc, ''), ':', 2) not in ('', $1)`,
      [this.d.secrets.keyId],
    )
    const s = this.d.secrets
    let resealed = 0
    for (const r of rows) {
      try {
        const token = s.seal(
          s.open(r.access_token_enc, sealContext(r.id, 'access_token')),
          sealContext(r.id, 'access_token'),
        )
        const app = r.app_secret_enc
          ? s.seal(s.open(r.app_secret_enc, sealContext(r.id, 'app_secret')), sealContext(r.id, 'app_secret'))
          : null
        await this.d.pool.query(
          `update social_accounts set access_token_enc = $2, app_secret_enc = $3 where id = $1`,
          [r.id, token, app],
        )
        resealed++
      } catch (err) {
        // A key missing from SECRETS_ENCRYPTION_OLD_KEYS: that account's sends fail until it is added.
        this.d.log.warn('channel secret not re-sealed', { channel: r.id, err: (err as Error).message })
      }
    }
    if (resealed) this.d.log.info('channel secrets re-sealed with the current key', { accounts: resealed })
  }
}
