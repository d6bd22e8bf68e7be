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

/**
 * Fans the database's notifications out to in-process subscribers (SSE streams). When the LISTEN
 * connection comes back after a loss, the notifications sent meanwhile are gone: resync handlers run
 * (server.ts ends every open stream, and clients resume from their Last-Event-ID).
 */
export class Bus {
  /** Hear every event (console streams: a tenant's whole inbox). */
  private subscribers = new Set<Subscriber>()
  /** Hear one session's events (visitor streams): found by id, so 10,000 idle streams cost no work per event. */
  private bySession = new Map<string, Set<Subscriber>>()
  private sessionSubscribers = 0
  private resyncs = new Set<() => void>()
  private stop?: () => Promise<void>
  private db?: Database

  constructor(private log: Logger) {}

  /** False while notifications cannot arrive (the LISTEN connection is down): /readyz fails. */
  get live(): boolean {
    return this.db?.listening() ?? false
  }

  /** Runs fn after live delivery came back from an outage; returns the unsubscribe. */
  onResync(fn: () => void): () => void {
    this.resyncs.add(fn)
    return () => this.resyncs.delete(fn)
  }

  async start(db: Database): Promise<void> {
    this.db = db
    const resync = () => {
      this.log.info('bus: resync after lost notifications', { handlers: this.resyncs.size })
      for (const fn of this.resyncs) fn()
    }
    this.stop = await db.listen(
      CHANNEL,
      (payload) => {
        let event: BusEvent
        try {
          event = JSON.parse(payload)
        } catch {
          this.log.warn('bus: unreadable notification', { payload })
          return
        }
        for (const fn of this.subscribers) this.deliver(fn, event)
        const one = this.bySession.get(event.session_id)
        if (one) for (const fn of one) this.deliver(fn, event)
      },
      resync,
    )
  }

  private deliver(fn: Subscriber, event: BusEvent) {
    try {
      fn(event)
    } catch (err) {
      this.log.error('bus: subscriber failed', { err: String(err) })
    }
  }

  subscribe(fn: Subscriber): () => void {
    this.subscribers.add(fn)
    return () => this.subscribers.delete(fn)
  }

  /** Like subscribe, for the events of one session only. */
  subscribeSession(sessionId: string, fn: Subscriber): () => void {
    let set = this.bySession.get(sessionId)
    if (!set) this.bySession.set(sessionId, (set = new Set()))
    set.add(fn)
    this.sessionSubscribers++
    let done = false
    return () => {
      if (done) return
      done = true
      this.sessionSubscribers--
      set.delete(fn)
      if (!set.size && this.bySession.get(sessionId) === set) this.bySession.delete(sessionId)
    }
  }

  get size() {
    return this.subscribers.size + this.sessionSubscribers
  }

  async close(): Promise<void> {
    this.subscribers.clear()
    this.bySession.clear()
    this.sessionSubscribers = 0
    this.resyncs.clear()
    await this.stop?.()
  }
}
