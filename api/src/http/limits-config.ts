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
  /** Requests per minute from one client IP (IPv6: one /64). */
  RATE_LIMIT_IP_PER_MIN: perWindow(120),
  /** Visitor messages per minute in one session: each may cost an LLM call. */
  RATE_LIMIT_SESSION_MESSAGES_PER_MIN: perWindow(20),
  /** Session creations per minute per publishable key. */
  RATE_LIMIT_KEY_PER_MIN: perWindow(600),
  /** Requests per minute per tenant, across all its visitors and members. */
  RATE_LIMIT_TENANT_PER_MIN: perWindow(3000),
  /** Sign-in attempts per 15 minutes per client IP and e-mail. */
  RATE_LIMIT_LOGIN_PER_15MIN: perWindow(10),
  /** LLM tokens (prompt + completion) per tenant per UTC day; 0 means no budget. */
  LLM_DAILY_TOKEN_BUDGET: z.coerce.number().int().min(0).default(2_000_000),
})

export type LimitsConfig = z.infer<typeof limitsConfigSchema>
