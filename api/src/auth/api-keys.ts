import { randomBytes } from 'node:crypto'
import { Hono } from 'hono'
import { z } from 'zod'
import type { AppEnv } from '../deps'
import { forbidden, notFound } from '../errors'
import { text } from '../http/text'
import { jsonBody, uuidRe } from '../http/validate'
import { hashKey } from './keys'
import { asMember } from './member'
import { ADMINS } from './roles'
import { requireUser } from './middleware'

export const apiKeys = new Hono<AppEnv>()
apiKeys.use('/tenants/:t/api-keys', requireUser)
apiKeys.use('/tenants/:t/api-keys/*', requireUser)

const KEY_COLUMNS = 'id, name, prefix, scopes, last_used_at, revoked_at, created_at'
const createSchema = z
  .object({
    name: text(100),
    scopes: z
      .array(z.enum(['read', 'write', 'admin']))
      .min(1)
      .max(3)
      .default(['read']),
  })
  .strict()

/** Keys are managed by people only: a key cannot mint or revoke keys. */
function humansOnly(c: { var: AppEnv['Variables'] }) {
  if (c.var.user.api_key)
    throw forbidden('API keys are managed by signed-in owners and admins, not by other keys.')
}

apiKeys.get('/tenants/:t/api-keys', async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const keys = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(`select ${KEY_COLUMNS} from api_keys where tenant_id = $1 order by created_at desc`, [
          t,
        ])
      ).rows,
    ADMINS,
  )
  return c.json({ api_keys: keys })
})

/** Creates a key; its secret is in this response only (stored as a hash, listed by its prefix). */
apiKeys.post('/tenants/:t/api-keys', jsonBody(createSchema), async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof createSchema>
  const secret = `sk_${randomBytes(32).toString('base64url')}`
  const key = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `insert into api_keys (tenant_id, name, prefix, key_hash, scopes, created_by) values ($1, $2, $3, $4, $5, auth.uid()) returning ${KEY_COLUMNS}`,
          [t, body.name, secret.slice(0, 10), hashKey(secret), [...new Set(body.scopes)]],
        )
      ).rows[0],
    ADMINS,
  )
  return c.json({ api_key: key, secret }, 201)
})

apiKeys.delete('/tenants/:t/api-keys/:id', async (c) => {
  humansOnly(c)
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('API key')
  await asMember(
    c,
    t,
    async (db) => {
      const { rowCount } = await db.query(
        `update api_keys set revoked_at = coalesce(revoked_at, now()) where id = $1 and tenant_id = $2`,
        [id, t],
      )
      if (!rowCount) throw notFound('API key')
    },
    ADMINS,
  )
  // Streams opened with the key end now, not at their next periodic check.
  void c.var.deps.streams.recheck()
  return c.body(null, 204)
})
