import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

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
  return undefined
}
