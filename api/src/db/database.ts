import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { btree_gin } from '@electric-sql/pglite/contrib/btree_gin'
import { unaccent } from '@electric-sql/pglite/contrib/unaccent'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { mkdirSync } from 'node:fs'
import type { Logger } from '../logger'
import { prioritise } from './priority'

// Postgres returns bigint (seq, counts) as strings by default; ours fit in a JS number.
pg.types.setTypeParser(20, (v) => Number(v))

export type Listener = (payload: string) => void

/**
 * One database handle for every deployment: a node-postgres Pool, over embedded PGlite or a server.
 * LISTEN differs: PGlite has one connection (holding a pool client for LISTEN would deadlock it), so
 * embedded mode uses PGlite's own listen(); a server gets one dedicated client that reconnects.
 */
export interface Database {
  pool: pg.Pool
  /**
   * The pool for background workers' queries (the channel worker): on embedded PGlite, whose one
   * connection everything shares, they wait while a request's checkouts are queued (db/priority.ts).
   * Absent on a server, whose pool has connections enough: workers then use `pool`.
   */
  background?: pg.Pool
  kind: 'pglite' | 'postgres'
  pglite?: PGlite
  /**
   * Calls fn with every notification on channel. `onResync` runs after the listener came back from a
   * lost connection: notifications sent meanwhile are gone, so whoever relies on them must catch up.
   */
  listen(channel: string, fn: Listener, onResync?: () => void): Promise<() => Promise<void>>
  /** False while the LISTEN connection is down (live delivery is then not happening). */
  listening(): boolean
  /** From now on every transaction works as this role (after migrations, which need the owner). */
  useRole(role: string): Promise<void>
  close(): Promise<void>
}

export interface OpenOptions {
  /** A PGlite data dir dump (tests: a migrated template loaded per file). */
  loadDataDir?: Blob
  /** Server only: the role every transaction switches to (`set local role`). */
  role?: string
  /** Server only: connection settings (see config.ts). */
  poolSize?: number
  connectTimeoutMs?: number
  statementTimeoutMs?: number
  /**
   * Parameterised statements are prepared once per connection (named), so the server plans them
   * once, not at every call. Embedded PGlite: always. A server: default true (config
   * DB_PREPARED_STATEMENTS; server.ts turns it off behind a transaction pooler).
   */
  prepared?: boolean
  /** Server only: pipelined transactions (default true; config DB_PIPELINE). */
  pipeline?: boolean
  /** Server only: where LISTEN connects (a session, never a transaction pooler); DATABASE_URL by default. */
  listenUrl?: string
  log?: Logger
}

/** No connection could be opened (server down, refusing, timed out): the request may be retried. */
export class DatabaseUnavailable extends Error {
  override name = 'DatabaseUnavailable'
}

export const isServerUrl = (url: string) => /^postgres(ql)?:\/\//.test(url)

const BEGIN = Symbol('parley.begin')

/**
 * What opens a transaction on this pool: `begin`, then on a server the role and statement timeout,
 * both `local` so they end with the transaction (a transaction pooler may hand the connection to
 * someone else afterwards, and never carries a per-connection setting over).
 */
export function beginStatement(pool: pg.Pool): string {
  return (pool as { [BEGIN]?: string })[BEGIN] ?? 'begin'
}

