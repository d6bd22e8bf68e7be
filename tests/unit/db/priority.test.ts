import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../../api/src/db/database'
import { MAX_OVERTAKEN } from '../../../api/src/db/priority'
import { withTx } from '../../../api/src/db/tx'

/** Until background checkouts made now have joined the waiting list (they let the event loop poll first). */
const settle = () => new Promise((r) => setImmediate(() => setImmediate(r)))

/**
 * The embedded database's one connection, served requests first and workers after: what the channel
 * webhook relies on to answer fast while the channel worker's turns queue statements.
 */
describe('embedded database: request checkouts before background ones', () => {
  let db: Database
  beforeAll(async () => {
    db = await openDatabase('memory://')
  })
  afterAll(async () => {
    await db.close()
  })

  it('a request queued after the workers is served first, each kind in arrival order', async () => {
    const order: string[] = []
    const held = await db.pool.connect()
    const run = (pool: typeof db.pool, name: string) =>
      pool.query(`select $1::text as name`, [name]).then((r) => void order.push(r.rows[0].name))
    const queued = [run(db.background!, 'turn 1'), run(db.background!, 'turn 2')]
    await settle()
    queued.push(run(db.pool, 'webhook 1'), run(db.pool, 'webhook 2'))
    held.release()
    await Promise.all(queued)
    expect(order).toEqual(['webhook 1', 'webhook 2', 'turn 1', 'turn 2'])
  })

  it('a transaction keeps the connection to its end: a request waits for it, not inside it', async () => {
    const order: string[] = []
    let inside!: () => void
    const started = new Promise<void>((r) => (inside = r))
    const tx = withTx(db.background!, async (c) => {
      await c.query(`create temp table if not exists turns (n int)`)
      inside()
      await c.query(`insert into turns values (1)`)
      await new Promise((r) => setTimeout(r, 30))
      await c.query(`insert into turns values (2)`)
      order.push('turn committed')
    })
    await started
    const read = db.pool.query(`select count(*)::int as n from turns`).then((r) => {
      order.push(`webhook read ${r.rows[0].n}`)
    })
    await Promise.all([tx, read])
    expect(order).toEqual(['turn committed', 'webhook read 2'])
  })

  it('a busy request path never stops the workers: a background checkout is passed a bounded number of times', async () => {
    const order: string[] = []
    const held = await db.pool.connect()
    const queued = [db.background!.query('select 1').then(() => void order.push('turn'))]
    await settle()
    for (let i = 1; i <= MAX_OVERTAKEN + 3; i++)
      queued.push(db.pool.query('select 1').then(() => void order.push(`request ${i}`)))
    held.release()
    await Promise.all(queued)
    expect(order.indexOf('turn')).toBe(MAX_OVERTAKEN)
    expect(order).toHaveLength(MAX_OVERTAKEN + 4)
  })

  it('a failed background statement is its own error; both kinds go on working after it', async () => {
    await expect(db.background!.query('select * from no_such_table')).rejects.toThrow(/no_such_table/)
    const [a, b] = await Promise.all([db.background!.query('select 1 as n'), db.pool.query('select 2 as n')])
    expect([a.rows[0].n, b.rows[0].n]).toEqual([1, 2])
  })
})
