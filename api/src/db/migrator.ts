import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import type pg from 'pg'

const root = fileURLToPath(new URL('../../../supabase/', import.meta.url))
export const migrationsDir = root + 'migrations/'
export const authShimFile = root + 'local/auth.sql'

export interface MigrationResult {
  applied: string[]
  skipped: number
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex')

/**
 * Applies pending migrations in file-name order, each in its own transaction, and records them with a
 * checksum. Refuses to run when an applied file has changed since: migrations are append-only.
 * On a database without Supabase's auth schema, supabase/local/auth.sql is applied first.
 */
export async function migrate(pool: pg.Pool, dir = migrationsDir): Promise<MigrationResult> {
  const client = await pool.connect()
  try {
    await client.query('select pg_advisory_lock(727274)')
    const hasAuth = await client.query(`select to_regprocedure('auth.uid()') is not null as ok`)
    if (!hasAuth.rows[0].ok) {
      await runInTransaction(client, 'supabase/local/auth.sql', await readFile(authShimFile, 'utf8'))
    }
    await client.query(`create schema if not exists app_private;
      revoke all on schema app_private from public;
      create table if not exists app_private.schema_migrations (
        name text primary key, checksum text not null, applied_at timestamptz not null default now())`)
    const done = new Map<string, string>(
      (await client.query('select name, checksum from app_private.schema_migrations')).rows.map((r) => [
        r.name,
        r.checksum,
      ]),
    )
    const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort()
    const result: MigrationResult = { applied: [], skipped: 0 }
    for (const name of files) {
      const sql = await readFile(dir + '/' + name, 'utf8')
      const checksum = sha256(sql)
      const known = done.get(name)
      if (known) {
        if (known !== checksum) {
          throw new Error(`migration ${name} was changed after it was applied; add a new migration instead`)
        }
        result.skipped++
        continue
      }
      await runInTransaction(client, name, sql, async () => {
        await client.query('insert into app_private.schema_migrations (name, checksum) values ($1, $2)', [
          name,
          checksum,
        ])
      })
      result.applied.push(name)
    }
    return result
  } finally {
    await client.query('select pg_advisory_unlock(727274)').catch(() => {})
    client.release()
  }
}

async function runInTransaction(
  client: pg.PoolClient,
  name: string,
  sql: string,
  after?: () => Promise<void>,
) {
  await client.query('begin')
  try {
    await client.query(sql)
    await after?.()
    await client.query('commit')
  } catch (cause) {
    await client.query('rollback')
    throw new Error(`migration ${name} failed: ${(cause as Error).message}`, { cause })
  }
}
