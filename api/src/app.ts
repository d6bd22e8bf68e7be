import { statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { prompts } from './admin/prompts'
import { analyticsRoutes } from './analytics/routes'
import { playground } from './admin/playground'
import { admin } from './admin/routes'
import { team } from './admin/team'
import { account } from './auth/account'
import { apiKeys } from './auth/api-keys'
import { channels } from './channels/routes'
import { contacts } from './contacts/routes'
import { authenticate, hasConsoleCredential, principalKey } from './auth/middleware'
import { auth } from './auth/routes'
import type { AppEnv, Deps } from './deps'
import { ApiError, errorBody, fromPgError } from './errors'
import { clientIp } from './http/client-ip'
import { widgetCors } from './http/cors'
import { rateLimit } from './http/rate-limit'
import { inbox } from './inbox/routes'
import { escalation } from './escalation/routes'
import { feedback } from './feedback/routes'
import { faqs } from './knowledge/faqs'
import { knowledge } from './knowledge/routes'
import { sessions } from './sessions/routes'

/** Builds the whole HTTP app from its parts; main.ts only starts a server around it. */
export function createApp(deps: Deps) {
  const app = new Hono<AppEnv>()

  app.use(requestId({ limitLength: 64 }))
  app.use(async function context(c, next) {
    c.set('deps', deps)
    const started = performance.now()
    await next()
    c.header('X-Content-Type-Options', 'nosniff')
    deps.log.info('request', {
      request_id: c.var.requestId,
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    })
  })
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      // bodyLimit answers from Content-Length before anything reads the body. The body is then not
      // drained, so the connection is closed cleanly with the response: a keep-alive client must not
      // send its next request on a socket whose unread bytes would be taken for one.
      onError: () => {
        throw new ApiError(413, 'payload_too_large', `The body is larger than ${maxSize} bytes.`, {
          Connection: 'close',
        })
      },
    })
  const jsonLimit = limit(deps.config.BODY_LIMIT_BYTES)
  // Uploads get their own cap (the file plus the multipart envelope); every other route the small one.
  const uploadLimit = limit(deps.config.UPLOAD_MAX_BYTES + 64 * 1024)
  const isUpload = (path: string) => /^\/v1\/tenants\/[^/]+\/knowledge\/documents\/?$/.test(path)
  app.use('/v1/*', (c, next) => (isUpload(c.req.path) ? uploadLimit(c, next) : jsonLimit(c, next)))
  app.use('/v1/widget/*', widgetCors())
  app.use('/v1/sessions', widgetCors())
  app.use('/v1/sessions/*', widgetCors())
  // After CORS, so a browser can read the 429. Preflights are free. A valid console credential is
  // counted per principal (member or key), anything else per client IP; the tenant's own budget is
  // spent only once a request is authenticated for it (asMember, a visitor's send).
  const hops = deps.config.TRUSTED_PROXY_HOPS
  // Platform webhooks come from a few platform IPs carrying every tenant's traffic: they are limited
  // per channel instead (channels/routes.ts).
  const isChannelWebhook = (path: string) => /^\/v1\/channels\/[^/]+\/webhook\/?$/.test(path)
  app.use(
    '/v1/*',
    rateLimit(deps.limiters, 'ip', async (c) => {
      // Platform webhooks come from a few platform addresses carrying every tenant: limited per channel.
      if (c.req.method === 'OPTIONS' || isChannelWebhook(c.req.path)) return null
      const ip = clientIp(c, { trustedProxyHops: hops })
      if (!hasConsoleCredential(c)) return ip
      // An address already over its budget is refused before any verification work (a key lookup).
      const seen = await deps.limiters.limiter('ip').get(ip)
      if (seen && seen.consumedPoints >= deps.limiters.limits.ip.points) return ip
      const auth = await authenticate(c)
      return auth && 'user' in auth ? null : ip
    }),
  )
  app.use(
    '/v1/*',
    rateLimit(deps.limiters, 'principal', async (c) => {
      if (c.req.method === 'OPTIONS' || !hasConsoleCredential(c)) return null
      const auth = await authenticate(c)
      return auth && 'user' in auth ? principalKey(auth.user) : null
    }),
  )

  app.get('/healthz', (c) => c.json({ ok: true }))
  app.get('/readyz', async (c) => {
    if (!deps.state.ready) return c.json(errorBody('unavailable', 'Shutting down.'), 503)
    if (!deps.bus.live) return c.json(errorBody('unavailable', 'Live delivery is down (LISTEN lost).'), 503)
    try {
      await deps.pool.query('select 1')
      return c.json({ ok: true, retrieval: deps.state.retrieval })
    } catch {
      return c.json(errorBody('unavailable', 'The database is not reachable.'), 503)
    }
  })

  app.route('/v1', apiKeys)
  app.route('/v1', auth)
  app.route('/v1', account)
  app.route('/v1', sessions)
  app.route('/v1', inbox)
  app.route('/v1', faqs)
  app.route('/v1', knowledge)
  app.route('/v1', escalation)
  app.route('/v1', admin)
  app.route('/v1', prompts)
  app.route('/v1', playground)
  app.route('/v1', team)
  app.route('/v1', channels)
  app.route('/v1', contacts)
  app.route('/v1', feedback)
  app.route('/v1', analyticsRoutes)
  serveStatic(app, resolve(deps.config.STATIC_DIR))

  app.onError((err, c) => {
    if (err instanceof ApiError) {
      return c.json(errorBody(err.code, err.message), err.status, err.headers)
    }
    const pg = fromPgError(err)
    if (pg) return c.json(errorBody(pg.code, pg.message), pg.status)
    if (err instanceof HTTPException && err.status < 500) {
      return c.json(errorBody('bad_request', err.message || 'Bad request.'), err.status)
    }
    deps.log.error('unhandled error', {
      request_id: c.var.requestId,
      path: c.req.path,
      err: String(err),
      stack: (err as Error).stack,
    })
    return c.json(errorBody('internal', 'Something went wrong on our side. Try again.'), 500)
  })

  const routes = app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({ method: r.method, re: pathRegex(r.path) }))
  app.notFound((c) => {
    const allowed = [...new Set(routes.filter((r) => r.re.test(c.req.path)).map((r) => r.method))]
    // A route of this method exists and declined (a static file that is not there): not found.
    const method = c.req.method === 'HEAD' ? 'GET' : c.req.method
    if (allowed.length && !allowed.includes(method)) {
      return c.json(errorBody('method_not_allowed', `Use ${allowed.join(' or ')} on this path.`), 405, {
        Allow: allowed.join(', '),
      })
    }
    return c.json(errorBody('not_found', 'No such route.'), 404)
  })
  return app
}

