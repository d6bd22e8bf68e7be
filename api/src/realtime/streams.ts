/** Why a stream is ended by the server: shutdown, or live delivery lost events and the client must catch up. */
export type EndReason = 'server_shutdown' | 'resync'

/**
 * Every open SSE stream registers here so a shutdown can end them all with a final event instead of
 * cutting the sockets.
 */
export class StreamRegistry {
  private closers = new Set<(reason: EndReason) => Promise<void>>()
  closing = false

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
