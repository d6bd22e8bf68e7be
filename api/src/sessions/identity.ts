import { createHmac, timingSafeEqual } from 'node:crypto'
import { jwtVerify } from 'jose'
import { z } from 'zod'
import { ApiError } from '../errors'

/** What the site passes to identify a signed-in visitor (docs/api.md, "Identity verification"). */
export const identitySchema = z
  .object({
    user_id: z.string().min(1).max(200),
    /**
     * hex HMAC-SHA256 with the widget's identity secret, computed on the site's server: of
     * `user_id\\nemail\\nname` to vouch for all three, or of user_id alone (name and e-mail then stay claimed).
     */
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
  /** Only when the site's server vouched for them (user_hash over user_id, email and name, or JWT claims). */
  name?: string
  email?: string
  attributes?: Record<string, unknown>
  /** What the visitor gave beside the proof without it covering them: kept as claimed, never verified. */
  claimed?: { name?: string; email?: string }
}

/**
 * The string user_hash signs. `user_id` alone verifies the user id only (the original scheme, still
 * accepted); `user_id \n email \n name` (empty for an absent one) verifies the name and e-mail too.
 */
export const identityPayload = (i: { user_id: string; email?: string; name?: string }) =>
  `${i.user_id}\n${i.email ?? ''}\n${i.name ?? ''}`

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
  const matches = (payload: string) => {
    const expected = createHmac('sha256', secret).update(payload).digest()
    const given = Buffer.from(identity.user_hash!, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }
  let vouched: { name?: string; email?: string } = {}
  if (identity.user_hash) {
    if (matches(identityPayload(identity))) vouched = { name: identity.name, email: identity.email }
    else if (!matches(identity.user_id)) throw invalid()
  } else {
    try {
      const { payload } = await jwtVerify(identity.user_jwt!, new TextEncoder().encode(secret), {
        algorithms: ['HS256'],
        requiredClaims: ['sub', 'exp', 'iat'],
        maxTokenAge: MAX_JWT_AGE,
      })
      if (payload.sub !== identity.user_id) throw invalid()
      // Only claims inside the signed token are vouched for.
      vouched = {
        name: typeof payload.name === 'string' ? payload.name : undefined,
        email: typeof payload.email === 'string' ? payload.email : undefined,
      }
    } catch {
      throw invalid()
    }
  }
  const claimed = {
    ...(identity.name !== undefined && identity.name !== vouched.name ? { name: identity.name } : {}),
    ...(identity.email !== undefined && identity.email !== vouched.email ? { email: identity.email } : {}),
  }
  return {
    user_id: identity.user_id,
    ...(vouched.name ? { name: vouched.name } : {}),
    ...(vouched.email ? { email: vouched.email } : {}),
    attributes: identity.attributes,
    ...(Object.keys(claimed).length ? { claimed } : {}),
  }
}

const invalid = () =>
  new ApiError(
    401,
    'identity_invalid',
    'The identity could not be verified (user_hash or user_jwt does not match user_id).',
  )
