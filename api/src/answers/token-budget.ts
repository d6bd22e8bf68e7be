import type pg from 'pg'
import { ApiError } from '../errors'
import type { RateLimitStore } from '../http/limits'

/** Where a tenant stands against its daily LLM token budget. */
export interface TokenBudgetStatus {
  /** False once the day's tokens are spent: make no more LLM calls for this tenant today. */
  allowed: boolean
  /** Tokens left today; null when there is no budget (LLM_DAILY_TOKEN_BUDGET = 0). */
  remaining: number | null
  /** The next UTC midnight, ISO 8601: when the budget starts over. */
  resets_at: string
}

/** A daily (UTC day) budget of LLM tokens per tenant. */
export interface TokenBudget {
  /** Tokens per tenant per day; 0 means unlimited. */
  readonly dailyTokens: number
  check(tenantId: string): Promise<TokenBudgetStatus>
  /** Records tokens spent (prompt + completion) and returns the status after them. */
  spend(tenantId: string, tokens: number): Promise<TokenBudgetStatus>
}

export interface CreateTokenBudgetOptions {
  store: RateLimitStore
  /** Required with store 'postgres'. */
  pool?: pg.Pool
  dailyTokens: number
  /** The clock (tests move it to the next day). */
  now?: () => Date
}

/**
 * The per-tenant daily LLM token budget. The postgres store keeps one row per tenant and UTC day in
 * app_private.llm_token_usage, bumped by one atomic upsert, so every API process sees the same total;
 * the memory store counts per process. The day is computed here from `now`, not by the database's
 * current_date, so it is UTC whatever the server's time zone and a test clock can move it.
 *
 * check-then-spend is not a reservation: answers already in flight when the budget runs out still
 * finish and are counted, so a tenant can overshoot by the answers it has in flight at that moment.
 */
export function createTokenBudget(options: CreateTokenBudgetOptions): TokenBudget {
  const { store, pool, dailyTokens } = options
  const now = options.now ?? (() => new Date())
  if (store === 'postgres' && !pool) throw new Error('createTokenBudget: the postgres store needs a pool')
  const memory = new Map<string, number>()
  let memoryDay = ''

  const status = (used: number, at: Date): TokenBudgetStatus => ({
    allowed: dailyTokens === 0 || used < dailyTokens,
    remaining: dailyTokens === 0 ? null : Math.max(0, dailyTokens - used),
    resets_at: nextUtcMidnight(at).toISOString(),
  })

  /** Memory store: only today's counts are ever needed, so a new day starts an empty map. */
  const today = (day: string) => {
    if (day !== memoryDay) {
      memory.clear()
      memoryDay = day
    }
    return memory
  }

  return {
    dailyTokens,
    async check(tenantId) {
      const at = now()
      const day = utcDay(at)
      if (store === 'memory') return status(today(day).get(tenantId) ?? 0, at)
      const { rows } = await pool!.query(
        'select tokens from app_private.llm_token_usage where tenant_id = $1 and day = $2',
        [tenantId, day],
      )
      return status(rows.length ? Number(rows[0].tokens) : 0, at)
    },
    async spend(tenantId, tokens) {
      const at = now()
      const day = utcDay(at)
      // Token counts come from the LLM server's usage report; never let a bad one lower the total.
      const n = Number.isFinite(tokens) ? Math.max(0, Math.round(tokens)) : 0
      if (store === 'memory') {
        const counts = today(day)
        const used = (counts.get(tenantId) ?? 0) + n
        counts.set(tenantId, used)
        return status(used, at)
      }
      const { rows } = await pool!.query(
        `insert into app_private.llm_token_usage (tenant_id, day, tokens) values ($1, $2, $3)
         on conflict (tenant_id, day) do update set tokens = llm_token_usage.tokens + excluded.tokens
         returning tokens`,
        [tenantId, day, n],
      )
      return status(Number(rows[0].tokens), at)
    },
  }
}

/**
 * The 429 for a spent budget, with Retry-After until the next UTC midnight. Widget answers may prefer
 * to fall back to extractive answers (no LLM) instead of refusing the visitor.
 */
export function tokenBudgetExceeded(status: TokenBudgetStatus, now = new Date()): ApiError {
  const seconds = Math.max(1, Math.ceil((Date.parse(status.resets_at) - now.getTime()) / 1000))
  return new ApiError(
    429,
    'rate_limited',
    "Today's AI answer budget for this workspace is used up. It resets at midnight UTC.",
    {
      'Retry-After': String(seconds),
    },
  )
}

/** Deletes usage rows older than `keepDays` UTC days; returns how many. */
export async function clearOldTokenUsage(pool: pg.Pool, keepDays = 90, now = new Date()): Promise<number> {
  const cutoff = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - keepDays))
  const { rowCount } = await pool.query('delete from app_private.llm_token_usage where day < $1', [
    utcDay(cutoff),
  ])
  return rowCount ?? 0
}

/** YYYY-MM-DD of the UTC day. */
function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10)
}

function nextUtcMidnight(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate() + 1))
}
