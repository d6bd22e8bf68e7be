/**
 * Escalation notifications: a JSON POST to the tenant's URL, signed with HMAC-SHA256 and retried with
 * backoff. The HTTP client is injected, so production passes the SSRF-guarded one and tests a local one.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import type { Queryable } from '../db/tx'

/** Seconds a signed timestamp stays acceptable to {@link verifyWebhook}: bounds replays. */
export const WEBHOOK_TOLERANCE_SECONDS = 300

/**
 * The signature header's value: `sha256=` and the hex HMAC-SHA256 of `${timestamp}.${body}` under
 * the tenant's secret. Signing the timestamp with the body stops a captured request being replayed
 * later with a fresh timestamp.
 */
export function signWebhook(secret: string, timestamp: number | string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`
}

export interface VerifyOptions {
  /** Now, in seconds since the epoch (tests); defaults to the clock. */
  now?: number
  /** Oldest (and furthest in the future) timestamp accepted, in seconds; 0 turns the check off. */
  toleranceSeconds?: number
}

/**
 * True when `signature` is {@link signWebhook}'s value for this body and timestamp, compared in
 * constant time, and the timestamp is within the tolerance. What a tenant's receiver should run.
 */
export function verifyWebhook(
  secret: string,
  timestamp: number | string,
  body: string,
  signature: string | null | undefined,
  opts: VerifyOptions = {},
): boolean {
  if (!signature) return false
  const tolerance = opts.toleranceSeconds ?? WEBHOOK_TOLERANCE_SECONDS
  if (tolerance > 0) {
    const ts = Number(timestamp)
    const now = opts.now ?? Math.floor(Date.now() / 1000)
    if (!Number.isFinite(ts) || Math.abs(now - ts) > tolerance) return false
  }
  const expected = Buffer.from(signWebhook(secret, timestamp, body))
  const given = Buffer.from(signature)
  // timingSafeEqual throws on different lengths; a length mismatch is a plain "no".
  return given.length === expected.length && timingSafeEqual(given, expected)
}

/** The injected HTTP client: the SSRF-guarded fetch in production. */
export type WebhookFetch = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string },
) => Promise<{ status: number; headers: Record<string, string> }>

export interface DeliverOptions {
  url: string
  secret: string
  /** Event name, e.g. "escalation.created"; sent as x-parley-event and in the body. */
  event: string
  payload: unknown
  fetch: WebhookFetch
  /** Tries in all, the first included. */
  attempts?: number
  /** First retry waits about this long; each further retry doubles it (with jitter). */
  baseDelayMs?: number
  /** Longest wait between tries, Retry-After included. */
  maxDelayMs?: number
  /** One try gives up after this long (the request may linger; its answer is then ignored). */
  timeoutMs?: number
  sleep?: (ms: number) => Promise<void>
  /** Jitter source in [0, 1); injectable for deterministic tests. */
  random?: () => number
  /** Reuse a delivery id (re-sending an old event): receivers dedupe on it. */
  deliveryId?: string
  /** Errors not worth retrying (a URL the SSRF guard refuses, say); by default those marked `permanent`. */
  isPermanentError?: (err: unknown) => boolean
}

export interface DeliveryResult {
  delivered: boolean
  attempts: number
  delivery_id: string
  /** The last HTTP status received, if any. */
  status?: number
  /** Why the last try failed. */
  error?: string
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const defaultPermanent = (err: unknown) => (err as { permanent?: unknown } | null)?.permanent === true

/** Retry-After in milliseconds (delta-seconds or an HTTP date), or null. */
function retryAfterMs(headers: Record<string, string>, now = Date.now()): number | null {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === 'retry-after')
  const value = key ? headers[key]?.trim() : undefined
  if (!value) return null
  if (/^\d+$/.test(value)) return Number(value) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

/** Network trouble, 408, 429 and 5xx are worth another try; any other answer is final. */
const retryable = (status: number) => status === 408 || status === 429 || status >= 500

/**
 * POSTs `{ id, event, created_at, data }` to the tenant's URL with the headers x-parley-signature,
 * x-parley-timestamp, x-parley-event and x-parley-delivery. The delivery id is the same on every try
 * so the receiver can drop duplicates; the timestamp and signature are fresh on each try so a slow
 * retry still passes the receiver's freshness check. Retries network errors, 408, 429 and 5xx with
 * exponential backoff and jitter, honouring Retry-After up to `maxDelayMs`; never throws.
 */
export async function deliverWebhook(opts: DeliverOptions): Promise<DeliveryResult> {
  const attempts = Math.max(1, opts.attempts ?? 5)
  const baseDelay = opts.baseDelayMs ?? 500
  const maxDelay = opts.maxDelayMs ?? 60_000
  const timeoutMs = opts.timeoutMs ?? 10_000
  const sleep = opts.sleep ?? defaultSleep
  const random = opts.random ?? Math.random
  const isPermanent = opts.isPermanentError ?? defaultPermanent
  const deliveryId = opts.deliveryId ?? randomUUID()
  const body = JSON.stringify({
    id: deliveryId,
    event: opts.event,
    created_at: new Date().toISOString(),
    data: opts.payload,
  })

  let status: number | undefined
  let error: string | undefined
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const timestamp = String(Math.floor(Date.now() / 1000))
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Parley-Webhook/1',
      'x-parley-signature': signWebhook(opts.secret, timestamp, body),
      'x-parley-timestamp': timestamp,
      'x-parley-event': opts.event,
      'x-parley-delivery': deliveryId,
    }
    let wait: number | null = null
    let timer: NodeJS.Timeout | undefined
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)
      })
      const res = await Promise.race([opts.fetch(opts.url, { method: 'POST', headers, body }), timeout])
      status = res.status
      if (status >= 200 && status < 300)
        return { delivered: true, attempts: attempt, delivery_id: deliveryId, status }
      error = `HTTP ${status}`
      if (!retryable(status))
        return { delivered: false, attempts: attempt, delivery_id: deliveryId, status, error }
      wait = retryAfterMs(res.headers ?? {})
    } catch (err) {
      status = undefined
      error = err instanceof Error ? err.message : String(err)
      if (isPermanent(err)) return { delivered: false, attempts: attempt, delivery_id: deliveryId, error }
    } finally {
      clearTimeout(timer)
    }
    if (attempt < attempts) {
      // Jitter between half and all of the exponential step, so many failed receivers recovering
      // at once are not hit by every tenant's retry in the same instant.
      const backoff = Math.min(maxDelay, baseDelay * 2 ** (attempt - 1)) * (0.5 + random() * 0.5)
      await sleep(Math.round(Math.min(maxDelay, Math.max(backoff, wait ?? 0))))
    }
  }
  return {
    delivered: false,
    attempts,
    delivery_id: deliveryId,
    ...(status !== undefined && { status }),
    error,
  }
}

/** Queues a webhook delivery (outbox) when the tenant has an active endpoint for this event. */
export async function queueWebhook(
  db: Queryable,
  tenantId: string,
  event: string,
  data: Record<string, unknown>,
) {
  await db.query(
    `insert into webhook_deliveries (tenant_id, event, payload)
     select tenant_id, $2, $3 from tenant_webhooks where tenant_id = $1 and is_active and $2 = any(events)`,
    [tenantId, event, JSON.stringify(data)],
  )
}
