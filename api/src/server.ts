import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import pg from 'pg'
import { createApp } from './app'
import type { Config } from './config'
import { describeUrl, isServerUrl, openDatabase, type Database, type OpenOptions } from './db/database'
import { migrate } from './db/migrator'
import type { Deps } from './deps'
import { createLlm } from './answers/llm'
import {
  createEmbedder,
  createStorage,
  createVectorStore,
  logSearchFailures,
  noVectors,
} from './knowledge/factories'
import type { VectorStore } from './knowledge/vector-store'
import { KnowledgeWorker } from './knowledge/worker'
import { Notifier } from './escalation/notify'
import { ChannelWorker } from './channels/worker'
import { AnswerTestWorker } from './feedback/answer-tests'
import { AnalyticsWorker } from './analytics/worker'
import { secretsFromConfig } from './crypto/secrets'
import { createLimiters, limitsFromConfig } from './http/rate-limit'
import { createTokenBudget } from './answers/token-budget'
import { createLogger, type Logger } from './logger'
import { Bus } from './realtime/bus'
import { StreamRegistry } from './realtime/streams'

/**
 * The console's signing secret: JWT_SECRET when set; otherwise one generated once and kept beside
 * the embedded database, so sign-ins survive a restart (a throw-away database gets a throw-away secret).
 */
function jwtSecret(config: Config): Uint8Array {
  if (config.JWT_SECRET) return new TextEncoder().encode(config.JWT_SECRET)
  const url = config.DATABASE_URL
  if (isServerUrl(url)) {
    // Several processes share a server: a secret each would refuse the others' tokens, and a restart
    // would sign everyone out.
    throw new Error(
      'JWT_SECRET is required with a PostgreSQL server (DATABASE_URL=postgres://...): every API process must sign console tokens with the same secret. Set it to at least 32 random characters (on Supabase: the project JWT secret).',
    )
  }
  if (url === 'memory://') return randomBytes(32)
  const file = join(dirname(url.replace(/^file:\/\//, '')), 'jwt-secret')
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 })
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim())
}

/**
 * Start-up on a server: retries until the database answers, for DB_START_WAIT_MS at most, then
 * fails with a message naming where it tried (main.ts prints it and exits non-zero).
 */
async function waitForDatabase(pool: Database['pool'], config: Config, log: Logger) {
  const deadline = Date.now() + config.DB_START_WAIT_MS
  for (let attempt = 0; ; attempt++) {
    try {
      await pool.query('select 1')
      return
    } catch (cause) {
      if (Date.now() >= deadline) {
        throw new Error(
          `Cannot reach the database at ${describeUrl(config.DATABASE_URL)} (waited ${config.DB_START_WAIT_MS} ms, DB_START_WAIT_MS): ${(cause as Error).message}`,
          { cause },
        )
      }
      if (attempt === 0) log.warn('database not reachable yet; waiting', { err: String(cause) })
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(0, deadline - Date.now()))))
    }
  }
}

/** The installed pgvector version, or null. */
async function pgvectorVersion(pool: Database['pool']): Promise<string | null> {
  const { rows } = await pool.query(`select extversion from pg_extension where extname = 'vector'`)
  return (rows[0]?.extversion as string | undefined) ?? null
}

function versionAtLeast(version: string, min: number[]): boolean {
  const parts = version.split('.').map((p) => parseInt(p, 10) || 0)
  for (let i = 0; i < min.length; i++) {
    if ((parts[i] ?? 0) !== min[i]) return (parts[i] ?? 0) > min[i]!
  }
  return true
}

/**
 * Refuses to start when the login role cannot work as the app role (or, from there, as a console
 * member), or when the schema's owner would itself be held by the forced row level security: both
 * are sentences saying what to grant, not an RLS violation on the first request.
 */
