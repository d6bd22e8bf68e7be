import { z } from 'zod'

const perWindow = (fallback: number) => z.coerce.number().int().min(1).max(1_000_000).default(fallback)

/**
 * The settings of rate limiting and the LLM token budget, to merge into config.ts's configSchema
 * (`z.object({ ...configShape, ...limitsConfigSchema.shape })`).
 */
export const limitsConfigSchema = z.object({
  /** memory: each process counts alone. postgres: every API process over one database shares counts. */
  RATE_LIMIT_STORE: z.enum(['memory', 'postgres']).default('memory'),
  /**
   * How many reverse proxies of ours sit in front of the API, each appending to X-Forwarded-For.
   * 0 (the default) ignores X-Forwarded-For entirely: anyone can write that header.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  /**
   * Requests per minute from one client IP (IPv6: one /64), for requests without a valid console
   * credential: widget traffic, and failed sign-ins or bad tokens.
   */
  RATE_LIMIT_IP_PER_MIN: perWindow(120),
  /**
   * Requests per minute per signed-in console member or API key, wherever they come from (an office of
   * agents behind one NAT shares nothing).
   */
  RATE_LIMIT_PRINCIPAL_PER_MIN: perWindow(600),
  /** Visitor messages per minute in one session: each may cost an LLM call. */
  RATE_LIMIT_SESSION_MESSAGES_PER_MIN: perWindow(20),
  /**
   * Session creations per minute per publishable key, all clients together: a ceiling that a handful
   * of addresses cannot reach, since each has RATE_LIMIT_KEY_IP_PER_MIN.
   */
  RATE_LIMIT_KEY_PER_MIN: perWindow(6000),
  /** Session creations per minute per publishable key from one client IP. */
  RATE_LIMIT_KEY_IP_PER_MIN: perWindow(20),
  /**
   * Requests per minute per tenant, across all its visitors and members; only requests already
   * authenticated for the tenant (a member, its key, one of its visitor sessions) count.
   */
  RATE_LIMIT_TENANT_PER_MIN: perWindow(3000),
  /** Sign-in attempts per 15 minutes per client IP and e-mail. */
  RATE_LIMIT_LOGIN_PER_15MIN: perWindow(10),
  /** Open event streams per visitor session, and per console member or API key. */
  STREAMS_PER_SESSION: perWindow(5),
  /** Open event streams per client IP (visitor streams). */
  STREAMS_PER_IP: perWindow(50),
  /** Open event streams per API process. */
  STREAMS_MAX: perWindow(10_000),
  /** A stream that delivered no event for this long ends with `event: bye` (the client reconnects). */
  STREAM_IDLE_MS: z.coerce
    .number()
    .int()
    .min(1000)
    .default(30 * 60_000),
  /** How often an open stream's credential is checked again (revoked key, removed member, expiry). */
  STREAM_RECHECK_MS: z.coerce.number().int().min(100).default(30_000),
  /** LLM tokens (prompt + completion) per tenant per UTC day; 0 means no budget. */
  LLM_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(2_000_000),
})

export type LimitsConfig = z.infer<typeof limitsConfigSchema>
