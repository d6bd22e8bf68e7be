import type { Context } from 'hono'
import type pg from 'pg'
import { withMemberTx } from '../db/tx'
import type { AppEnv } from '../deps'
import { forbidden, notFound } from '../errors'
import { uuidRe } from '../http/validate'
import type { ApiKeyPrincipal } from './keys'
import type { Role } from './roles'

/**
 * Runs fn as the signed-in member of a tenant, under RLS. A tenant the user is not a member of does
 * not exist for them (404); a role too low for the action is 403.
 */
export async function asMember<T>(
  c: Context<AppEnv>,
  tenantId: string,
  fn: (db: pg.PoolClient, role: Role) => Promise<T>,
  roles: Role[] = ['owner', 'admin', 'agent'],
): Promise<T> {
  if (!uuidRe.test(tenantId)) throw notFound('Tenant')
  const key = c.var.user.api_key as ApiKeyPrincipal | undefined
  if (key) {
    // A key belongs to one tenant: any other does not exist for it.
    if (key.tenant_id !== tenantId) throw notFound('Tenant')
    if (!roles.includes(key.role))
      throw forbidden(`This needs the ${roles.join(' or ')} role; the key's scope does not grant it.`)
    await countForTenant(c, tenantId)
    return withMemberTx(c.var.deps.pool, c.var.user, (db) => fn(db, key.role))
  }
  return withMemberTx(c.var.deps.pool, c.var.user, async (db) => {
    const { rows } = await db.query(
      'select role from tenant_members where tenant_id = $1 and user_id = auth.uid()',
      [tenantId],
    )
    if (!rows[0]) throw notFound('Tenant')
    if (!roles.includes(rows[0].role)) throw forbidden(`This needs the ${roles.join(' or ')} role.`)
    await countForTenant(c, tenantId)
    return fn(db, rows[0].role)
  })
}

const counted = new WeakMap<Request, Set<string>>()

/**
 * Spends one request of the tenant's shared budget, once per request and only once the caller is
 * known to act for the tenant: strangers (and anonymous floods) never spend a tenant's budget.
 */
async function countForTenant(c: Context<AppEnv>, tenantId: string) {
  let seen = counted.get(c.req.raw)
  if (!seen) counted.set(c.req.raw, (seen = new Set()))
  if (seen.has(tenantId)) return
  seen.add(tenantId)
  await c.var.deps.limiters.consume('tenant', tenantId)
}
