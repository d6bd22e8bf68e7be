import type { Queryable } from '../db/tx'
import { ApiError } from '../errors'

/** Why a stream is ended by the server: shutdown, or live delivery lost events and the client must catch up. */
export type EndReason = 'server_shutdown' | 'resync'

/** Caps on open streams (config: STREAMS_PER_SESSION, STREAMS_PER_IP, STREAMS_MAX). */
export interface StreamCaps {
  /** Per visitor session, or per console principal (member or API key). */
  perOwner: number
  /** Per client IP (anonymous widget traffic). */
  perIp: number
  /** Per process. */
  max: number
}

/** What a new stream counts against: its owner (a session or a principal) and, for visitors, its IP. */
export interface StreamSlot {
  owner: string
  ip?: string
}

/**
 * Checks many credentials of one kind in one query: the result says, for each key in order, whether it
 * is still valid. See credentials.ts.
 */
export type BatchCheck<K> = (db: Queryable, keys: K[]) => Promise<boolean[]>

/** The credential a stream was opened with: its kind (the batch check) and what identifies it. */
export interface StreamCredential<K = unknown> {
  check: BatchCheck<K>
  key: K
}

/** An open stream as the registry's sweep sees it (sse.ts). */
export interface SweptStream {
  readonly credential: StreamCredential
  /** When the credential expires by itself (ms since the epoch), or Infinity. */
  readonly expiresAt: number
  /** When an event was last sent (idle expiry) and when anything was last written (keep-alive). */
  lastEvent: number
  lastWrite: number
  /** When the credential was last checked, or sent to be checked. */
  lastCheck: number
  isClosed(): boolean
  ping(): void
  end(event: string, reason: string): Promise<void>
}

export interface StreamTimings {
  /** Ends a stream with `bye` (reason idle) after this long without an event (STREAM_IDLE_MS). */
  idleMs: number
  /** Re-checks every stream's credential this often (STREAM_RECHECK_MS). */
  recheckMs: number
  /** A comment line after this long without a write, so proxies keep the connection. */
  pingMs?: number
}

/** At most this many credentials in one re-check query. */
const CHECK_BATCH = 1000

/**
 * Every open SSE stream registers here. One sweep per process (not timers per stream) walks them:
 * pings those quiet for a while, ends idle ones and those whose credential expired, and re-checks
 * credentials in batches (one query per kind for many streams). It also counts streams per owner, per
 * IP and in all (429 stream_limit over a cap), re-checks every credential on demand (a key revoked, a
 * member removed), and ends every stream with a final event on shutdown.
 */
export class StreamRegistry {
  private open = new Set<SweptStream>()
  private counts = new Map<string, number>()
  private sweeper: NodeJS.Timeout | undefined
  private readonly tickMs: number
  private readonly pingMs: number
  closing = false

  constructor(
    private readonly db?: Queryable,
    private readonly timings: StreamTimings = { idleMs: 30 * 60_000, recheckMs: 30_000 },
  ) {
    this.pingMs = Math.min(timings.pingMs ?? 15_000, timings.idleMs)
    // Fine enough that a token expiry or an idle limit is honoured within a second (or the shortest
    // configured period), coarse enough that walking 10,000 streams is nothing.
    this.tickMs = Math.max(50, Math.min(1000, timings.recheckMs, this.pingMs))
  }

  /**
   * Takes a slot for a new stream, or throws 429 stream_limit naming the cap that is reached. Call the
   * result when the stream ends.
   */
  reserve(slot: StreamSlot, caps: StreamCaps): () => void {
    const owner = `owner:${slot.owner}`
    const ip = slot.ip ? `ip:${slot.ip}` : undefined
    const over = (key: string, cap: number, where: string) => {
      if ((this.counts.get(key) ?? 0) >= cap)
        throw new ApiError(
          429,
          'stream_limit',
          `Too many open event streams ${where} (at most ${cap}); close one and retry.`,
          { 'Retry-After': '5' },
        )
    }
    over(owner, caps.perOwner, 'for this session or account')
    if (ip) over(ip, caps.perIp, 'from this address')
    over('*', caps.max, 'on this server')
    this.bump(owner, 1)
    if (ip) this.bump(ip, 1)
    this.bump('*', 1)
    let released = false
    return () => {
      if (released) return
      released = true
      this.bump(owner, -1)
      if (ip) this.bump(ip, -1)
      this.bump('*', -1)
    }
  }

