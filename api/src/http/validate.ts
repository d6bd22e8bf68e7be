import { createMiddleware } from 'hono/factory'
import type { z } from 'zod'
import { ApiError, badRequest } from '../errors'
import type { AppEnv } from '../deps'

/** Names the first problem of a zod error as a sentence a client developer can act on. */
function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0]
  const where = issue.path.length ? issue.path.join('.') : 'body'
  return `${where}: ${issue.message}`
}

/**
 * Validates a JSON body: 415 for another content type, 400 invalid_json for broken JSON, 400
 * validation_failed naming the field. The parsed value is read with c.get('body') via `body(c)`.
 */
export function jsonBody<S extends z.ZodType>(schema: S) {
  return createMiddleware<AppEnv>(async function jsonBody(c, next) {
    const type = c.req.header('content-type') ?? ''
    if (!/^application\/(.+\+)?json\b/i.test(type)) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the body as application/json.')
    }
    let raw: unknown
    try {
      raw = JSON.parse(await c.req.text())
    } catch {
      throw badRequest('invalid_json', 'The request body is not valid JSON.')
    }
    const parsed = schema.safeParse(raw)
    if (!parsed.success) throw badRequest('validation_failed', describeIssue(parsed.error))
    c.set('body', parsed.data)
    await next()
  })
}

export function query<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw badRequest('validation_failed', describeIssue(parsed.error))
  return parsed.data
}

export const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
