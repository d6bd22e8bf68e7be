import { Hono } from 'hono'
import { z } from 'zod'
import { withMemberTx } from '../db/tx'
import type { AppEnv } from '../deps'
import { unauthorized } from '../errors'
import { jsonBody } from '../http/validate'
import type { ApiKeyPrincipal } from './keys'
import { signAccessToken } from './jwt'
import { requireUser } from './middleware'
import { verifyPassword } from './passwords'
import { clientIp } from '../http/client-ip'
import { rateLimit } from '../http/rate-limit'

export const auth = new Hono<AppEnv>()

const loginSchema = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  password: z.string().min(1).max(200),
})

/** Slows password guessing: attempts per client address and e-mail (successful sign-ins count too). */
const loginLimit = rateLimit(
  (c) => c.var.deps.limiters,
  'login',
  (c) =>
    `${clientIp(c, { trustedProxyHops: c.var.deps.config.TRUSTED_PROXY_HOPS })}|${(c.get('body') as { email: string }).email.toLowerCase()}`,
)

auth.post('/auth/login', jsonBody(loginSchema), loginLimit, async (c) => {
  const { email, password } = c.get('body') as z.infer<typeof loginSchema>
  const { pool, jwtSecret, config } = c.var.deps
  const { rows } = await pool.query(
    'select id, email, encrypted_password from auth.users where lower(email) = $1',
    [email],
  )
  const user = rows[0]
  const ok = await verifyPassword(password, user?.encrypted_password)
  if (!user || !ok) throw unauthorized('Wrong e-mail or password.')
  const token = await signAccessToken(jwtSecret, user, config.JWT_TTL_SECONDS)
  return c.json({
    access_token: token,
    token_type: 'bearer',
    expires_in: config.JWT_TTL_SECONDS,
    user: { id: user.id, email: user.email },
  })
})

auth.get('/me', requireUser, async (c) => {
  const user = c.var.user
  const key = user.api_key as ApiKeyPrincipal | undefined
  if (key) {
    // A key is not its creator: it sees its own tenant, with its own role, and nothing of the person.
    const tenant = await withMemberTx(c.var.deps.pool, user, async (db) => {
      const { rows } = await db.query('select id, name, slug from tenants where id = $1', [key.tenant_id])
      return rows[0]
    })
    return c.json({
      user: null,
      api_key: { id: key.id, tenant_id: key.tenant_id, role: key.role, read_only: key.read_only },
      memberships: [{ tenant_id: key.tenant_id, role: key.role, tenant }],
    })
  }
  const result = await withMemberTx(c.var.deps.pool, user, async (db) => {
    const memberships = await db.query(
      `select m.tenant_id, m.role, m.display_name, json_build_object('id', t.id, 'name', t.name, 'slug', t.slug) as tenant
         from tenant_members m join tenants t on t.id = m.tenant_id
        where m.user_id = auth.uid() order by t.name`,
    )
    return memberships.rows
  })
  const name = result.find((m) => m.display_name)?.display_name ?? null
  return c.json({
    user: { id: user.sub, email: user.email ?? null, name },
    memberships: result.map(({ tenant_id, role, tenant }) => ({ tenant_id, role, tenant })),
  })
})
