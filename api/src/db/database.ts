import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { mkdirSync } from 'node:fs'

// Postgres returns bigint (seq, counts) as strings by default; ours fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v))

export type Listener = (payload: string) => void

/**
 * One database handle for every deployment: a node-postgres Pool, over embedded PGlite or a server.
 * LISTEN differs: PGlite has one connection (holding a pool client for LISTEN would deadlock it), so
 * embedded mode uses PGlite's own listen(); a server gets one dedicated client.
 */
export interface Database {
  pool: pg.Pool
  kind: 'pglite' | 'postgres'
  pglite?: PGlite
  listen(channel: string, fn: Listener): Promise<() => Promise<void>>
  /** From now on every connection works as this role (after migrations, which need the owner). */
  useRole(role: string): Promise<void>
  close(): Promise<void>
}

export interface OpenOptions {
  /** A PGlite data dir dump (tests: a migrated template loaded per file). */
  loadDataDir?: Blob
  /** Server only: every connection switches to this role before its first query. */
  role?: string
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (/^postgres(ql)?:\/\//.test(url)) return openServer(url, options.role)
  const dataDir = url === 'memory://' ? 'memory://' : url.replace(/^file:\/\//, '')
  if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true })
  const pglite = await PGlite.create(dataDir, {
    extensions: { vector, unaccent, btree_gin },
    loadDataDir: options.loadDataDir,
  })
  const pool = new pg.Pool(createPgConfig(pglite))
  return {
    pool,
    kind: 'pglite',
    pglite,
    async listen(channel, fn) {
      const unsub = await pglite.listen(channel, fn)
      return () => unsub()
    },
    // One embedded session: setting the role once sets it for every pool client.
    async useRole(role) {
      await pglite.query(`set role ${pg.escapeIdentifier(role)}`)
    },
    async close() {
      await pool.end()
      await pglite.close()
    },
  }
}

async function openServer(url: string, role?: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 10 })
  let listener: pg.Client | undefined
  const handlers = new Map<string, Set<Listener>>()
  // Every new connection switches role before its first query (pg runs a client's queries in order).
  if (role)
    pool.on('connect', (client) => void client.query(`set role ${pg.escapeIdentifier(role)}`).catch(() => {}))
  return {
    pool,
    kind: 'postgres',
    async useRole() {
      throw new Error('a server connection takes its role when opened (openDatabase options.role)')
    },
    async listen(channel, fn) {
      if (!listener) {
        listener = new pg.Client({ connectionString: url })
        await listener.connect()
        listener.on('notification', (n) => handlers.get(n.channel)?.forEach((h) => h(n.payload ?? '')))
      }
      let set = handlers.get(channel)
      if (!set) {
        set = new Set()
        handlers.set(channel, set)
        await listener.query(`listen ${pg.escapeIdentifier(channel)}`)
      }
      set.add(fn)
      return async () => {
        set!.delete(fn)
      }
    },
    async close() {
      await listener?.end().catch(() => {})
      await pool.end()
    },
  }
}
