import type { Context, MiddlewareHandler } from 'hono'
import type { AppEnv } from '../deps'
import { publicUrl } from '../config'
import { ApiError } from '../errors'

let cache: { at: number; origins: Set<string>; any: boolean } | undefined
const TTL_MS = 5000

/** Forget cached origins (after a widget config changes in this process). */
export function invalidateOrigins() {
  cache = undefined
}

async function knownOrigins(c: Context<AppEnv>) {
  if (cache && Date.now() - cache.at < TTL_MS) return cache
  const { rows } = await c.var.deps.pool.query(
    'select distinct unnest(allowed_origins) as o from widget_configs',
  )
  const origins = new Set<string>(rows.map((r) => r.o))
  cache = { at: Date.now(), origins, any: origins.has('*') }
  return cache
}

function originAllowed(list: readonly string[], origin: string): boolean {
  return list.includes('*') || list.includes(origin)
}

/**
 * CORS for the widget side. A browser may call only from an origin some widget allows; each handler
 * then checks the origin against its own widget (assertOrigin). Deny by default: no allowed origin,
 * no CORS headers. Origin is never authentication: requests without it (servers, curl) still need
 * the key or the session token like any other.
 */
export function widgetCors(): MiddlewareHandler<AppEnv> {
  return async function widgetCors(c, next) {
    const origin = c.req.header('origin')
    const known = origin ? await knownOrigins(c) : undefined
    const allowed = !!origin && !!known && (known.any || known.origins.has(origin))
    if (c.req.method === 'OPTIONS') {
      const headers: Record<string, string> = { Vary: 'Origin' }
      if (allowed) {
        Object.assign(headers, {
          'Access-Control-Allow-Origin': origin!,
          'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
          'Access-Control-Allow-Headers': 'Authorization, Content-Type, Accept, Last-Event-ID',
          'Access-Control-Max-Age': '600',
        })
      }
      return c.body(null, 204, headers)
    }
    c.header('Vary', 'Origin')
    if (allowed) {
      c.header('Access-Control-Allow-Origin', origin!)
      c.header('Access-Control-Expose-Headers', 'X-Request-Id, Retry-After')
    }
    await next()
  }
}

/**
 * Refuses a browser request from an origin this widget does not list. The API's own origin is always
 * allowed: only our pages run there (the console's widget preview), and no other site can make a
 * browser send it.
 */
export function assertOrigin(c: Context<AppEnv>, allowedOrigins: readonly string[]) {
  const origin = c.req.header('origin')
  if (!origin || origin === publicUrl(c.var.deps.config) || origin === new URL(c.req.url).origin) return
  if (!originAllowed(allowedOrigins, origin)) {
    throw new ApiError(403, 'origin_not_allowed', `This widget is not enabled on ${origin}.`)
  }
}
