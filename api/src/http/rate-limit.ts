import { createHash } from 'node:crypto'
import type { Context, Env, MiddlewareHandler } from 'hono'
import type pg from 'pg'
import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible'
import type { AppEnv } from '../deps'
import { ApiError } from '../errors'
import type { LimitsConfig } from './limits-config'
import type { LimiterName, Limiters, LimitSpec, RateLimitResult, RateLimitStore } from './limits'

interface CreateLimitersOptions<N extends string> {
  store: RateLimitStore
  /** Required with store 'postgres'. */
  pool?: pg.Pool
  limits: Record<N, LimitSpec>
  /** Postgres store: how often to delete expired rows; 0 turns it off. Default 10 minutes. */
  cleanupEveryMs?: number
}

const TABLE = 'rate_limits'
const SCHEMA = 'app_private'

/** The API's limits from config: the windows are fixed here, the sizes come from the environment. */
export function limitsFromConfig(config: LimitsConfig): Record<LimiterName, LimitSpec> {
  return {
    ip: { points: config.RATE_LIMIT_IP_PER_MIN, duration: 60 },
    principal: { points: config.RATE_LIMIT_PRINCIPAL_PER_MIN, duration: 60 },
    session: { points: config.RATE_LIMIT_SESSION_MESSAGES_PER_MIN, duration: 60 },
    publishable_key: { points: config.RATE_LIMIT_KEY_PER_MIN, duration: 60 },
    publishable_key_ip: { points: config.RATE_LIMIT_KEY_IP_PER_MIN, duration: 60 },
    tenant: { points: config.RATE_LIMIT_TENANT_PER_MIN, duration: 60 },
    login: { points: config.RATE_LIMIT_LOGIN_PER_15MIN, duration: 15 * 60 },
  }
}

/**
 * Builds one rate-limiter-flexible limiter per name. The postgres store uses the library's
 * RateLimiterPostgres over our pg.Pool (it works on PGlite too: one atomic
 * `insert ... on conflict do update ... returning` per consume) against app_private.rate_limits, made
 * by migration 20261123000020, so it never runs DDL itself (tableCreated: true). Each keeps an
 * in-memory insurance limiter: if the database errors, counting goes on per process instead of
 * failing every request.
 */
export function createLimiters<N extends string>(options: CreateLimitersOptions<N>): Limiters<N> {
  const { store, pool, limits } = options
  if (store === 'postgres' && !pool) throw new Error('createLimiters: the postgres store needs a pool')
  const byName = new Map<string, RateLimiterAbstract>()
  for (const [name, spec] of Object.entries(limits) as [N, LimitSpec][]) {
    const base = { keyPrefix: name, points: spec.points, duration: spec.duration }
    const limiter =
      store === 'postgres'
        ? new RateLimiterPostgres({
            ...base,
            storeClient: pool,
            storeType: 'pool',
            schemaName: SCHEMA,
            tableName: TABLE,
            tableCreated: true,
            // One cleanup for the shared table below, not a timer per limiter.
            clearExpiredByTimeout: false,
            // Once a key is over, refuse it from memory until its window ends: a flood from one key
            // then costs this process no database round trips.
            inMemoryBlockOnConsumed: spec.points + 1,
            insuranceLimiter: new RateLimiterMemory(base),
          })
        : new RateLimiterMemory(base)
    byName.set(name, limiter)
  }

  const get = (name: N) => {
    const limiter = byName.get(name)
    if (!limiter) throw new Error(`No rate limiter named ${name}`)
    return limiter
  }

  const clearExpired = async () => (store === 'postgres' ? clearExpiredRateLimits(pool!) : 0)
  const every = options.cleanupEveryMs ?? 10 * 60_000
  let timer: NodeJS.Timeout | undefined
  if (store === 'postgres' && every > 0) {
    // Best effort: a failed cleanup only leaves rows for the next one.
    timer = setInterval(() => void clearExpired().catch(() => {}), every)
    timer.unref()
  }

  return {
    store,
    limits,
    limiter: get,
    async consume(name, key, cost = 1) {
      const limiter = get(name)
      try {
        const res = await limiter.consume(storeKey(key), cost)
        return result(limiter, res)
      } catch (err) {
        if (err instanceof RateLimiterRes) throw tooMany(limiter, err)
        throw new Error(`rate limiter ${name} failed`, { cause: err })
      }
    },
    async reset(name, key) {
      await get(name).delete(storeKey(key))
    },
    clearExpired,
    close() {
      if (timer) clearInterval(timer)
    },
  }
}

/** Deletes rate-limit rows whose window ended; returns how many. */
export async function clearExpiredRateLimits(pool: pg.Pool, now = Date.now()): Promise<number> {
  const { rowCount } = await pool.query(`delete from ${SCHEMA}.${TABLE} where expire < $1`, [now])
  return rowCount ?? 0
}

/**
 * Middleware counting each request against one named limiter. `keyOf` names the bucket (a client IP,
 * a session id, a tenant id); null skips the limit for this request (e.g. no session yet). `limiters`
 * may be a function of the context, so module-level routers can reach the limiters in c.var.deps.
 * Over the limit it throws ApiError 429 rate_limited with Retry-After, which app.onError renders as
 * the contract's error body; under it, it sets RateLimit-Limit / -Remaining / -Reset (when several
 * limiters apply, the one with the fewest requests left wins).
 */
export function rateLimit<E extends Env = AppEnv, N extends string = LimiterName>(
  limiters: Limiters<N> | ((c: Context<E>) => Limiters<N>),
  name: N,
  keyOf: (c: Context<E>) => string | null | undefined | Promise<string | null | undefined>,
  cost = 1,
): MiddlewareHandler<E> {
  return async function rateLimit(c, next) {
    const key = await keyOf(c)
    if (key === null || key === undefined) return next()
    const set = typeof limiters === 'function' ? limiters(c) : limiters
    const res = await set.consume(name, key, cost)
    await next()
    // After next(): the handler's response exists, so the headers land on it whatever it returned.
    const current = c.res.headers.get('RateLimit-Remaining')
    if (current === null || Number(current) > res.remaining) {
      for (const [k, v] of Object.entries(headers(res))) c.header(k, v)
    }
  }
}

function result(limiter: RateLimiterAbstract, res: RateLimiterRes): RateLimitResult {
  return {
    limit: limiter.points,
    remaining: Math.max(0, res.remainingPoints),
    // msBeforeNext is -1 for keys that never expire; our limits always have a duration.
    resetSeconds: Math.max(
      1,
      Math.ceil((res.msBeforeNext > 0 ? res.msBeforeNext : limiter.duration * 1000) / 1000),
    ),
  }
}

function headers(r: RateLimitResult): Record<string, string> {
  return {
    'RateLimit-Limit': String(r.limit),
    'RateLimit-Remaining': String(r.remaining),
    'RateLimit-Reset': String(r.resetSeconds),
  }
}

function tooMany(limiter: RateLimiterAbstract, res: RateLimiterRes): ApiError {
  const r = result(limiter, res)
  const unit = r.resetSeconds === 1 ? 'second' : 'seconds'
  return new ApiError(429, 'rate_limited', `Too many requests. Try again in ${r.resetSeconds} ${unit}.`, {
    'Retry-After': String(r.resetSeconds),
    ...headers({ ...r, remaining: 0 }),
  })
}

/**
 * Keys come from clients (e-mails, ids); long ones are hashed so a key never outgrows a btree entry
 * and every key costs the same row size.
 */
function storeKey(key: string): string {
  return key.length <= 128 ? key : 'sha256:' + createHash('sha256').update(key).digest('base64url')
}
