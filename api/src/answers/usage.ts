import type pg from 'pg'
import type { Logger } from '../logger'

/** How long increments wait to be written together. */
const WINDOW_MS = 25

/**
 * knowledge_chunks.usage_count, counted off the answer's path: the chunks an answer quoted or cited are
 * added here and written a moment later, the answers of that moment in one update (ids sorted, so
 * concurrent writers lock rows in the same order). A count still waiting when the process dies is lost:
 * it is a statistic for the console, not a ledger.
 */
export class UsageCounter {
  private pending = new Map<string, number>()
  private timer: NodeJS.Timeout | undefined
  private writing: Promise<void> = Promise.resolve()

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  add(ids: string[]) {
    for (const id of ids) this.pending.set(id, (this.pending.get(id) ?? 0) + 1)
    if (this.pending.size && !this.timer) {
      this.timer = setTimeout(() => void this.flush(), WINDOW_MS)
      this.timer.unref?.()
    }
  }

  /** Writes what is waiting now (and waits for a write under way). */
  flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    const batch = [...this.pending].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    this.pending.clear()
    this.writing = this.writing.then(async () => {
      if (!batch.length) return
      await this.pool
        .query(
          `update knowledge_chunks k set usage_count = k.usage_count + c.n
             from unnest($1::uuid[], $2::int[]) as c(id, n) where k.id = c.id`,
          [batch.map(([id]) => id), batch.map(([, n]) => n)],
        )
        .catch((err) => this.log.warn('usage counts not written', { chunks: batch.length, err: String(err) }))
    })
    return this.writing
  }
}

const counters = new WeakMap<pg.Pool, UsageCounter>()

/** The process's counter for this database. */
export function usageCounter(pool: pg.Pool, log: Logger): UsageCounter {
  let c = counters.get(pool)
  if (!c) counters.set(pool, (c = new UsageCounter(pool, log)))
  return c
}
