import type pg from 'pg'
import { allInOrder, beginStatement, inTransaction, pipelined } from './database'

export type Queryable = Pick<pg.PoolClient, 'query'>

/**
 * Runs fn in a transaction on one client, working as the app role (see beginStatement); rolls back on
 * any error, and drops the connection when even the rollback failed (it is broken).
 */
export async function withTx<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(pool, beginStatement(pool), fn)
}

/**
 * Runs statements one after the other on a transaction's client, each seeing what the one before did
 * (a lock it took, a row it wrote). On a server they are written at once (pipelined) and answered in
 * one round trip; the server still runs each only when the one before has finished.
 */
export async function inOrder(
  db: Queryable,
  statements: [text: string, values?: unknown[]][],
): Promise<pg.QueryResult[]> {
  if (!pipelined(db)) {
    const results: pg.QueryResult[] = []
    for (const [text, values] of statements) results.push(await db.query(text, values))
    return results
  }
  return allInOrder(statements.map(([text, values]) => db.query(text, values)))
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
