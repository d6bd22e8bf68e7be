/**
 * Orders (seed 004): one table for orders and one for their items, with a tenant column each. The
 * shop pushes them (PUT .../orders/:externalId, a CSV import) or the bot asks the shop's own
 * order-lookup endpoint (HMAC-signed, through the SSRF guard) when a verified customer asks.
 */
import { createHmac } from 'node:crypto'
import { z } from 'zod'
import type { Queryable } from '../db/tx'
import { text } from '../http/text'
import type { GuardedFetch } from '../net'
import { contactFor } from './store'

export const MAX_ITEMS = 200

export const itemSchema = z
  .object({
    name: text(300),
    quantity: z.number().int().min(1).max(1_000_000),
    unit_price: z.number().min(0).max(9_999_999_999),
  })
  .strict()

export const orderSchema = z
  .object({
    contact: z
      .object({
        user_id: text(200).optional(),
        email: z.email().max(320).optional(),
        phone: text(50).optional(),
        name: text(200).optional(),
      })
      .strict()
      .optional(),
    status: text(100),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals (EUR)')
      .optional(),
    items: z.array(itemSchema).max(MAX_ITEMS).default([]),
  })
  .strict()
export type OrderInput = z.infer<typeof orderSchema>

export const externalIdRe = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/

const ORDER_COLUMNS = `o.id, o.external_id, o.status, o.currency, o.source, o.contact_id, o.created_at, o.updated_at,
  coalesce((select json_agg(json_build_object('name', i.name, 'quantity', i.quantity, 'unit_price', i.unit_price,
                                              'line_total', i.line_total) order by i.position)
              from order_items i where i.order_id = o.id), '[]'::json) as items,
  (select coalesce(sum(i.line_total), 0) from order_items i where i.order_id = o.id)::float8 as total`

export function toOrder(row: any) {
  return {
    id: row.id as string,
    external_id: row.external_id as string,
    status: row.status as string,
    currency: row.currency as string | null,
    source: row.source as 'api' | 'csv' | 'shop',
    contact_id: row.contact_id as string | null,
    items: (row.items as any[]).map((i) => ({
      name: i.name as string,
      quantity: Number(i.quantity),
      unit_price: Number(i.unit_price),
      line_total: Number(i.line_total),
    })),
    total: Number(row.total),
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
  }
}
export type Order = ReturnType<typeof toOrder>

/**
 * The contact an order names: by the site's user id (a key), else a contact with that verified e-mail
 * or phone, else a new one. What the shop says is verified: it comes from the site's server.
 */
async function orderContact(db: Queryable, tenantId: string, c: OrderInput['contact']) {
  if (!c || (!c.user_id && !c.email && !c.phone)) return null
  const facts = { name: c.name, email: c.email, phone: c.phone }
  if (c.user_id) return contactFor(db, tenantId, { kind: 'user', value: c.user_id }, facts, 'verified')
  const { rows } = await db.query(
    `select id from contacts where tenant_id = $1
        and (($2::text is not null and lower(email) = lower($2) and email_source = 'verified')
          or ($3::text is not null and phone = $3 and phone_source = 'verified'))
      order by created_at limit 1`,
    [tenantId, c.email ?? null, c.phone ?? null],
  )
  if (rows[0]) return rows[0].id as string
  const created = await db.query(
    `insert into contacts (tenant_id, name, name_source, email, email_source, phone, phone_source)
     values ($1, $2, case when $2::text is null then null else 'verified' end, $3, case when $3::text is null then null else 'verified' end,
             $4, case when $4::text is null then null else 'verified' end) returning id`,
    [tenantId, c.name ?? null, c.email ?? null, c.phone ?? null],
  )
  return created.rows[0].id as string
}

/** Creates or replaces an order and its items (one transaction: the caller's). */
export async function upsertOrder(
  db: Queryable,
  tenantId: string,
  externalId: string,
  input: OrderInput,
  source: 'api' | 'csv' | 'shop',
  contactId?: string | null,
): Promise<{ order: Order; created: boolean }> {
  const contact = contactId ?? (await orderContact(db, tenantId, input.contact))
  const { rows } = await db.query(
    `insert into orders (tenant_id, external_id, status, currency, source, contact_id) values ($1, $2, $3, $4, $5, $6)
     on conflict (tenant_id, external_id) do update
       set status = excluded.status, currency = excluded.currency, source = excluded.source,
           contact_id = coalesce(excluded.contact_id, orders.contact_id)
     returning id, (xmax = 0) as created`,
    [tenantId, externalId, input.status, input.currency ?? null, source, contact],
  )
  const id = rows[0].id as string
  await db.query(`delete from order_items where order_id = $1`, [id])
  if (input.items.length) {
    await db.query(
      `insert into order_items (tenant_id, order_id, position, name, quantity, unit_price)
       select $1, $2, p - 1, n, q, u from unnest($3::text[], $4::int[], $5::numeric[]) with ordinality as x(n, q, u, p)`,
      [
        tenantId,
        id,
        input.items.map((i) => i.name),
        input.items.map((i) => i.quantity),
        input.items.map((i) => i.unit_price),
      ],
    )
  }
  return { order: (await getOrder(db, tenantId, id))!, created: rows[0].created === true }
}