export async function openDatabase(url: string, options: OpenOptions = {}): Promise<Database> {
  if (isServerUrl(url)) return openServer(url, options)
  const dataDir = url === 'memory://' ? 'memory://' : url.replace(/^file:\/\//, '')
  if (dataDir !== 'memory://') mkdirSync(dataDir, { recursive: true })
  const pglite = await PGlite.create(dataDir, {
    extensions: { vector, unaccent, btree_gin },
    loadDataDir: options.loadDataDir,
  })
  const pool = new pg.Pool(createPgConfig(pglite))
  prepareStatements(pool)
  // Requests before workers on the one connection (a webhook's insert never queues behind a turn),
  // and the event loop polls between two checkouts (new connections are accepted under load).
  const background = prioritise(pool)
  return {
    pool,
    background,
    kind: 'pglite',
    pglite,
    async listen(channel, fn) {
      const unsub = await pglite.listen(channel, fn)
      return () => unsub()
    },
    listening: () => true,
    // One embedded session that nobody else shares: setting the role once sets it for every pool client.
    async useRole(role) {
      await pglite.query(`set role ${pg.escapeIdentifier(role)}`)
    },
    async close() {
      await pool.end()
      await pglite.close()
    },
  }
}

/** Distinct statement texts given a name per pool; texts beyond stay unnamed (planned each time). */
const MAX_PREPARED = 500

/**
 * Names every parameterised statement after its text, on every connection of the pool: node-postgres
 * then parses it once per connection and only binds and executes it afterwards, and Postgres keeps
 * its plan (a generic plan once it is as good as the custom ones). Planning was most of a short
 * query's time: on embedded PGlite an answered message cost 52 ms of CPU with every statement planned
 * at each call, 29 ms with prepared ones. The same text always gets the same name, so a name never
 * stands for two statements; statements without parameters (begin, commit) stay simple queries, and
 * so do statements passed as a config object ({ text, values }): those whose best plan depends on
 * the values (retrieval: a generic plan took hybrid search at 10k passages from 12 to 19 ms p95).
 */
function prepareStatements(pool: pg.Pool) {
  const names = new Map<string, string>()
  const nameOf = (text: string) => {
    let name = names.get(text)
    if (!name && names.size < MAX_PREPARED) names.set(text, (name = `parley_${names.size}`))
    return name
  }
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown
    client.query = ((text: unknown, values?: unknown, callback?: unknown) => {
      const name =
        typeof text === 'string' && Array.isArray(values) && values.length ? nameOf(text) : undefined
      if (!name) return query(text, values, callback)
      return typeof callback === 'function'
        ? query({ name, text, values }, callback)
        : query({ name, text, values })
    }) as typeof client.query
  })
}

