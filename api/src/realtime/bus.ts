import type { Database } from '../db/database'
import type { Queryable } from '../db/tx'
import type { Logger } from '../logger'

export const CHANNEL = 'parley_events'

/** What changed; subscribers read the rows themselves, so payloads stay tiny and carry no content. */
export interface BusEvent {
  tenant_id: string
  session_id: string
  kind: 'created' | 'message' | 'status' | 'typing'
  seq?: number
  private?: boolean
  /** Typing events: who is typing (never stored). */
  from?: 'visitor' | 'agent'
  name?: string
  typing?: boolean
}

/**
 * Queues an event inside the caller's transaction: Postgres delivers NOTIFY on commit only, so nobody
 * hears of a message that was rolled back, and every API process sharing the database hears it.
 */
export async function publish(db: Queryable, event: BusEvent): Promise<void> {
  await db.query('select pg_notify($1, $2)', [CHANNEL, JSON.stringify(event)])
}

export type Subscriber = (event: BusEvent) => void

/** Fans the database's notifications out to in-process subscribers (SSE streams). */
export class Bus {
  private subscribers = new Set<Subscriber>()
  private stop?: () => Promise<void>

  constructor(private log: Logger) {}

  async start(db: Database): Promise<void> {
    this.stop = await db.listen(CHANNEL, (payload) => {
      let event: BusEvent
      try {
        event = JSON.parse(payload)
      } catch {
        this.log.warn('bus: unreadable notification', { payload })
        return
      }
      for (const fn of this.subscribers) {
        try {
          fn(event)
        } catch (err) {
          this.log.error('bus: subscriber failed', { err: String(err) })
        }
      }
    })
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn)
    return () => this.subscribers.delete(fn)
  }

  get size() {
    return this.subscribers.size
  }

  async close(): Promise<void> {
    this.subscribers.clear()
    await this.stop?.()
  }
}
