import type pg from 'pg'
import type { Config } from '../config'
import { createGuardedFetch, FetchBlocked } from '../net'
import type { Logger } from '../logger'
import { deliverWebhook, type WebhookFetch } from './webhook'

/**
 * Delivers what escalations queued: signed webhooks from the webhook_deliveries outbox (retried with
 * backoff; rows left 'delivering' by a process that died are picked up again), and an e-mail to the
 * tenant's escalation address when SMTP is configured. Every webhook goes through the SSRF guard: a
 * tenant's URL is as untrusted as a crawled one.
 */
export class Notifier {
  private running: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private stopped = false
  private readonly fetch: WebhookFetch
  private mailer: Promise<{ sendMail(m: object): Promise<unknown> } | null> | undefined

  constructor(
    private readonly d: { pool: pg.Pool; config: Config; log: Logger },
    private readonly opts: { baseDelayMs?: number; attempts?: number } = {},
  ) {
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

  start(everyMs = 5000) {
    const tick = () => {
      if (this.stopped) return
      this.kick()
      this.timer = setTimeout(tick, everyMs)
      this.timer.unref?.()
    }
    tick()
  }

  kick() {
    if (this.stopped || this.running) return
    this.running = this.deliverDue().finally(() => (this.running = undefined))
  }

  async drain() {
    while (this.running) await this.running
    await this.deliverDue()
  }

  async stop() {
    this.stopped = true
    clearTimeout(this.timer)
    await this.running
  }

  /** An escalation happened: webhooks now, and the e-mail. */
  escalated(tenantId: string, escalationId: string) {
    this.kick()
    void this.email(tenantId, escalationId).catch((err) =>
      this.d.log.warn('escalation e-mail failed', { err: String(err) }),
    )
  }

  private async deliverDue() {
    try {
      for (;;) {
        const { rows } = await this.d.pool.query(
          `update webhook_deliveries d set status = 'delivering', attempts = attempts + 1
            where d.id = (select id from webhook_deliveries
                           where (status = 'pending' and next_attempt_at <= now())
                              or (status = 'delivering' and updated_at < now() - interval '10 minutes')
                           order by next_attempt_at limit 1 for update skip locked)
            returning d.id, d.tenant_id, d.event, d.payload, d.attempts`,
        )
        const job = rows[0]
        if (!job || this.stopped) return
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
    } catch (err) {
      this.d.log.error('webhook delivery loop failed', { err: String(err) })
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
