import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../deps'
import { forbidden, unauthorized } from '../errors'
import { verifyApiKey } from './keys'
import { verifyAccessToken } from './jwt'

/**
 * Reads `Authorization: Bearer <member JWT>` or `Bearer sk_...` (a tenant secret key) and puts the
 * verified claims in c.var.user. A key's claims carry its tenant and role (set here, after the hash
 * matched), which the membership helpers in the database accept; read-only keys may only read.
 */
export const requireUser = createMiddleware<AppEnv>(async function requireUser(c, next) {
  const header = c.req.header('authorization') ?? ''
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw unauthorized('Sign in first: send Authorization: Bearer <access_token>.')
  const token = match[1]!
  if (token.startsWith('sk_')) {
    const key = await verifyApiKey(c.var.deps.pool, token)
    if (!key) throw unauthorized('This API key is unknown or revoked.')
    if (key.principal.read_only && !['GET', 'HEAD'].includes(c.req.method))
      throw forbidden('This API key only has the read scope.')
    c.set('user', { sub: key.created_by ?? key.principal.id, role: 'authenticated', api_key: key.principal })
  } else {
    try {
      c.set('user', await verifyAccessToken(c.var.deps, token))
    } catch {
      throw unauthorized('The access token is invalid or expired; sign in again.')
    }
  }
  await next()
})