export async function getOrder(db: Queryable, tenantId: string, id: string): Promise<Order | null> {
  const { rows } = await db.query(
    `select ${ORDER_COLUMNS} from orders o where o.id = $1 and o.tenant_id = $2`,
    [id, tenantId],
  )
  return rows[0] ? toOrder(rows[0]) : null
}

export async function listOrders(
  db: Queryable,
  tenantId: string,
  filter: { contact_id?: string; limit: number },
): Promise<Order[]> {
  const { rows } = await db.query(
    `select ${ORDER_COLUMNS} from orders o
      where o.tenant_id = $1 and ($2::uuid is null or o.contact_id = $2)
      order by o.updated_at desc limit $3`,
    [tenantId, filter.contact_id ?? null, filter.limit],
  )
  return rows.map(toOrder)
}

/**
 * The order a contact owns, or null: one indexed query whether the contact is known, the order
 * exists, or belongs to someone else, so neither the answer nor its timing tells those apart.
 */
export async function ownedOrder(
  db: Queryable,
  tenantId: string,
  externalId: string,
  contactId: string | null,
): Promise<Order | null> {
  const { rows } = await db.query(
    `select ${ORDER_COLUMNS} from orders o where o.tenant_id = $1 and o.external_id = $2 and o.contact_id = $3`,
    [tenantId, externalId, contactId],
  )
  return rows[0] ? toOrder(rows[0]) : null
}

/** The shop's answer to an order lookup (docs/api.md, "Order lookup"). */
const shopAnswerSchema = z.object({
  order: z.object({
    id: z.union([z.string(), z.number()]).transform(String),
    status: z.string().min(1).max(100),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional()
      .nullable(),
    items: z.array(itemSchema.strip()).max(MAX_ITEMS).default([]),
    customer: z.object({ user_id: z.string().min(1).max(200) }),
  }),
})

export class ShopUnavailable extends Error {}

/** Signature of an order-lookup request: `sha256=` hex HMAC-SHA256(secret, "<timestamp>.<body>"). */
export const shopSignature = (secret: string, timestamp: string, body: string) =>
  'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')

/**
 * Asks the shop for one order of one verified customer. Returns the order only when the shop says it
 * is that customer's; null when the shop does not know it (404) or names another customer. Throws
 * ShopUnavailable when the shop cannot be asked (network, 5xx, a body that is not an order).
 */
export async function lookupShopOrder(
  fetch: GuardedFetch,
  endpoint: { url: string; secret: string },
  externalId: string,
  customer: { user_id: string; email?: string | null },
  timeoutMs: number,
) {
  const body = JSON.stringify({
    order_id: externalId,
    customer: { user_id: customer.user_id, email: customer.email ?? null },
  })
  const timestamp = String(Math.floor(Date.now() / 1000))
  let res
  try {
    res = await fetch(endpoint.url, {
      method: 'POST',
      body,
      accept: 'application/json',
      headers: {
        'content-type': 'application/json',
        'x-parley-timestamp': timestamp,
        'x-parley-signature': shopSignature(endpoint.secret, timestamp, body),
      },
      maxBytes: 256 * 1024,
      timeoutMs,
      maxRedirects: 0,
    })
  } catch (err) {
    throw new ShopUnavailable('order lookup failed', { cause: err })
  }
  if (res.status === 404) return null
  if (res.status !== 200) throw new ShopUnavailable(`order lookup answered ${res.status}`)
  let parsed
  try {
    parsed = shopAnswerSchema.safeParse(JSON.parse(res.text()))
  } catch (err) {
    throw new ShopUnavailable('order lookup answered with invalid JSON', { cause: err })
  }
  if (!parsed.success) throw new ShopUnavailable('order lookup answered without an order')
  const o = parsed.data.order
  if (o.customer.user_id !== customer.user_id || o.id !== externalId) return null
  return { status: o.status, currency: o.currency ?? undefined, items: o.items }
}
