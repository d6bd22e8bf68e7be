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
    assertSafeJson(raw)
    const parsed = schema.safeParse(raw)
    if (!parsed.success) throw badRequest('validation_failed', describeIssue(parsed.error))
    c.set('body', parsed.data)
    await next()
  })
}

export function query<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  assertSafeJson(input)
  const parsed = schema.safeParse(input)
  if (!parsed.success) throw badRequest('validation_failed', describeIssue(parsed.error))
  return parsed.data
}

export const uuidRe = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Deepest nesting a JSON body may have (a rule's condition tree needs about 10). */
export const MAX_JSON_DEPTH = 32
/** Most values (objects, arrays, scalars) a JSON body may hold. */
export const MAX_JSON_NODES = 20_000

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why a string cannot be stored (Postgres text and jsonb refuse NUL; lone surrogates are not Unicode). */
export function stringProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain NUL characters'
  if (LONE_SURROGATE.test(s)) return 'must not contain lone surrogates (invalid Unicode)'
  return null
}

const fieldName = (path: (string | number)[]) =>
  path.length
    ? path.reduce<string>(
        (out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${seg}` : seg),
        '',
      )
    : 'body'

/**
 * The same check for a multipart body (an upload): every text field and every file's name, 400
 * naming the field (`title`, `file.name`), so a filename cannot carry a NUL or a lone surrogate into
 * a query either.
 */
export function assertSafeForm(form: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(form)) {
    const keyProblem = stringProblem(k)
    if (keyProblem) throw badRequest('validation_failed', `${fieldName([k])}: the key ${keyProblem}`)
    for (const [i, item] of (Array.isArray(v) ? v : [v]).entries()) {
      const at = Array.isArray(v) ? `${k}[${i}]` : k
      const value = item instanceof File ? item.name : item
      const problem = typeof value === 'string' ? stringProblem(value) : null
      if (problem)
        throw badRequest('validation_failed', `${item instanceof File ? `${at}.name` : at}: ${problem}`)
    }
  }
}

/**
 * Every JSON body (and query string) passes here before its schema: nesting at most MAX_JSON_DEPTH,
 * at most MAX_JSON_NODES values, and no key or string with NUL or a lone surrogate, so nothing deep
 * enough to overflow a stack (the driver's, when the value is written to a jsonb column) and no
 * string Postgres refuses ever reaches a query. Iterative: the check itself cannot overflow. 400
 * naming the field.
 */
export function assertSafeJson(value: unknown): void {
  const stack: [unknown, (string | number)[]][] = [[value, []]]
  let nodes = 0
  while (stack.length) {
    const [v, path] = stack.pop()!
    if (++nodes > MAX_JSON_NODES)
      throw badRequest('json_too_large', `body: at most ${MAX_JSON_NODES} values.`)
    if (typeof v === 'string') {
      const problem = stringProblem(v)
      if (problem) throw badRequest('validation_failed', `${fieldName(path)}: ${problem}`)
      continue
    }
    if (typeof v !== 'object' || v === null) continue
    if (path.length >= MAX_JSON_DEPTH)
      throw badRequest('json_too_deep', `${fieldName(path)}: nested deeper than ${MAX_JSON_DEPTH} levels.`)
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], [...path, i]])
    } else {
      for (const [k, child] of Object.entries(v)) {
        const problem = stringProblem(k)
        if (problem) throw badRequest('validation_failed', `${fieldName([...path, k])}: the key ${problem}`)
        stack.push([child, [...path, k]])
      }
    }
  }
}
