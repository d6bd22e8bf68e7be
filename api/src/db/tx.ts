import type pg from 'pg'
import { beginStatement, inTransaction } from './database'

export type Queryable = Pick<pg.PoolClient, 'query'>

/**
 * Runs fn in a transaction on one client, working as the app role (see beginStatement); rolls back on
 * any error, and drops the connection when even the rollback failed (it is broken).
 */
export async function withTx<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, beginStatement(pool), fn)
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
