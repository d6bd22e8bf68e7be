/**
 * Every open SSE stream registers here so a shutdown can end them all with a final event instead of
 * cutting the sockets.
 */
export class StreamRegistry {
  private closers = new Set<() => Promise<void>>()
  closing = false

  add(close: () => Promise<void>): () => void {
    this.closers.add(close)
    return () => this.closers.delete(close)
  }

  get size() {
    return this.closers.size
  }

  /** Asks every stream to end; resolves when they have, or after graceMs. */
  async closeAll(graceMs: number): Promise<number> {
    this.closing = true
    const all = [...this.closers].map((c) => c().catch(() => {}))
    const count = all.length
    await Promise.race([Promise.all(all), new Promise((r) => setTimeout(r, graceMs).unref())])
    return count
  }
}