/** Where a URL points, without its password (for messages). */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}:${u.port || 5432}${u.pathname}`
  } catch {
    return 'the configured server'
  }
}

function openServer(url: string, o: OpenOptions): Database {
  const log = o.log
  const connection = {
    connectionString: url,
    connectionTimeoutMillis: o.connectTimeoutMs ?? 5000,
    keepAlive: true,
  }
  // Pipelined: a transaction's `begin` goes out with its first statement, and a one-statement
  // pool.query sends begin, statement and commit in one write (one round trip instead of three).
  const pipeline = o.pipeline ?? true
  const pool = new pg.Pool({
    ...connection,
    max: o.poolSize ?? 10,
    idleTimeoutMillis: 30_000,
    pipeline,
  } as pg.PoolConfig)
  // A server restart or a killed backend errors idle and checked-out clients alike: logged, never
  // fatal (an 'error' event without a listener ends the process). The pool drops broken clients.
  if (o.prepared ?? true) prepareStatements(pool)
  pool.on('error', (err) => log?.warn('database: idle connection lost', { err: String(err) }))
  pool.on('connect', (client) =>
    client.on('error', (err) => log?.debug('database: connection lost', { err: String(err) })),
  )
  // Whatever stops a connection from opening is one error the HTTP layer answers with 503.
  const connect = pool.connect.bind(pool) as (cb?: unknown) => Promise<pg.PoolClient> | undefined
  pool.connect = ((callback?: unknown) => {
    if (callback) return connect(callback) // pg's own pool.query uses the callback form
    return connect()!.catch((cause: Error) => {
      throw new DatabaseUnavailable(`database unavailable: ${cause.message}`, { cause })
    })
  }) as typeof pool.connect
  const local = [
    o.role ? `set local role ${pg.escapeIdentifier(o.role)}` : '',
    o.statementTimeoutMs ? `set local statement_timeout = ${Math.floor(o.statementTimeoutMs)}` : '',
  ].filter(Boolean)
  const begin = ['begin', ...local].join('; ')
  Object.defineProperty(pool, BEGIN, { value: begin })
  if (local.length) {
    // pool.query runs one statement in its own transaction, so the role and timeout apply to it too.
    pool.query = (async (text: string | pg.QueryConfig, values?: unknown[]) => {
      if (typeof values === 'function') throw new Error('pool.query: callbacks are not supported')
      return pipeline
        ? oneStatement(pool, begin, text, values)
        : inTransaction(pool, begin, (c) => c.query(text as string, values))
    }) as typeof pool.query
  }

  const listener = new ServerListener({ ...connection, connectionString: o.listenUrl ?? url }, log)
  return {
    pool,
    kind: 'postgres',
    async useRole() {
      throw new Error('a server takes its role when opened (openDatabase options.role)')
    },
    listen: (channel, fn, onResync) => listener.listen(channel, fn, onResync),
    listening: () => listener.up,
    async close() {
      await listener.close()
      await pool.end()
    },
  }
}

/**
 * The LISTEN connection of a server: one client holding every channel. When it is lost (server
 * restart, killed backend, network), it reconnects with backoff, listens again, then tells each
 * subscriber to resync (notifications sent while it was away are not replayed by Postgres).
 */
class ServerListener {
  up = false
  private client?: pg.Client
  private channels = new Map<string, Set<Listener>>()
  private resyncs = new Set<() => void>()
  private timer?: ReturnType<typeof setTimeout>
  private attempt = 0
  private closed = false
  private connecting?: Promise<void>

  constructor(
    private config: pg.ClientConfig,
    private log?: Logger,
  ) {}

  async listen(channel: string, fn: Listener, onResync?: () => void) {
    let set = this.channels.get(channel)
    const fresh = !set
    if (!set) {
      set = new Set()
      this.channels.set(channel, set)
    }
    set.add(fn)
    if (onResync) this.resyncs.add(onResync)
    if (!this.client) await (this.connecting ??= this.connect().finally(() => (this.connecting = undefined)))
    else if (fresh) await this.client.query(`listen ${pg.escapeIdentifier(channel)}`)
    return async () => {
      set.delete(fn)
      if (onResync) this.resyncs.delete(onResync)
    }
  }

  private async connect() {
    const client = new pg.Client(this.config)
    client.on('error', (err) => this.lost(client, err))
    client.on('end', () => this.lost(client))
    client.on('notification', (n) => this.channels.get(n.channel)?.forEach((h) => h(n.payload ?? '')))
    try {
      await client.connect()
      for (const channel of this.channels.keys()) await client.query(`listen ${pg.escapeIdentifier(channel)}`)
    } catch (err) {
      client.end().catch(() => {})
      throw err
    }
    if (this.closed) {
      await client.end().catch(() => {})
      return
    }
    this.client = client
    this.up = true
    this.watch(client)
  }

  /**
   * A connection can die without a word (a failover, a dropped network path): a cheap query every
   * 15 s notices, and the usual reconnect follows.
   */
  private watch(client: pg.Client) {
    const timer = setInterval(() => {
      if (this.client !== client) return clearInterval(timer)
      const timeout = new Promise((_, reject) =>
        setTimeout(() => reject(new Error('no answer to a keep-alive query')), 10_000).unref(),
      )
      Promise.race([client.query('select 1'), timeout]).catch((err: Error) => {
        clearInterval(timer)
        this.lost(client, err)
      })
    }, 15_000)
    timer.unref()
  }

  private lost(client: pg.Client, err?: Error) {
    if (this.client !== client) return
    this.client = undefined
    this.up = false
    client.end().catch(() => {})
    if (this.closed) return
    this.log?.error('database: live delivery lost (LISTEN connection closed); reconnecting', {
      err: err ? String(err) : undefined,
    })
    this.retry()
  }

  private retry() {
    const delay = Math.min(30_000, 250 * 2 ** this.attempt++) * (0.75 + Math.random() * 0.5)
    this.timer = setTimeout(async () => {
      try {
        await this.connect()
      } catch (err) {
        this.log?.warn('database: LISTEN reconnect failed', { err: String(err), attempt: this.attempt })
        if (!this.closed) this.retry()
        return
      }
      this.attempt = 0
      this.log?.info('database: live delivery restored; open streams catch up')
      for (const fn of this.resyncs) {
        try {
          fn()
        } catch (err) {
          this.log?.error('database: resync failed', { err: String(err) })
        }
      }
    }, delay)
    this.timer.unref()
  }

  async close() {
    this.closed = true
    clearTimeout(this.timer)
    this.up = false
    const client = this.client
    this.client = undefined
    await client?.end().catch(() => {})
  }
}

/** A pipelined client sends a query without waiting for the answer to the one before (pg's pipeline mode). */
export const pipelined = (client: object) => (client as { pipeline?: boolean }).pipeline === true

/**
 * Awaits every one of a pipeline's queries (none is left unhandled) and throws the first error in the
 * order they were sent: after a failure the rest fail too, in the aborted transaction.
 */
export async function allInOrder<T>(sent: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(sent)
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) throw failed.reason
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value)
}

/**
 * Runs the synchronous part of `send` with the client's socket corked: what it queries goes out in one
 * write (a pipelined client writes each query as soon as it is made).
 */
function corked<T>(client: pg.PoolClient, send: () => T): T {
  const stream = (client as { connection?: { stream?: { cork?(): void; uncork?(): void } } }).connection
    ?.stream
  stream?.cork?.()
  try {
    return send()
  } finally {
    stream?.uncork?.()
  }
}

/**
 * Runs fn on one client between `begin` and commit; rolls back on any error, and drops the connection
 * when even the rollback failed (it is broken). The one transaction loop of the API (withTx and the
 * per-statement pool.query both use it). On a pipelined client (a server), `begin` is written with fn's
 * first statement instead of a round trip of its own: when it fails (the role switch refused), every
 * statement after it fails in the aborted transaction, and begin's own error is the one thrown.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  begin: string,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  let broken: Error | undefined
  let began: Promise<unknown> | undefined
  try {
    let result: Promise<T>
    if (pipelined(client)) {
      result = corked(client, () => {
        began = client.query(begin)
        began.catch(() => {}) // awaited below
        return fn(client)
      })
    } else {
      await client.query(begin)
      result = fn(client)
    }
    const value = await result
    await began
    await client.query('commit')
    return value
  } catch (err) {
    const beginError =
      began &&
      (await began.then(
        () => undefined,
        (e: Error) => e,
      ))
    broken = await rollback(client)
    throw beginError ?? err
  } finally {
    // A connection that could not roll back is discarded, never handed to the next request.
    client.release(broken)
  }
}

/**
 * pool.query on a pipelined server pool: one statement in its own transaction as the app role, with
 * begin, the statement and commit written at once and answered in one round trip. A failed statement
 * turns the commit into a rollback on the server (the transaction is aborted), so nothing is
 * half-written; the error thrown is the first one (begin's, then the statement's).
 */
async function oneStatement(
  pool: pg.Pool,
  begin: string,
  text: string | pg.QueryConfig,
  values?: unknown[],
): Promise<pg.QueryResult> {
  const client = await pool.connect()
  let broken: Error | undefined
  const sent = corked(client, () => [
    client.query(begin),
    client.query(text as string, values),
    client.query('commit'),
  ])
  try {
    return (await allInOrder(sent))[1]!
  } catch (err) {
    // A commit that failed (the connection lost, a deferred constraint) may leave a transaction open.
    if (
      await sent[2]!.then(
        () => false,
        () => true,
      )
    )
      broken = await rollback(client)
    throw err
  } finally {
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
