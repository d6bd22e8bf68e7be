import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { DatabaseUnavailable } from './db/database'

/** An error a client may read: its status, a stable code and a sentence. */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message })
  }
}

export const notFound = (what = 'Resource') => new ApiError(404, 'not_found', `${what} not found.`)
export const badRequest = (code: string, message: string) => new ApiError(400, code, message)
export const unauthorized = (message = 'Authentication required.') =>
  new ApiError(401, 'unauthorized', message)
export const forbidden = (message = 'You are not allowed to do this.') =>
  new ApiError(403, 'forbidden', message)
export const conflict = (message: string) => new ApiError(409, 'conflict', message)

export function errorBody(code: string, message: string) {
  return { error: { code, message } }
}

/** Postgres error codes we turn into client errors instead of 500s. */
export function fromPgError(err: unknown): ApiError | undefined {
  const e = err as { code?: string; constraint?: string }
  if (e?.code === '23505')
    return conflict(`That value is already taken${e.constraint ? ` (${e.constraint})` : ''}.`)
  if (e?.code === '23503') return notFound('A referenced resource')
  if (e?.code === '42501') return new ApiError(403, 'forbidden', 'You are not allowed to change that.')
  if (e?.code === '23514') return badRequest('validation_failed', 'A value is out of its allowed range.')
  if (e?.code === '22P02') return notFound()
  if (isConnectionError(e))
    return new ApiError(503, 'unavailable', 'The database is unavailable; try again shortly.')
  return undefined
}

/** A lost or refused database connection (server restart, killed backend, timeout), not a bad query. */
function isConnectionError(e: { code?: string; message?: string }): boolean {
  if (!e) return false
  if (e instanceof DatabaseUnavailable) return true
  // 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
  if (typeof e.code === 'string' && (/^08/.test(e.code) || /^57P0[123]$/.test(e.code))) return true
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(e.code ?? ''))
    return true
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended unexpectedly/i.test(
    e.message ?? '',
  )
}
