import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env'
import { unauthorized } from '../errors'
import { verifyAccessToken } from './jwt'

/** Reads `Authorization: Bearer <member JWT>` and puts the verified claims in c.var.user. */
export const requireUser = createMiddleware<AppEnv>(async function requireUser(c, next) {
  const header = c.req.header('authorization') ?? ''
  const match = /^Bearer\s+(\S+)$/i.exec(header)
  if (!match) throw unauthorized('Sign in first: send Authorization: Bearer <access_token>.')
  try {
    c.set('user', await verifyAccessToken(c.var.deps.jwtSecret, match[1]))
  } catch {
    throw unauthorized('The access token is invalid or expired; sign in again.')
  }
  await next()
})
