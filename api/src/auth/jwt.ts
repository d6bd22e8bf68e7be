import { SignJWT, jwtVerify } from 'jose'
import type { Claims } from '../db/tx'

const ISSUER = 'parley'

/** Signs a console token with the claim shape Supabase Auth issues (sub, role, aud, email). */
export async function signAccessToken(secret: Uint8Array, user: { id: string; email: string }, ttlSeconds: number) {
  return new SignJWT({ role: 'authenticated', email: user.email, app_metadata: { provider: 'email' } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setAudience('authenticated')
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secret)
}

/** Verifies a console token: HS256 only (alg pinned), audience authenticated, not expired. */
export async function verifyAccessToken(secret: Uint8Array, token: string): Promise<Claims> {
  const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'], audience: 'authenticated' })
  if (typeof payload.sub !== 'string' || payload.role !== 'authenticated') throw new Error('bad claims')
  return { ...payload, sub: payload.sub, role: 'authenticated' } as Claims
}