async function checkRoles(pool: Database['pool'], role: string) {
  const client = await pool.connect()
  try {
    const { rows } = await client.query('select session_user as login')
    const login = rows[0].login as string
    await client.query('begin')
    try {
      for (const r of [role, 'authenticated']) {
        await client.query(`set local role ${pg.escapeIdentifier(r)}`).catch((cause: Error) => {
          const grant =
            r === role ? `grant ${role} to ${pg.escapeIdentifier(login)};` : `grant authenticated to ${role};`
          throw new Error(
            `The database login role "${login}" cannot work as ${r} (${cause.message}). As a superuser run: ${grant} (running the migrations as this login role grants it when it may).`,
            { cause },
          )
        })
      }
    } finally {
      await client.query('rollback').catch(() => {})
    }
    const owner = await client.query(`select r.rolname, r.rolsuper or r.rolbypassrls as ok
        from pg_proc p join pg_roles r on r.oid = p.proowner
       where p.oid = to_regprocedure('public.is_tenant_member(uuid)')`)
    if (owner.rows[0] && !owner.rows[0].ok) {
      const name = owner.rows[0].rolname as string
      throw new Error(
        `The schema owner "${name}" is subject to the forced row level security (it is neither superuser nor BYPASSRLS), so membership checks would see no rows. As a superuser run: alter role ${pg.escapeIdentifier(name)} bypassrls;`,
      )
    }
  } finally {
    client.release()
  }
}

/** Opens the database, applies migrations and wires what the app needs. */
export async function createDeps(
  config: Config,
  options: OpenOptions & { migrate?: boolean; worker?: boolean } = {},
): Promise<Deps> {
  const log = createLogger(config.LOG_LEVEL)
  const server = isServerUrl(config.DATABASE_URL)
  // First: a server without JWT_SECRET or SECRETS_ENCRYPTION_KEY refuses to start before touching the database.
  const secret = jwtSecret(config)
  const secrets = secretsFromConfig(config)
  const embedder = createEmbedder(config)
  let pgvector: string | null = null
  // Migrations and indexes need the table owner; the API then works as DB_APP_ROLE (owns nothing, no
  // BYPASSRLS). A server does the owner's part on its own short-lived pool, so no owner connection lingers.
  const ownerWork = async (pool: Database['pool']) => {
    if (options.migrate !== false) {
      const result = await migrate(pool)
      if (result.applied.length) log.info('migrations applied', { applied: result.applied })
    }
    pgvector = await pgvectorVersion(pool)
    if (embedder.dimension && (pgvector || config.VECTOR_STORE !== 'pgvector')) {
      const store = await createVectorStore(config, pool)
      await store
        .prepare?.(embedder.model, embedder.dimension)
        .catch((err) => log.warn('vector index not created', { err: String(err) }))
    }
    if (!config.DB_APP_ROLE) return ''
    const { rows } = await pool.query('select 1 from pg_roles where rolname = $1', [config.DB_APP_ROLE])
    if (!rows[0])
      log.warn('database role missing; the API keeps the connecting role', { role: config.DB_APP_ROLE })
    if (rows[0] && server) await checkRoles(pool, config.DB_APP_ROLE)
    return rows[0] ? config.DB_APP_ROLE : ''
  }
  let db: Database
  if (server) {
    const connection = {
      poolSize: config.DB_POOL_SIZE,
      connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
      pipeline: config.DB_PIPELINE,
      // A transaction pooler (LISTEN_DATABASE_URL set beside it) may not keep prepared statements.
      prepared: config.DB_PREPARED_STATEMENTS ?? !config.LISTEN_DATABASE_URL,
      log,
    }
    // No statement timeout for the owner: an HNSW index over a large table takes its time.
    const owner = await openDatabase(config.DATABASE_URL, {
      ...connection,
      poolSize: 2,
      statementTimeoutMs: 0,
    })
    let role = ''
    try {
      await waitForDatabase(owner.pool, config, log)
      role = await ownerWork(owner.pool)
    } finally {
      await owner.close()
    }
    db = await openDatabase(config.DATABASE_URL, {
      ...options,
      ...connection,
      role: role || undefined,
      listenUrl: config.LISTEN_DATABASE_URL,
    })
  } else {
    db = await openDatabase(config.DATABASE_URL, options)
    const role = await ownerWork(db.pool)
    if (role) await db.useRole(role)
  }
  const bus = new Bus(log)
  const streams = new StreamRegistry(db.pool, {
    idleMs: config.STREAM_IDLE_MS,
    recheckMs: config.STREAM_RECHECK_MS,
  })
  bus.onResync(() => log.info('streams ended to catch up', { streams: streams.resync() }))
  await bus.start(db)
  const state: Deps['state'] = { ready: true }
  let store: VectorStore
  if (config.VECTOR_STORE === 'pgvector' && !pgvector) {
    store = noVectors
    state.retrieval = 'full text only (pgvector is not installed)'
    log.warn(
      'pgvector is not installed: retrieval is full text only (install pgvector >= 0.8, or VECTOR_STORE=qdrant)',
    )
  } else {
    const iterativeScan = !pgvector || versionAtLeast(pgvector, [0, 8])
    store = await createVectorStore(config, db.pool, { iterativeScan })
    state.retrieval = `hybrid (${store.name}${pgvector && config.VECTOR_STORE === 'pgvector' ? ' ' + pgvector : ''})`
    if (config.VECTOR_STORE === 'pgvector' && !iterativeScan)
      log.info(
        'pgvector older than 0.8: plain HNSW queries (no iterative scans; a tenant filter may return fewer passages)',
        {
          version: pgvector,
        },
      )
  }
  store = logSearchFailures(store, log)
  const storage = await createStorage(config)
  const deps: Deps = {
    config,
    db,
    pool: db.pool,
    bus,
    streams,
    log,
    jwtSecret: secret,
    secrets,
    state,
    llm: createLlm(config),
    embedder,
    store,
    storage,
    kick: () => {},
    limiters: createLimiters({
      store: config.RATE_LIMIT_STORE,
      pool: db.pool,
      limits: limitsFromConfig(config),
    }),
    tokenBudget: createTokenBudget({
      store: config.RATE_LIMIT_STORE,
      pool: db.pool,
      dailyTokens: config.LLM_DAILY_TOKEN_BUDGET,
    }),
  }
  if (config.WORKER && options.worker !== false) {
    const worker = new KnowledgeWorker(deps)
    deps.worker = worker
    deps.kick = () => worker.kick()
    worker.start()
    const notifier = new Notifier(deps)
    deps.notifier = notifier
    notifier.start()
    const channels = new ChannelWorker(deps)
    deps.channels = channels
    channels.start()
    const answerTests = new AnswerTestWorker(deps)
    deps.answerTests = answerTests
    answerTests.start()
    const analytics = new AnalyticsWorker(deps)
    deps.analytics = analytics
    analytics.start()
  }
  return deps
}