  private bump(key: string, by: number) {
    const n = (this.counts.get(key) ?? 0) + by
    if (n <= 0) this.counts.delete(key)
    else this.counts.set(key, n)
  }

  /** Registers an open stream with the sweep; {@link remove} when it ends. */
  add(stream: SweptStream): void {
    this.open.add(stream)
    if (!this.sweeper) {
      this.sweeper = setInterval(() => this.sweep(), this.tickMs)
      this.sweeper.unref?.()
    }
  }

  remove(stream: SweptStream): void {
    this.open.delete(stream)
    if (!this.open.size && this.sweeper) {
      clearInterval(this.sweeper)
      this.sweeper = undefined
    }
  }

  get size() {
    return this.open.size
  }

  /** One pass over the open streams (the sweep's tick; exported for tests). */
  sweep(now = Date.now()): void {
    const due: SweptStream[] = []
    for (const s of this.open) {
      if (s.isClosed()) continue
      if (s.expiresAt <= now) void s.end('revoked', 'credential_expired')
      else if (now - s.lastEvent >= this.timings.idleMs) void s.end('bye', 'idle')
      else {
        if (now - s.lastWrite >= this.pingMs) s.ping()
        if (now - s.lastCheck >= this.timings.recheckMs) due.push(s)
      }
    }
    if (due.length) void this.check(due, now)
  }

  /**
   * Re-checks every open stream's credential now: call it when a credential stops being valid (an API
   * key revoked, a member removed) so streams are cut at once rather than at the next sweep.
   */
  async recheck(): Promise<void> {
    await this.check([...this.open], Date.now())
  }

  /** Checks the streams' credentials, one query per kind and per CHECK_BATCH, and ends the invalid ones. */
  private async check(streams: SweptStream[], now: number): Promise<void> {
    const byKind = new Map<BatchCheck<unknown>, SweptStream[]>()
    for (const s of streams) {
      if (s.isClosed()) continue
      s.lastCheck = now
      const kind = s.credential.check
      const list = byKind.get(kind)
      if (list) list.push(s)
      else byKind.set(kind, [s])
    }
    const work: Promise<void>[] = []
    for (const [check, list] of byKind)
      for (let i = 0; i < list.length; i += CHECK_BATCH) {
        const batch = list.slice(i, i + CHECK_BATCH)
        work.push(
          (this.db
            ? check(
                this.db,
                batch.map((s) => s.credential.key),
              )
            : Promise.reject(new Error('no database'))
          )
            // A check that fails (the database down) counts as invalid, as before: the client reconnects.
            .catch(() => batch.map(() => false))
            .then(async (valid) => {
              await Promise.all(
                batch.map((s, k) => (valid[k] ? undefined : s.end('revoked', 'credential_revoked'))),
              )
            }),
        )
      }
    await Promise.all(work)
  }

  private busy = 0
  private idleWaiters: (() => void)[] = []

  /** Marks a request that must finish before shutdown (a send being answered); call the result when done. */
  begin(): () => void {
    this.busy++
    let ended = false
    return () => {
      if (ended) return
      ended = true
      if (--this.busy === 0) this.idleWaiters.splice(0).forEach((w) => w())
    }
  }

  /** Resolves when no marked request is running, or after graceMs; returns how many were still running. */
  async idle(graceMs: number): Promise<number> {
    if (this.busy > 0) {
      await Promise.race([
        new Promise<void>((r) => this.idleWaiters.push(r)),
        new Promise((r) => setTimeout(r, graceMs).unref()),
      ])
    }
    return this.busy
  }

  /** Asks every stream to end; resolves when they have, or after graceMs. */
  async closeAll(graceMs: number): Promise<number> {
    this.closing = true
    const all = [...this.open].map((s) => s.end('bye', 'server_shutdown').catch(() => {}))
    const count = all.length
    await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, graceMs).unref())])
    return count
  }

  /**
   * Ends every open stream with `event: bye` (reason "resync"): notifications were lost while the
   * LISTEN connection was down, and each client reconnects with Last-Event-ID and reads what it missed.
   */
  resync(): number {
    const all = [...this.open]
    for (const s of all) void s.end('bye', 'resync').catch(() => {})
    return all.length
  }
}
