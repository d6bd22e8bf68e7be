import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { AddressInfo } from 'node:net'
import { serve, type ServerType } from '@hono/node-server'
import { createApp } from './app'
import type { Config } from './config'
import { openDatabase, type Database, type OpenOptions } from './db/database'
import { migrate } from './db/migrator'
import type { Deps } from './deps'
import { createLlm } from './answers/llm'
import { createEmbedder, createStorage, createVectorStore } from './knowledge/factories'
import { KnowledgeWorker } from './knowledge/worker'
import { Notifier } from './escalation/notify'
import { ChannelWorker } from './channels/worker'
import { secretsFromConfig } from './crypto/secrets'
import { createLimiters, limitsFromConfig } from './http/rate-limit'
import { createTokenBudget } from './answers/token-budget'
import { createLogger } from './logger'
import { Bus } from './realtime/bus'
import { StreamRegistry } from './realtime/streams'

/**
 * The console's signing secret: JWT_SECRET when set; otherwise one generated once and kept beside
 * the embedded database, so sign-ins survive a restart (a throw-away database gets a throw-away secret).
 */
function jwtSecret(config: Config): Uint8Array {
  if (config.JWT_SECRET) return new TextEncoder().encode(config.JWT_SECRET)
  const url = config.DATABASE_URL
  if (url === 'memory://' || /^postgres(ql)?:/.test(url)) return randomBytes(32)
  const file = join(dirname(url.replace(/^file:\/\//, '')), 'jwt-secret')
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600 })
  }
  return new TextEncoder().encode(readFileSync(file, 'utf8').trim())
}

/** Opens the database, applies migrations and wires what the app needs. */
export async function createDeps(
  config: Config,
  options: OpenOptions & { migrate?: boolean; worker?: boolean } = {},
): Promise<Deps> {
  const log = createLogger(config.LOG_LEVEL)
  // First: a server without SECRETS_ENCRYPTION_KEY refuses to start before touching the database.
  const secrets = secretsFromConfig(config)
  const server = /^postgres(ql)?:/.test(config.DATABASE_URL)
  const embedder = createEmbedder(config)
  // Migrations and indexes need the table owner; the API then works as DB_APP_ROLE (owns nothing, no
  // BYPASSRLS). A server does the owner's part on its own short-lived pool, so no owner connection lingers.
  const ownerWork = async (pool: Database['pool']) => {
    if (options.migrate !== false) {
      const result = await migrate(pool)
      if (result.applied.length) log.info('migrations applied', { applied: result.applied })
    }
    if (embedder.dimension) {
      const store = await createVectorStore(config, pool)
      await store
        .prepare?.(embedder.model, embedder.dimension)
        .catch((err) => log.warn('vector index not created', { err: String(err) }))
    }
    if (!config.DB_APP_ROLE) return ''
    const { rows } = await pool.query('select 1 from pg_roles where rolname = $1', [config.DB_APP_ROLE])
    if (!rows[0])
      log.warn('database role missing; the API keeps the connecting role', { role: config.DB_APP_ROLE })
    return rows[0] ? config.DB_APP_ROLE : ''
  }
  let db: Database
  if (server) {
    const owner = await openDatabase(config.DATABASE_URL)
    let role = ''
    try {
      role = await ownerWork(owner.pool)
    } finally {
      await owner.close()
    }
    db = await openDatabase(config.DATABASE_URL, { ...options, role: role || undefined })
  } else {
    db = await openDatabase(config.DATABASE_URL, options)
    const role = await ownerWork(db.pool)
    if (role) await db.useRole(role)
  }
  const bus = new Bus(log)
  await bus.start(db)
  const store = await createVectorStore(config, db.pool)
  const storage = await createStorage(config)
  const deps: Deps = {
    config,
    db,
    pool: db.pool,
    bus,
    streams: new StreamRegistry(),
    log,
    jwtSecret: jwtSecret(config),
    secrets,
    state: { ready: true },
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
        d.limiters.close()
        await d.store.close?.()
        await d.bus.close()
        await d.db.close()
      })()
      return stopping
    },
  }
}