export interface Running {
  url: string
  port: number
  deps: Deps
  server: ServerType
  /** Stops accepting, ends open streams with a final event, closes the database. */
  shutdown(): Promise<void>
}

export async function startServer(config: Config, deps?: Deps): Promise<Running> {
  deps ??= await createDeps(config)
  const app = createApp(deps)
  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, port: config.PORT, hostname: config.HOST }, () => resolve(s))
  })
  const port = (server.address() as AddressInfo).port
  let stopping: Promise<void> | undefined
  const d = deps
  // PORT=0 asks the system for a free port: from now on the config names the one it gave, so the URLs
  // built from it (publicUrl: channel webhook URLs, links in e-mails, CORS's own origin) reach this server.
  if (d.config.PORT !== port) d.config = { ...d.config, PORT: port }
  return {
    url: `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${port}`,
    port,
    deps: d,
    server,
    shutdown() {
      stopping ??= (async () => {
        d.state.ready = false
        // Keep accepting for a moment so load balancers see /readyz fail (503) rather than a refused connection.
        await new Promise((r) => setTimeout(r, Math.min(1000, config.SHUTDOWN_GRACE_MS / 4)).unref())
        const closed = new Promise<void>((resolve) => server.close(() => resolve()))
        const [ended, unfinished] = await Promise.all([
          d.streams.closeAll(config.SHUTDOWN_GRACE_MS),
          d.streams.idle(config.SHUTDOWN_GRACE_MS),
        ])
        d.log.info('shutdown: streams ended', { streams: ended, unfinished_sends: unfinished })
        ;(server as any).closeAllConnections?.()
        await closed
        await d.worker?.stop()
        await d.notifier?.stop()
        await d.channels?.stop()
        await d.answerTests?.stop()
        await d.analytics?.stop()
        d.limiters.close()
        await d.store.close?.()
        await d.bus.close()
        await d.db.close()
      })()
      return stopping
    },
  }
}
