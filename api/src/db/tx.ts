import type pg from 'pg'

export type Queryable = Pick<pg.PoolClient, 'query'>

/** Runs fn in a transaction on one client; rolls back on any error. */
export async function withTx<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  try {
    await client.query('begin')
    const result = await fn(client)
    await client.query('commit')
    return result
  } catch (err) {
    broken = await rollback(client)
    throw err
  } finally {
    // A connection that could not roll back is discarded, never handed to the next request.
    client.release(broken)
  }
}

/**
 * Rolls back, always: a query that failed half-written (a driver error while serialising a parameter)
 * leaves a malformed message on the wire, and the first ROLLBACK is answered with a protocol error,
 * so it is sent again. Returns the error when the connection still cannot roll back.
 */
async function rollback(client: pg.PoolClient): Promise<Error | undefined> {
  let last: Error | undefined
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await client.query('rollback')
      return undefined
    } catch (err) {
      last = err as Error
    }
  }
  return last
}

export interface Claims {
  sub: string
  role: 'authenticated'
  email?: string
  [key: string]: unknown
}

/**
 * Runs fn as a console member: SET LOCAL ROLE authenticated and the member's claims, both scoped to the
 * transaction (never the connection), so row level security decides what the queries can see.
 */
export async function withMemberTx<T>(
  pool: pg.Pool,
  claims: Claims,
  fn: (client: pg.PoolClient) => Promise<T>,
) {
  return withTx(pool, async (client) => {
    await client.query(
      `select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`,
      [JSON.stringify(claims)],
    )
    return fn(client)
  })
}
