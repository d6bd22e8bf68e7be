import type { Context } from 'hono'
import type pg from 'pg'
import { withMemberTx } from '../db/tx'
import type { AppEnv } from '../env'
import { forbidden, notFound } from '../errors'
import { uuidRe } from '../http/validate'

export type Role = 'owner' | 'admin' | 'agent'

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
  return withMemberTx(c.var.deps.pool, c.var.user, async (db) => {
    const { rows } = await db.query('select role from tenant_members where tenant_id = $1 and user_id = auth.uid()', [tenantId])
    if (!rows[0]) throw notFound('Tenant')
    if (!roles.includes(rows[0].role)) throw forbidden(`This needs the ${roles.join(' or ')} role.`)
    return fn(db, rows[0].role)
  })
}

export const ADMINS: Role[] = ['owner', 'admin']
