/**
 * Contacts: one person across the widget and every channel. A contact is found by its keys
 * (contact_identities: the site's verified user id, a platform user id); a claimed e-mail is never a
 * key, so two people are joined only by an agent's explicit merge.
 */
import type { Queryable } from '../db/tx'
import { notFound } from '../errors'

export type FieldSource = 'verified' | 'claimed' | 'platform'
export type IdentityKind = 'user' | 'telegram' | 'whatsapp' | 'messenger' | 'instagram'

/** What is known of a person, each with how it was learnt. */
export interface ContactFacts {
  name?: string | null
  email?: string | null
  phone?: string | null
  attributes?: Record<string, unknown>
}

export const CONTACT_COLUMNS = `c.id, c.tenant_id, c.name, c.email, c.phone, c.name_source, c.email_source, c.phone_source,
  c.attributes, c.notes, c.created_at, c.updated_at,
  (select ci.value from contact_identities ci where ci.contact_id = c.id and ci.kind = 'user' limit 1) as user_id,
  coalesce((select json_agg(json_build_object('kind', ci.kind, 'value', ci.value) order by ci.kind, ci.value)
              from contact_identities ci where ci.contact_id = c.id), '[]'::json) as identities`

/** A contact as the API returns it. */
export function toContact(row: any) {
  return {
    id: row.id as string,
    user_id: (row.user_id ?? null) as string | null,
    name: row.name as string | null,
    email: row.email as string | null,
    phone: row.phone as string | null,
    sources: { name: row.name_source, email: row.email_source, phone: row.phone_source } as Record<
      'name' | 'email' | 'phone',
      FieldSource | null
    >,
    identities: row.identities as { kind: IdentityKind; value: string }[],
    attributes: row.attributes as Record<string, unknown>,
    notes: row.notes as string,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}
export type Contact = ReturnType<typeof toContact>

/** Source ranks: a verified fact replaces anything; a platform's replaces a claim; a claim fills blanks only. */
const RANK: Record<FieldSource, number> = { claimed: 1, platform: 2, verified: 3 }

/**
 * The contact a key names, created when there is none, with the facts learnt this time written where
 * they are at least as trustworthy as what is stored. Concurrent calls for one key make one contact.
 */
export async function contactFor(
  db: Queryable,
  tenantId: string,
  key: { kind: IdentityKind; value: string },
  facts: ContactFacts,
  source: FieldSource,
  claimed: ContactFacts = {},
): Promise<string> {
  const existing = await db.query(
    `select contact_id from contact_identities where tenant_id = $1 and kind = $2 and value = $3`,
    [tenantId, key.kind, key.value],
  )
  let id = existing.rows[0]?.contact_id as string | undefined
  if (!id) {
    const created = await db.query(`insert into contacts (tenant_id) values ($1) returning id`, [tenantId])
    const linked = await db.query(
      `insert into contact_identities (tenant_id, contact_id, kind, value) values ($1, $2, $3, $4)
       on conflict do nothing returning contact_id`,
      [tenantId, created.rows[0].id, key.kind, key.value],
    )
    if (linked.rows[0]) id = created.rows[0].id as string
    else {
      // Another request linked this key first: use its contact, drop ours.
      await db.query(`delete from contacts where id = $1`, [created.rows[0].id])
      const again = await db.query(
        `select contact_id from contact_identities where tenant_id = $1 and kind = $2 and value = $3`,
        [tenantId, key.kind, key.value],
      )
      id = again.rows[0].contact_id as string
    }
  }
  await learn(db, id!, facts, source)
  await learn(db, id!, claimed, 'claimed')
  return id!
}

/** Writes each given fact whose source ranks at least as high as the stored one's. */
export async function learn(db: Queryable, contactId: string, facts: ContactFacts, source: FieldSource) {
  const rank = RANK[source]
  const attrs = source === 'claimed' ? {} : (facts.attributes ?? {})
  if (!facts.name && !facts.email && !facts.phone && !Object.keys(attrs).length) return
  const val = (v: string | null | undefined) => (v === undefined || v === null || v === '' ? null : v)
  const rankOf = (col: string) =>
    `(case ${col} when 'claimed' then 1 when 'platform' then 2 when 'verified' then 3 else 0 end)`
  const set = (field: string, param: number) =>
    `${field} = case when $${param}::text is not null and ${rankOf(`c.${field}_source`)} <= $5 then $${param} else c.${field} end,
     ${field}_source = case when $${param}::text is not null and ${rankOf(`c.${field}_source`)} <= $5 then $6 else c.${field}_source end`
  await db.query(
    `update contacts c set ${set('name', 2)}, ${set('email', 3)}, ${set('phone', 4)},
            attributes = c.attributes || $7::jsonb
      where c.id = $1`,
    [
      contactId,
      val(facts.name?.slice(0, 200)),
      val(facts.email?.slice(0, 320)),
      val(facts.phone?.slice(0, 50)),
      rank,
      source,
      JSON.stringify(attrs),
    ],
  )
}

/** Links a session to its contact (the caller holds or just created the session). */
export async function linkSession(db: Queryable, sessionId: string, contactId: string) {
  await db.query(
    `update chatbot_sessions set contact_id = $2 where id = $1 and contact_id is distinct from $2`,
    [sessionId, contactId],
  )
}

/**
 * A widget session with a verified identity: its contact (by the verified user id) is found or made,
 * the verified name and e-mail recorded as verified, a claimed one only where nothing better is known.
 */
export async function linkVerifiedSession(
  db: Queryable,
  session: { id: string; tenant_id: string },
  verified: {
    user_id: string
    name?: string
    email?: string
    attributes?: Record<string, unknown>
    claimed?: { name?: string; email?: string }
  },
) {
  const id = await contactFor(
    db,
    session.tenant_id,
    { kind: 'user', value: verified.user_id },
    { name: verified.name, email: verified.email, attributes: verified.attributes },
    'verified',
    verified.claimed ?? {},
  )
  await linkSession(db, session.id, id)
  return id
}

/** A channel session: its contact by the platform user id, with the platform's name and phone. */
export async function linkPlatformSession(
  db: Queryable,
  session: { id: string; tenant_id: string },
  platform: Exclude<IdentityKind, 'user'>,
  user: { id: string; name?: string; phone?: string },
) {
  const id = await contactFor(
    db,
    session.tenant_id,
    { kind: platform, value: user.id },
    { name: user.name, phone: user.phone },
    'platform',
  )
  await linkSession(db, session.id, id)
  return id
}

/** One contact of the tenant (under the caller's RLS), or 404. */
export async function getContact(db: Queryable, tenantId: string, id: string): Promise<Contact> {
  const { rows } = await db.query(
    `select ${CONTACT_COLUMNS} from contacts c where c.id = $1 and c.tenant_id = $2`,
    [id, tenantId],
  )
  if (!rows[0]) throw notFound('Contact')
  return toContact(rows[0])
}

/**
 * Merges `otherId` into `id`: its keys, sessions, orders and meetings move over, its facts fill what
 * `id` lacks or knows less surely, its notes are appended, and it is deleted. Both rows are locked in
 * id order, so two opposite merges cannot deadlock.
 */
export async function mergeContacts(db: Queryable, tenantId: string, id: string, otherId: string) {
  const { rows } = await db.query(
    `select id, name, email, phone, name_source, email_source, phone_source, attributes, notes from contacts
      where tenant_id = $1 and id = any($2::uuid[]) order by id for update`,
    [tenantId, [id, otherId]],
  )
  const keep = rows.find((r) => r.id === id)
  const other = rows.find((r) => r.id === otherId)
  if (!keep) throw notFound('Contact')
  if (!other) throw notFound('Contact to merge')
  for (const table of ['contact_identities', 'chatbot_sessions', 'orders', 'meetings'])
    await db.query(`update ${table} set contact_id = $1 where contact_id = $2 and tenant_id = $3`, [
      id,
      otherId,
      tenantId,
    ])
  // Facts of the other, each at its own source's rank (so a verified one wins over a claim).
  for (const field of ['name', 'email', 'phone'] as const) {
    if (other[field]) await learnOne(db, id, field, other[field], other[`${field}_source`] ?? 'claimed')
  }
  await db.query(
    `update contacts set attributes = $2::jsonb || attributes,
            notes = left(case when $3 = '' then notes when notes = '' then $3 else notes || E'\n\n' || $3 end, 10000)
      where id = $1`,
    [id, JSON.stringify(other.attributes ?? {}), other.notes ?? ''],
  )
  await db.query(`delete from contacts where id = $1`, [otherId])
}

async function learnOne(
  db: Queryable,
  id: string,
  field: 'name' | 'email' | 'phone',
  value: string,
  source: FieldSource,
) {
  await learn(db, id, { [field]: value }, source)
}
