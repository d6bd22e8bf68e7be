import type { Context } from 'hono'
import { createMiddleware } from 'hono/factory'
import type { Claims } from '../db/tx'
import type { AppEnv } from '../deps'
import { ApiError, forbidden, unauthorized } from '../errors'
import { verifyApiKey } from './keys'
import { verifyAccessToken } from './jwt'

/** What a request's console credential turned out to be: a principal, or the refusal to give. */
export type Authentication = { user: Claims } | { error: ApiError }

const CONSOLE_BEARER = /^Bearer\s+(sk_\S+|[\w-]+\.[\w-]+\.[\w-]+)$/i
const resolved = new WeakMap<Request, Promise<Authentication | null>>()

/** True when the request carries something that claims to be a console credential (a JWT or `sk_...`). */
export function hasConsoleCredential(c: Context<AppEnv>): boolean {
  return CONSOLE_BEARER.test(c.req.header('authorization') ?? '')
}

/**
 * Verifies the request's console credential once (the rate limiter asks first, requireUser after):
 * null when there is none, else the verified claims or the 401 to answer. A key's claims carry its
 * tenant and role, which the membership helpers in the database accept.
 */
export function authenticate(c: Context<AppEnv>): Promise<Authentication | null> {
  let p = resolved.get(c.req.raw)
  if (!p) {
    p = resolve(c)
    resolved.set(c.req.raw, p)
  }
  return p
}

async function resolve(c: Context<AppEnv>): Promise<Authentication | null> {
  const match = CONSOLE_BEARER.exec(c.req.header('authorization') ?? '')
  if (!match) return null
  const token = match[1]!
  if (token.startsWith('sk_')) {
    const key = await verifyApiKey(c.var.deps.pool, token)
    if (!key) return { error: unauthorized('This API key is unknown or revoked.') }
    return {
      user: { sub: key.created_by ?? key.principal.id, role: 'authenticated', api_key: key.principal },
    }
  }
  try {
    return { user: await verifyAccessToken(c.var.deps, token) }
  } catch {
    return { error: unauthorized('The access token is invalid or expired; sign in again.') }
  }
}

/** The rate-limit bucket of a verified principal: one per API key, one per console user. */
export function principalKey(user: Claims): string {
  const key = user.api_key as { id: string } | undefined
  return key ? `key:${key.id}` : `user:${user.sub}`
}

/**
 * Reads `Authorization: Bearer <member JWT>` or `Bearer sk_...` (a tenant secret key) and puts the
 * verified claims in c.var.user; read-only keys may only read.
 */
export const requireUser = createMiddleware<AppEnv>(async function requireUser(c, next) {
  const auth = await authenticate(c)
  if (!auth) throw unauthorized('Sign in first: send Authorization: Bearer <access_token>.')
  if ('error' in auth) throw auth.error
  const key = auth.user.api_key as { read_only?: boolean } | undefined
  if (key?.read_only && !['GET', 'HEAD'].includes(c.req.method))
    throw forbidden('This API key only has the read scope.')
  c.set('user', auth.user)
  await next()
})
