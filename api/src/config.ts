import { z } from 'zod'
import { limitsConfigSchema } from './http/limits-config'

const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes')

/** Every setting of the API, parsed once from the environment at start-up. */
export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** memory:// (throw-away), a folder path for embedded PGlite, or postgres://... for a server. */
  DATABASE_URL: z.string().min(1).default('.data/pglite'),
  /** The API's origin as browsers reach it; defaults to http://localhost:PORT (the port listened on when PORT=0). */
  PUBLIC_URL: z.url().optional(),
  DEMO: bool.default(false),
  DEMO_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** HS256 secret for console tokens (Supabase's JWT secret when on Supabase). Generated and kept under .data/ when unset. */
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(7 * 86400)
    .default(12 * 3600),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** How long a teammate's invitation link and a password-reset link stay usable. */
  INVITATION_TTL_HOURS: z.coerce.number().int().min(1).max(720).default(168),
  PASSWORD_RESET_TTL_MINUTES: z.coerce.number().int().min(5).max(1440).default(60),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(50 * 1024 * 1024)
    .default(64 * 1024),
  MESSAGE_MAX_CHARS: z.coerce.number().int().min(1).max(32_000).default(4000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  /** The role the API works as after migrating (owns nothing, no BYPASSRLS). Empty: stay the connecting user. */
  DB_APP_ROLE: z
    .union([z.literal(''), z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a plain role name')])
    .default('parley_app'),
  /** Server only: connections in the pool (per API process; a pooler's own limit applies behind it). */
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(500).default(10),
  /** Server only: give up opening a connection after this long (the request then fails with 503). */
  DB_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  /** Server only: a statement running longer is cancelled (set per transaction, so poolers keep it). 0: no limit. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /**
   * Server only: pipeline each transaction's statements (begin goes out with the first statement; a
   * one-statement query is one round trip). Off ('false') for a pooler that cannot take pipelined
   * messages.
   */
  DB_PIPELINE: bool.default(true),
  /**
   * Server only: prepare each parameterised statement once per connection, so Postgres plans it once
   * (always on with embedded PGlite). Unset: on, unless LISTEN_DATABASE_URL is set (DATABASE_URL is
   * then a transaction pooler, which may not keep prepared statements); 'true' for a pooler that does
   * (PgBouncer 1.21+ with max_prepared_statements).
   */
  DB_PREPARED_STATEMENTS: bool.optional(),
  /** Server only: how long start-up waits for an unreachable database before exiting non-zero. */
  DB_START_WAIT_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /**
   * Server only: a direct or session-mode connection for LISTEN, when DATABASE_URL goes through a
   * transaction pooler (Supabase's port 6543), where LISTEN delivers nothing. Defaults to DATABASE_URL.
   */
  LISTEN_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'a postgres:// URL')
    .optional(),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Where the built widget and console are served from. */
  STATIC_DIR: z.string().default('dist'),

  /** Any OpenAI-compatible server. Without a key the bot answers extractively (no model call). */
  LLM_API_KEY: z.string().min(1).optional(),
  LLM_BASE_URL: z.url().optional(),
  /** The default model; a bot's own model setting wins. */
  LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  /** No first token within this time: the call is abandoned (and retried once if nothing streamed). */
  LLM_FIRST_TOKEN_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(1000).max(600_000).default(60_000),
  /** Tokens of earlier conversation sent with each question. */
  LLM_HISTORY_TOKENS: z.coerce.number().int().min(0).max(32_000).default(1500),
  /** 'local' is the built-in deterministic embedder; anything else is an embeddings model on the LLM server. */
  EMBEDDING_MODEL: z.string().min(1).default('local'),
  EMBEDDING_DIMENSIONS: z.coerce.number().int().min(16).max(4000).optional(),
  EMBEDDING_BATCH: z.coerce.number().int().min(1).max(2048).default(64),
  /** Retrieval: passages given to the answer, and the confidence below which the bot says it does not know. */
  RETRIEVAL_K: z.coerce.number().int().min(1).max(20).default(5),
  RETRIEVAL_MIN_CONFIDENCE: z.coerce.number().min(0).max(1).optional(),
  VECTOR_STORE: z.enum(['pgvector', 'qdrant']).default('pgvector'),
  QDRANT_URL: z.url().optional(),
  QDRANT_API_KEY: z.string().optional(),
  /** Uploaded documents: size cap, and local folder unless Supabase Storage is configured. */
  UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(200 * 1024 * 1024)
    .default(20 * 1024 * 1024),
  STORAGE_DIR: z.string().default('.data/uploads'),
  SUPABASE_URL: z.url().optional(),
  SUPABASE_SERVICE_ROLE_KEY: z.string().optional(),
  /** A Supabase project's JWKS (…/auth/v1/.well-known/jwks.json): console tokens signed with its keys are accepted. */
  SUPABASE_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  SUPABASE_STORAGE_BUCKET: z.string().default('knowledge'),
  /** Website crawls: page cap per site, bytes and time per fetch. */
  CRAWL_MAX_PAGES: z.coerce.number().int().min(1).max(5000).default(50),
  FETCH_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(100 * 1024 * 1024)
    .default(5 * 1024 * 1024),
  FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** Tests only: lets the guarded fetch reach loopback addresses (a local test site). Never in production. */
  FETCH_ALLOW_LOOPBACK: bool.default(false),
  /** E-mail to the tenant's escalation address when a visitor needs a person (smtp://user:pass@host:587). */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'an smtp:// or smtps:// URL')
    .optional(),
  SMTP_FROM: z.string().default('Parley <no-reply@localhost>'),
  /** The background worker (knowledge jobs, scheduled crawls) runs in this process. */
  WORKER: bool.default(true),
  WORKER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** AES-256-GCM key for secrets at rest (32 bytes, base64). Generated under .data/ in embedded mode; required on a server. */
  SECRETS_ENCRYPTION_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, '32 bytes, base64-encoded')
    .optional(),
  /** Earlier keys, comma-separated: values sealed with them still open, and are re-sealed with the current key. */
  SECRETS_ENCRYPTION_OLD_KEYS: z.string().optional(),
  /** Messaging platforms' API base URLs (tests point them at local stand-ins). */
  TELEGRAM_API_URL: z.url().default('https://api.telegram.org'),
  META_GRAPH_URL: z.url().default('https://graph.facebook.com/v21.0'),
  /** Cal.com's API v2 base URL (meetings booked by the assistant; tests point it at a stand-in). */
  CALCOM_API_URL: z.url().default('https://api.cal.com/v2'),
  /** Channel sends: time per request, tries in all, and the first retry's delay (doubling after). */
  CHANNEL_SEND_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  CHANNEL_SEND_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(5),
  CHANNEL_RETRY_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(2000),
  /** Webhook calls accepted per channel account per minute. */
  CHANNEL_WEBHOOK_PER_MIN: z.coerce.number().int().min(1).max(1_000_000).default(1200),
  ...limitsConfigSchema.shape,
})

export type Config = z.infer<typeof configSchema>

/** Parses the environment; throws an Error naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const result = configSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}

/** Listening addresses a browser on the same machine reaches as localhost. */
const LOCAL_HOSTS = new Set(['', '127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'])

/**
 * The API's public origin: PUBLIC_URL, or else where the server listens (localhost, or HOST when it
 * names one address). With PORT=0 the port is the one the system gave (startServer puts it in the
 * config), never 0.
 */
export function publicUrl(config: Config): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/$/, '')
  const host = LOCAL_HOSTS.has(config.HOST)
    ? 'localhost'
    : config.HOST.includes(':')
      ? `[${config.HOST}]`
      : config.HOST
  return `http://${host}:${config.PORT}`
}
