import type { RateLimiterAbstract } from 'rate-limiter-flexible'

/*
 * The types of rate limiting, apart from its implementation: deps.ts names Limiters, the token budget
 * names the store, and neither has to import rate-limit.ts (which imports deps.ts for AppEnv).
 */

/** The limiters the API uses; see limitsFromConfig for what each counts. */
export type LimiterName =
  'ip' | 'principal' | 'session' | 'publishable_key' | 'publishable_key_ip' | 'tenant' | 'login'

/** One limit: `points` per `duration` seconds (a fixed window starting at a key's first hit). */
export interface LimitSpec {
  points: number
  duration: number
}

/** The store of the counters: per process, or in Postgres shared by every process over the database. */
export type RateLimitStore = 'memory' | 'postgres'

/** What a successful consume reports, for the RateLimit-* headers. */
export interface RateLimitResult {
  limit: number
  remaining: number
  /** Seconds until the window resets (integer, >= 1). */
  resetSeconds: number
}

/** Named limiters over one store. */
export interface Limiters<N extends string = LimiterName> {
  readonly store: RateLimitStore
  readonly limits: Readonly<Record<N, LimitSpec>>
  /** The underlying rate-limiter-flexible limiter, for what this interface does not cover. */
  limiter(name: N): RateLimiterAbstract
  /** Counts `cost` points against `key`; throws ApiError 429 rate_limited (with Retry-After) when over. */
  consume(name: N, key: string, cost?: number): Promise<RateLimitResult>
  /**
   * Forgets a key's count, e.g. the login limiter after a successful sign-in. Postgres store: other
   * processes that already refused the key keep refusing it from memory until its window ends.
   */
  reset(name: N, key: string): Promise<void>
  /** Deletes expired rows (postgres store; a no-op in memory, which expires by itself). Returns how many. */
  clearExpired(): Promise<number>
  /** Stops the periodic cleanup. */
  close(): void
}
