import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify, SignJWT } from 'jose'
import type { Claims } from '../db/tx'

const ISSUER = 'parley'

/** Signs a console token with the claim shape Supabase Auth issues (sub, role, aud, email). */
export async function signAccessToken(
  secret: Uint8Array,
  user: { id: string; email: string },
  ttlSeconds: number,
) {
  return new SignJWT({ role: 'authenticated', email: user.email, app_metadata: { provider: 'email' } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user.id)
    .setAudience('authenticated')
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(secret)
}

let jwks: { url: string; set: ReturnType<typeof createRemoteJWKSet> } | undefined

/**
 * Verifies a console token: our own HS256 tokens (or a Supabase project's, which share the secret),
 * or, when SUPABASE_JWKS_URL is set, a Supabase Auth token signed with the project's asymmetric keys.
 * Algorithms are pinned per path, audience must be authenticated, expiry is enforced.
 */
export async function verifyAccessToken(
  deps: { jwtSecret: Uint8Array; config: { SUPABASE_JWKS_URL?: string } },
  token: string,
): Promise<Claims> {
  const alg = decodeProtectedHeader(token).alg
  let payload
  if (alg === 'HS256') {
    ;({ payload } = await jwtVerify(token, deps.jwtSecret, {
      algorithms: ['HS256'],
      audience: 'authenticated',
      requiredClaims: ['exp', 'sub'],
    }))
  } else if (deps.config.SUPABASE_JWKS_URL && (alg === 'RS256' || alg === 'ES256')) {
    if (jwks?.url !== deps.config.SUPABASE_JWKS_URL)
      jwks = {
        url: deps.config.SUPABASE_JWKS_URL,
        set: createRemoteJWKSet(new URL(deps.config.SUPABASE_JWKS_URL)),
      }
    ;({ payload } = await jwtVerify(token, jwks.set, {
      algorithms: ['RS256', 'ES256'],
      audience: 'authenticated',
      requiredClaims: ['exp', 'sub'],
    }))
  } else {
    throw new Error(`algorithm not accepted: ${alg}`)
  }
  if (typeof payload.sub !== 'string' || payload.role !== 'authenticated' || 'api_key' in payload)
    throw new Error('bad claims')
  return { ...payload, sub: payload.sub, role: 'authenticated' } as Claims
}
