import { createHmac, timingSafeEqual } from 'node:crypto'
import { jwtVerify } from 'jose'
import { z } from 'zod'
import { ApiError } from '../errors'

/** What the site passes to identify a signed-in visitor (docs/api.md, "Identity verification"). */
export const identitySchema = z
  .object({
    user_id: z.string().min(1).max(200),
    /** hex HMAC-SHA256 of user_id with the widget's identity secret, computed on the site's server. */
    user_hash: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, '64 hex characters (HMAC-SHA256 of user_id)')
      .optional(),
    /** Or a short-lived HS256 JWT signed with the identity secret: sub = user_id, exp required. */
    user_jwt: z.string().max(4000).optional(),
    name: z.string().max(200).optional(),
    email: z.email().max(320).optional(),
    attributes: z
      .record(z.string().max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
      .optional(),
  })
  .strict()

export type IdentityInput = z.infer<typeof identitySchema>

export interface Verified {
  user_id: string
  name?: string
  email?: string
  attributes?: Record<string, unknown>
}

/** The longest a user_jwt may live: a leaked token must stop working soon. */
const MAX_JWT_AGE = '1h'

/**
 * Checks an identity against the widget's secret. Returns the verified identity, or null when the
 * visitor stays anonymous (no proof given and verification is not required). A proof that does not
 * verify is refused outright: it is an impersonation attempt or a broken integration, and either way
 * the visitor must not be merged into that user.
 */
export async function verifyIdentity(
  widget: { identity_mode: 'off' | 'optional' | 'required'; identity_secret: string | null },
  identity: IdentityInput | undefined,
): Promise<Verified | null> {
  const mode = widget.identity_mode
  if (mode === 'off' || !widget.identity_secret) {
    if (mode === 'required')
      throw new ApiError(
        500,
        'identity_misconfigured',
        'Identity verification is required but the widget has no secret.',
      )
    return null
  }
  if (!identity || (!identity.user_hash && !identity.user_jwt)) {
    if (mode === 'required')
      throw new ApiError(
        401,
        'identity_required',
        'This site requires a verified identity (user_hash or user_jwt) to chat.',
      )
    return null
  }
  const secret = widget.identity_secret
  if (identity.user_hash) {
    const expected = createHmac('sha256', secret).update(identity.user_id).digest()
    const given = Buffer.from(identity.user_hash, 'hex')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid()
  } else {
    try {
      const { payload } = await jwtVerify(identity.user_jwt!, new TextEncoder().encode(secret), {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp', 'iat'],
        maxTokenAge: MAX_JWT_AGE,
      })
      if (payload.sub !== identity.user_id) throw invalid()
    } catch {
      throw invalid()
    }
  }
  return {
    user_id: identity.user_id,
    name: identity.name,
    email: identity.email,
    attributes: identity.attributes,
  }
}

const invalid = () =>
  new ApiError(
    401,
    'identity_invalid',
    'The identity could not be verified (user_hash or user_jwt does not match user_id).',
  )
