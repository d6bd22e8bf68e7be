/**
 * The tenant's action settings: the shop's order-lookup endpoint (URL and signing secret) and Cal.com
 * (API key, event type). Secrets are sealed at rest (crypto/secrets.ts), bound to their tenant and
 * column, and never returned: the console only learns whether one is set.
 */
import type pg from 'pg'
import type { Secrets } from '../crypto/secrets'
import type { Queryable } from '../db/tx'

const context = (column: string, tenantId: string) => `action_settings.${column}:${tenantId}`

/** What the console sees (the columns members may read). */
export async function readActionSettings(db: Queryable, tenantId: string) {
  const { rows } = await db.query(
    `select order_lookup_url, calcom_event_type_id, has_order_lookup_secret, has_calcom_api_key, updated_at
       from action_settings where tenant_id = $1`,
    [tenantId],
  )
  const r = rows[0]
  return {
    order_lookup_url: (r?.order_lookup_url ?? null) as string | null,
    order_lookup_secret_set: r?.has_order_lookup_secret === true,
    calcom_event_type_id: r?.calcom_event_type_id ? Number(r.calcom_event_type_id) : null,
    calcom_api_key_set: r?.has_calcom_api_key === true,
  }
}

/**
 * Writes the given settings (undefined: unchanged; null: cleared), sealing the secrets. Runs in the
 * member's transaction: RLS lets only owners and admins write.
 */
export async function writeActionSettings(
  db: Queryable,
  secrets: Secrets,
  tenantId: string,
  input: {
    order_lookup_url?: string | null
    order_lookup_secret?: string | null
    calcom_api_key?: string | null
    calcom_event_type_id?: number | null
  },
) {
  const seal = (v: string | null | undefined, column: string) =>
    v === undefined ? undefined : v === null ? null : secrets.seal(v, context(column, tenantId))
  const values = {
    order_lookup_url: input.order_lookup_url,
    order_lookup_secret_enc: seal(input.order_lookup_secret, 'order_lookup_secret_enc'),
    calcom_api_key_enc: seal(input.calcom_api_key, 'calcom_api_key_enc'),
    calcom_event_type_id: input.calcom_event_type_id,
  }
  const set = Object.entries(values).filter(([, v]) => v !== undefined)
  await db.query(`insert into action_settings (tenant_id) values ($1) on conflict (tenant_id) do nothing`, [
    tenantId,
  ])
  if (set.length)
    await db.query(
      `update action_settings set ${set.map(([k], i) => `${k} = $${i + 2}`).join(', ')} where tenant_id = $1`,
      [tenantId, ...set.map(([, v]) => v)],
    )
}

/** The settings with their secrets opened, for the assistant (the API's own role, never a member). */
export async function readActionSecrets(deps: { pool: pg.Pool; secrets: Secrets }, tenantId: string) {
  const { rows } = await deps.pool.query(
    `select order_lookup_url, order_lookup_secret_enc, calcom_api_key_enc, calcom_event_type_id
       from action_settings where tenant_id = $1`,
    [tenantId],
  )
  const r = rows[0]
  const open = (v: string | null, column: string) =>
    v ? deps.secrets.open(v, context(column, tenantId)) : null
  return {
    order_lookup_url: (r?.order_lookup_url ?? null) as string | null,
    order_lookup_secret: open(r?.order_lookup_secret_enc ?? null, 'order_lookup_secret_enc'),
    calcom_api_key: open(r?.calcom_api_key_enc ?? null, 'calcom_api_key_enc'),
    calcom_event_type_id: (r?.calcom_event_type_id ?? null) as string | number | null,
  }
}
