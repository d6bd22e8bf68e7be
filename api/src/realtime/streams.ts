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
 * Every open SSE stream registers here so a shutdown can end them all with a final event instead of
 * cutting the sockets; it also counts streams per owner, per IP and in all (429 stream_limit over a
 * cap), and re-checks every stream's credential on demand (a key revoked, a member removed).
 */
export class StreamRegistry {
  private closers = new Set<(reason: EndReason) => Promise<void>>()
  private counts = new Map<string, number>()
  private checks = new Set<() => Promise<void>>()
  closing = false

  /**
   * Takes a slot for a new stream, or throws 429 stream_limit naming the cap that is reached. Call the
   * result when the stream ends.
   */
  reserve(slot: StreamSlot, caps: StreamCaps): () => void {
    const keys: [string, number, string][] = [
      [`owner:${slot.owner}`, caps.perOwner, 'for this session or account'],
      ...(slot.ip ? [[`ip:${slot.ip}`, caps.perIp, 'from this address'] as [string, number, string]] : []),
      ['*', caps.max, 'on this server'],
    ]
    for (const [key, cap, where] of keys) {
      if ((this.counts.get(key) ?? 0) >= cap)
        throw new ApiError(
          429,
          'stream_limit',
          `Too many open event streams ${where} (at most ${cap}); close one and retry.`,
          { 'Retry-After': '5' },
        )
    }
    for (const [key] of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      for (const [key] of keys) {
        const n = (this.counts.get(key) ?? 1) - 1
        if (n <= 0) this.counts.delete(key)
        else this.counts.set(key, n)
      }
    }
  }

  /** Registers a stream's credential check; {@link recheck} runs them all. */
  watch(check: () => Promise<void>): () => void {
    this.checks.add(check)
    return () => this.checks.delete(check)
  }

  /**
   * Re-checks every open stream's credential now: call it when a credential stops being valid (an API
   * key revoked, a member removed) so streams are cut at once rather than at their next timer.
   */
  async recheck(): Promise<void> {
    await Promise.all([...this.checks].map((check) => check().catch(() => {})))
  }

  add(close: (reason: EndReason) => Promise<void>): () => void {
    this.closers.add(close)
    return () => this.closers.delete(close)
  }

  get size() {
    return this.closers.size
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
    const all = [...this.closers].map((c) => c('server_shutdown').catch(() => {}))
    const count = all.length
    await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, graceMs).unref())])
    return count
  }

  /**
   * Ends every open stream with `event: bye` (reason "resync"): notifications were lost while the
   * LISTEN connection was down, and each client reconnects with Last-Event-ID and reads what it missed.
   */
  resync(): number {
    const all = [...this.closers]
    for (const c of all) void c('resync').catch(() => {})
    return all.length
  }
}