function pathRegex(path: string): RegExp {
  const body = path
    .split('/')
    .map((part) => {
      // ":file{[a-z0-9-]+\\.js}" keeps its own pattern, so /robots.txt is not taken for a widget file.
      const custom = /^:[^{]+\{(.+)\}$/.exec(part)
      if (custom) return `(?:${custom[1]})`
      return part.startsWith(':')
        ? '[^/]+'
        : part === '*'
          ? '.*'
          : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')
  return new RegExp(`^${body}/?$`)
}

const isFile = (path: string) => statSync(path, { throwIfNoEntry: false })?.isFile() === true

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
}

/**
 * The widget (/widget.js, /chat.js: any site may load them, so CORS is open and there are no
 * credentials) and the console (/console/, a single-page app).
 */
function serveStatic(app: Hono<AppEnv>, root: string) {
  const send = async (file: string, cache: string, extra: Record<string, string> = {}) => {
    const ext = file.slice(file.lastIndexOf('.'))
    return new Response(await readFile(file), {
      headers: { 'Content-Type': TYPES[ext] ?? 'application/octet-stream', 'Cache-Control': cache, ...extra },
    })
  }
  const widgetDir = join(root, 'widget')
  app.get('/:file{[a-z0-9-]+\\.js}', async (c, next) => {
    const file = join(widgetDir, c.req.param('file'))
    if (!isFile(file)) return next()
    return send(file, 'public, max-age=300', {
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    })
  })
  const consoleDir = join(root, 'console')
  app.get('/console', (c) => c.redirect('/console/'))
  app.get('/console/*', async (c) => {
    const rel = c.req.path.slice('/console/'.length)
    const file = resolve(consoleDir, rel)
    if (rel && file.startsWith(consoleDir + '/') && isFile(file)) {
      return send(file, rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache')
    }
    const index = join(consoleDir, 'index.html')
    if (!isFile(index))
      return c.json(errorBody('not_found', 'The console is not built: run npm run build.'), 404)
    return send(index, 'no-cache', {
      'Content-Security-Policy':
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
      'X-Frame-Options': 'DENY',
    })
  })
}
