import type pg from 'pg'
import type { Config } from '../config'
import { createGuardedFetch, FetchBlocked } from '../net'
import type { Logger } from '../logger'
import { claimOne, type Queue } from '../jobs/claim'
import { Poller } from '../jobs/poller'
import { deliverWebhook, type WebhookFetch } from './webhook'

/** The webhook outbox; a delivery left 'delivering' past the lease (its process died) is picked up again. */
const DELIVERIES: Queue = {
  table: 'webhook_deliveries',
  taken: 'delivering',
  dueAt: 'next_attempt_at',
  takenAt: 'updated_at',
  lease: '10 minutes',
  orderBy: 'next_attempt_at',
  returning: 'id, tenant_id, event, payload, attempts',
}

/**
 * Delivers what escalations queued: signed webhooks from the webhook_deliveries outbox (retried with
 * backoff; rows left 'delivering' by a process that died are picked up again), and an e-mail to the
 * tenant's escalation address when SMTP is configured. Every webhook goes through the SSRF guard: a
 * tenant's URL is as untrusted as a crawled one.
 */
export class Notifier {
  private readonly poller: Poller
  private readonly fetch: WebhookFetch
  private mailer: Promise<{ sendMail(m: object): Promise<unknown> } | null> | undefined

  constructor(
    private readonly d: { pool: pg.Pool; config: Config; log: Logger },
    private readonly opts: { baseDelayMs?: number; attempts?: number; everyMs?: number } = {},
  ) {
    this.poller = new Poller(() => this.deliverDue(), opts.everyMs ?? 5000, {
      log: d.log,
      name: 'webhook delivery',
    })
    const guarded = createGuardedFetch({
      allowLoopback: d.config.FETCH_ALLOW_LOOPBACK,
      timeoutMs: 10_000,
      maxBytes: 64 * 1024,
      maxRedirects: 0,
    })
    this.fetch = async (url, init) => {
      const res = await guarded(url, { method: init.method, headers: init.headers, body: init.body })
      return { status: res.status, headers: res.headers }
    }
  }

  start() {
    this.poller.start()
  }

  /** Delivers what is due now; a webhook queued during a pass is delivered right after it. */
  kick() {
    this.poller.kick()
  }

  /** Until nothing is due (tests). */
  async drain() {
    await this.poller.settle()
  }

  async stop() {
    await this.poller.stop()
  }

  /** An escalation happened: webhooks now, and the e-mail. */
  escalated(tenantId: string, escalationId: string) {
    this.kick()
    void this.email(tenantId, escalationId).catch((err) =>
      this.d.log.warn('escalation e-mail failed', { err: String(err) }),
    )
  }

  private async deliverDue() {
    for (;;) {
      const job = await claimOne(this.d.pool, DELIVERIES)
      if (!job || this.poller.stopped) return
      const hook = (
        await this.d.pool.query(
          `select url, secret from tenant_webhooks where tenant_id = $1 and is_active`,
          [job.tenant_id],
        )
      ).rows[0]
      if (!hook) {
        await this.d.pool.query(
          `update webhook_deliveries set status = 'failed', last_error = 'webhook removed' where id = $1`,
          [job.id],
        )
        continue
      }
      const result = await deliverWebhook({
        url: hook.url,
        secret: hook.secret,
        event: job.event,
        payload: job.payload,
        fetch: this.fetch,
        deliveryId: job.id,
        attempts: this.opts.attempts ?? 5,
        baseDelayMs: this.opts.baseDelayMs ?? 1000,
        isPermanentError: (err) => err instanceof FetchBlocked,
      })
      await this.d.pool.query(
        `update webhook_deliveries set status = $2, last_status = $3, last_error = $4, delivered_at = case when $2 = 'delivered' then now() end,
                  attempts = attempts - 1 + $5
            where id = $1`,
        [
          job.id,
          result.delivered ? 'delivered' : 'failed',
          result.status ?? null,
          result.error?.slice(0, 500) ?? null,
          result.attempts,
        ],
      )
      if (!result.delivered)
        this.d.log.warn('webhook not delivered', {
          delivery: job.id,
          status: result.status,
          err: result.error,
        })
    }
  }

  private async email(tenantId: string, escalationId: string) {
    if (!this.d.config.SMTP_URL) return
    this.mailer ??= import('nodemailer')
      .then((m) => m.default.createTransport(this.d.config.SMTP_URL!) as never)
      .catch(() => null)
    const mailer = await this.mailer
    if (!mailer) return
    const { rows } = await this.d.pool.query(
      `select t.name, t.settings->>'escalation_email' as to, e.reason, e.ai_summary, e.priority, e.session_id
         from escalations e join tenants t on t.id = e.tenant_id where e.id = $1 and e.tenant_id = $2`,
      [escalationId, tenantId],
    )
    const row = rows[0]
    if (!row?.to) return
    await mailer.sendMail({
      from: this.d.config.SMTP_FROM,
      to: row.to,
      subject: `[${row.name}] A visitor needs a person (priority ${row.priority})`,
      text: `${row.reason}\n\n${row.ai_summary ?? ''}\n\nOpen the inbox: ${this.d.config.PUBLIC_URL ?? ''}/console/#/sessions/${row.session_id}`,
    })
  }
}
