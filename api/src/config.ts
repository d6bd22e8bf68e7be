import { z } from 'zod'

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
  /** The API's origin as browsers reach it; defaults to http://localhost:PORT. */
  PUBLIC_URL: z.url().optional(),
  DEMO: bool.default(false),
  DEMO_PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  /** HS256 secret for console tokens (Supabase's JWT secret when on Supabase). Generated and kept under .data/ when unset. */
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  JWT_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 86400).default(12 * 3600),
  SESSION_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(50 * 1024 * 1024).default(64 * 1024),
  MESSAGE_MAX_CHARS: z.coerce.number().int().min(1).max(32_000).default(4000),
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Where the built widget and console are served from. */
  STATIC_DIR: z.string().default('dist'),
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

/** The API's public origin. */
export function publicUrl(config: Config): string {
  return (config.PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '')
}
