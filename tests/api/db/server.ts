import pg from 'pg'
import { inject } from 'vitest'

/** The test server's admin URL (TEST_DATABASE_URL), or '' when the suite runs on PGlite only. */
export const serverUrl = () => inject('serverUrl')

/** Runs one statement as the test server's admin (a superuser). */
export async function admin<T = any>(sql: string, values?: unknown[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: serverUrl() })
  await client.connect()
  try {
    return (await client.query(sql, values)).rows as T[]
  } finally {
    await client.end()
  }
}

/** Kills every backend of a database (what a server restart or a failover does to open connections). */
export async function killBackends(url: string): Promise<number> {
  const db = new URL(url).pathname.slice(1)
  const rows = await admin<{ n: number }>(
    `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()`,
    [db],
  )
  return rows[0]!.n
}

/** Polls fn until it returns true (or fails after timeoutMs). */
export async function until(fn: () => Promise<boolean>, timeoutMs = 10_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs
  while (!(await fn().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
