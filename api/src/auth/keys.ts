import { createHash } from 'node:crypto'
import type { Queryable } from '../db/tx'
import type { Role } from './roles'

/** What a verified key may do: the role its scope maps to, and whether it may change anything. */
export interface ApiKeyPrincipal {
  id: string
  tenant_id: string
  role: Role
  read_only: boolean
}

export const hashKey = (key: string) => createHash('sha256').update(key).digest('hex')

/** Scope -> role: admin manages configuration; write works conversations and knowledge; read only reads. */
function roleOf(scopes: string[]): { role: Role; read_only: boolean } {
  if (scopes.includes('admin')) return { role: 'admin', read_only: false }
  if (scopes.includes('write')) return { role: 'agent', read_only: false }
  return { role: 'agent', read_only: true }
}

/**
 * Looks a secret key up by its hash; revoked keys are refused, so revocation cuts access at the next
 * request. Records when the key was last used (at most once a minute, to keep reads cheap).
 */
export async function verifyApiKey(db: Queryable, key: string) {
  if (!/^sk_[A-Za-z0-9_-]{20,100}$/.test(key)) return null
  const { rows } = await db.query(
    `update api_keys set last_used_at = case when last_used_at is null or last_used_at < now() - interval '1 minute' then now() else last_used_at end
      where key_hash = $1 and revoked_at is null
      returning id, tenant_id, scopes, created_by`,
    [hashKey(key)],
  )
  const row = rows[0]
  if (!row) return null
  return {
    principal: { id: row.id, tenant_id: row.tenant_id, ...roleOf(row.scopes) } as ApiKeyPrincipal,
    created_by: row.created_by as string | null,
  }
}
