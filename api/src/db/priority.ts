import type pg from 'pg'

/**
 * How many times a waiting background checkout may be passed by later request checkouts before it is
 * served anyway: requests go first, but a busy request path never stops the workers altogether.
 */
export const MAX_OVERTAKEN = 8

type Pending = object
type Served = (err: Error | undefined, client?: pg.PoolClient, done?: unknown) => void
type Connect = (cb?: Served) => unknown
/**
 * pg-pool's waiting checkout (PendingItem): what it calls when the connection is free. Replacing it is
 * safe without connectionTimeoutMillis (PGlite's pool has none), whose time-out finds it by callback.
 */
type Waiting = { callback: Served }

/** The waiting checkout gets the connection once the event loop has polled (see prioritise). */
function handOverLater(item: Waiting) {
  const served = item.callback
  item.callback = (err, client, done) => void setImmediate(served, err, client, done)
}

/**
 * Two priorities on a pool that hands out one connection (embedded PGlite): whatever waits for it is
 * served request checkouts first (the pool's own connect and query), background ones after (the
 * returned pool, for the workers), each kind in arrival order. Without it a webhook's single insert
 * waits behind every statement and transaction a worker's turn has queued on the one connection.
 *
 * A background checkout also lets the event loop poll first (setImmediate): requests that arrived
 * meanwhile are read and queue their checkouts ahead of it, so a worker yields between its
 * statements and transactions, never inside one (a transaction keeps its connection to the end).
 *
 * Every handover of the connection to a waiting checkout goes through the event loop (setImmediate):
 * PGlite answers in promise jobs, not I/O callbacks, so without it a queue of checkouts is worked
 * through in one macrotask, the event loop does not poll, and Node (libuv 1.45+) accepts at most one
 * new connection per poll. At 50 visitors one macrotask ran up to 100 checkouts (0.2-1 s, more on a
 * loaded machine) and a visitor whose request came on a new connection waited for one such turn per
 * connection ahead of it: 4-20 s, while those on open connections were served. Now the loop polls
 * between two transactions: new connections are accepted, new requests join the queue, and answers
 * are written, as on a server, whose pool answers through I/O.
 *
 * The order is kept in pg-pool's own waiting list (its `_pendingQueue`, a FIFO of callbacks), so
 * handing the connection over, dropping a broken one and time-outs stay pg-pool's. When that list
 * is missing (another pg-pool), checkouts are simply served in arrival order, without the yield.
 */
export function prioritise(pool: pg.Pool): pg.Pool {
  const connect = pool.connect.bind(pool) as Connect
  const queue = () => (pool as unknown as { _pendingQueue?: Pending[] })._pendingQueue
  const background = new WeakSet<Pending>()
  const overtaken = new WeakMap<Pending, number>()

  /** Calls pg-pool's connect; returns what it added to the waiting list (nothing: served at once). */
  const enqueue = (cb?: Parameters<Connect>[0]) => {
    const list = queue()
    const before = list?.length ?? 0
    const result = connect(cb)
    const item = list && list.length > before ? list.at(-1) : undefined
    if (item) handOverLater(item as Waiting)
    return { result, item, list }
  }

  pool.connect = ((cb?: Parameters<Connect>[0]) => {
    const { result, item, list } = enqueue(cb)
    if (item && list) {
      // Ahead of the first background waiter that has not been passed too often.
      const at = list.findIndex((p) => background.has(p) && (overtaken.get(p) ?? 0) < MAX_OVERTAKEN)
      if (at !== -1 && at < list.length - 1) {
        list.pop()
        list.splice(at, 0, item)
        for (let i = at + 1; i < list.length; i++)
          if (background.has(list[i]!)) overtaken.set(list[i]!, (overtaken.get(list[i]!) ?? 0) + 1)
      }
    }
    return result
  }) as typeof pool.connect

  const later = ((cb?: Parameters<Connect>[0]) => {
    const queued = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const { result, item } = enqueue(cb)
      if (item) background.add(item)
      return result
    })
    return cb ? undefined : queued
  }) as typeof pool.connect
  // The same pool seen through another door: query, transactions and the rest are pg-pool's, with
  // `this.connect` (pool.query calls it) being the background one.
  return Object.create(pool, { connect: { value: later, writable: true, configurable: true } }) as pg.Pool
}
