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
 * On a database without Supabase's auth schema, supabase/local/auth.sql is applied first. On a server
 * without pgvector the schema still migrates: `vector` becomes a placeholder domain (real[]) and
 * retrieval is full text only (server.ts says so at start and in /readyz).
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
    const noVector = await withoutPgvector(client)
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
      // Recorded with the file's checksum: the same migration, minus what this server cannot have.
      const run = noVector
        ? sql.replace(/^create extension if not exists vector;$/im, '-- (pgvector not available)')
        : sql
      await runInTransaction(client, name, run, async () => {
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

/**
 * True when pgvector is neither installed nor installable here: a placeholder `public.vector` domain
 * is created (once) so the dimension-free embedding column still exists.
 */
async function withoutPgvector(client: pg.PoolClient): Promise<boolean> {
  const { rows } = await client.query(`select
      exists (select 1 from pg_extension where extname = 'vector') as installed,
      exists (select 1 from pg_available_extensions where name = 'vector') as available,
      to_regtype('public.vector') is not null as has_type`)
  const r = rows[0] as { installed: boolean; available: boolean; has_type: boolean }
  if (r.installed || r.available) return false
  if (!r.has_type) await client.query(`create domain public.vector as real[]`)
  return true
}
