import { Hono } from 'hono'
import { z } from 'zod'
import { botTenant } from '../admin/routes'
import { asMember } from '../auth/member'
import { requireUser } from '../auth/middleware'
import { ADMINS } from '../auth/roles'
import type { Queryable } from '../db/tx'
import type { AppEnv } from '../deps'
import { badRequest, notFound } from '../errors'
import { text } from '../http/text'
import { jsonBody, query, uuidRe } from '../http/validate'
import { validateUrl } from '../net'
import { parseOrdersCsv } from './csv'
import { externalIdRe, listOrders, orderSchema, upsertOrder, type OrderInput } from './orders'
import { CONTACT_COLUMNS, getContact, mergeContacts, toContact } from './store'
import { readActionSettings, writeActionSettings } from './settings'

/**
 * Contacts, orders, meetings and the assistant's action settings (console side). Every route works as
 * the member under RLS, and checks the tenant in the query too.
 */
export const contacts = new Hono<AppEnv>()
for (const p of ['contacts', 'orders', 'meetings', 'action-settings'])
  contacts.use(`/tenants/:t/${p}`, requireUser).use(`/tenants/:t/${p}/*`, requireUser)
contacts.use('/bots/:b/actions', requireUser)

const listSchema = z
  .object({
    q: text(200, 0).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict()

contacts.get('/tenants/:t/contacts', async (c) => {
  const t = c.req.param('t')
  const q = query(listSchema, c.req.query())
  const like = q.q ? `%${q.q.replace(/[\\%_]/g, (m) => '\\' + m)}%` : null
  const rows = await asMember(c, t, async (db) => {
    const { rows } = await db.query(
      `select ${CONTACT_COLUMNS},
              (select count(*)::int from chatbot_sessions s where s.contact_id = c.id) as session_count,
              (select max(coalesce(s.last_message_at, s.created_at)) from chatbot_sessions s where s.contact_id = c.id) as last_seen_at
         from contacts c
        where c.tenant_id = $1
          and ($2::text is null or c.name ilike $2 or c.email ilike $2 or c.phone ilike $2
               or exists (select 1 from contact_identities ci where ci.contact_id = c.id and ci.value ilike $2))
        order by c.updated_at desc limit $3`,
      [t, like, q.limit],
    )
    return rows
  })
  return c.json({
    contacts: rows.map((r) => ({
      ...toContact(r),
      session_count: r.session_count,
      last_seen_at: r.last_seen_at ? new Date(r.last_seen_at).toISOString() : null,
    })),
  })
})

const contactId = (id: string) => {
  if (!uuidRe.test(id)) throw notFound('Contact')
  return id
}

/** A contact with its conversations on every channel, orders and meetings. */
async function contactDetail(db: Queryable, t: string, id: string) {
  const contact = await getContact(db, t, id)
  const sessions = await db.query(
    `select s.id, s.channel, s.status, s.created_at, s.last_message_at,
            (select left(m.content, 200) from chatbot_conversations m where m.session_id = s.id and not m.private
              order by m.seq desc limit 1) as last_message
       from chatbot_sessions s where s.contact_id = $1 and s.tenant_id = $2
      order by coalesce(s.last_message_at, s.created_at) desc limit 100`,
    [id, t],
  )
  const meetings = await listMeetings(db, t, id)
  return {
    contact,
    sessions: sessions.rows,
    orders: await listOrders(db, t, { contact_id: id, limit: 100 }),
    meetings,
  }
}

async function listMeetings(db: Queryable, t: string, contact: string | null) {
  const { rows } = await db.query(
    `select id, contact_id, session_id, cal_uid, url, title, start_at, end_at, status, created_at
       from meetings where tenant_id = $1 and ($2::uuid is null or contact_id = $2)
      order by start_at desc limit 200`,
    [t, contact],
  )
  return rows
}

contacts.get('/tenants/:t/contacts/:id', async (c) => {
  const t = c.req.param('t')
  const id = contactId(c.req.param('id'))
  return c.json(await asMember(c, t, (db) => contactDetail(db, t, id)))
})

const patchSchema = z
  .object({
    name: text(200).nullable().optional(),
    notes: text(10_000, 0).optional(),
  })
  .strict()

contacts.patch('/tenants/:t/contacts/:id', jsonBody(patchSchema), async (c) => {
  const t = c.req.param('t')
  const id = contactId(c.req.param('id'))
  const body = c.get('body') as z.infer<typeof patchSchema>
  const contact = await asMember(c, t, async (db) => {
    await getContact(db, t, id)
    // An agent's correction of the name is as good as the site's word: it is marked verified.
    if (body.name !== undefined)
      await db.query(
        `update contacts set name = $2, name_source = case when $2::text is null then null else 'verified' end where id = $1`,
        [id, body.name],
      )
    if (body.notes !== undefined)
      await db.query(`update contacts set notes = $2 where id = $1`, [id, body.notes])
    return getContact(db, t, id)
  })
  return c.json({ contact })
})

const mergeSchema = z.object({ other_id: z.string().regex(uuidRe, 'must be a contact id') }).strict()

contacts.post('/tenants/:t/contacts/:id/merge', jsonBody(mergeSchema), async (c) => {
  const t = c.req.param('t')
  const id = contactId(c.req.param('id'))
  const { other_id } = c.get('body') as z.infer<typeof mergeSchema>
  const result = await asMember(c, t, async (db) => {
    if (other_id === id)
      throw badRequest('validation_failed', 'other_id: a contact cannot be merged into itself.')
    await mergeContacts(db, t, id, other_id)
    return contactDetail(db, t, id)
  })
  return c.json(result)
})

contacts.put('/tenants/:t/orders/:id', jsonBody(orderSchema), async (c) => {
  const t = c.req.param('t')
  const externalId = c.req.param('id')
  if (!externalIdRe.test(externalId))
    throw badRequest(
      'validation_failed',
      'externalId: 1 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit.',
    )
  const body = c.get('body') as OrderInput
  const { order, created } = await asMember(c, t, (db) => upsertOrder(db, t, externalId, body, 'api'))
  return c.json({ order }, created ? 201 : 200)
})

const ordersQuery = z
  .object({
    contact_id: z.string().regex(uuidRe, 'must be a contact id').optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict()

contacts.get('/tenants/:t/orders', async (c) => {
  const t = c.req.param('t')
  const q = query(ordersQuery, c.req.query())
  return c.json({ orders: await asMember(c, t, (db) => listOrders(db, t, q)) })
})

const importSchema = z.object({ csv: z.string().min(1, 'must not be empty').max(2_000_000) }).strict()

/** A CSV export of the shop's orders, one row per item (docs/api.md "Orders CSV"): all or nothing. */
contacts.post('/tenants/:t/orders/import', jsonBody(importSchema), async (c) => {
  const t = c.req.param('t')
  const { csv } = c.get('body') as z.infer<typeof importSchema>
  const orders = parseOrdersCsv(csv)
  const result = await asMember(c, t, async (db) => {
    let created = 0
    for (const [externalId, input] of orders) {
      if ((await upsertOrder(db, t, externalId, input, 'csv')).created) created++
    }
    return { imported: orders.size, created, updated: orders.size - created }
  })
  return c.json(result)
})

contacts.get('/tenants/:t/meetings', async (c) => {
  const t = c.req.param('t')
  const q = query(
    z.object({ contact_id: z.string().regex(uuidRe, 'must be a contact id').optional() }).strict(),
    c.req.query(),
  )
  return c.json({ meetings: await asMember(c, t, (db) => listMeetings(db, t, q.contact_id ?? null)) })
})

contacts.get('/tenants/:t/action-settings', async (c) => {
  const t = c.req.param('t')
  return c.json({ settings: await asMember(c, t, (db) => readActionSettings(db, t), ADMINS) })
})

const settingsSchema = z
  .object({
    order_lookup_url: z.string().max(2000).nullable().optional(),
    order_lookup_secret: z.string().min(16, 'at least 16 characters').max(500).nullable().optional(),
    calcom_api_key: z.string().min(1).max(500).nullable().optional(),
    calcom_event_type_id: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).nullable().optional(),
  })
  .strict()

contacts.put('/tenants/:t/action-settings', jsonBody(settingsSchema), async (c) => {
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof settingsSchema>
  if (body.order_lookup_url) {
    try {
      // The SSRF guard checks the address again on every call; this refuses what is plainly wrong now.
      validateUrl(body.order_lookup_url, { allowLoopback: c.var.deps.config.FETCH_ALLOW_LOOPBACK })
    } catch (err) {
      throw badRequest('validation_failed', `order_lookup_url: ${(err as Error).message}`)
    }
  }
  const settings = await asMember(
    c,
    t,
    async (db) => {
      await writeActionSettings(db, c.var.deps.secrets, t, body)
      return readActionSettings(db, t)
    },
    ADMINS,
  )
  return c.json({ settings })
})

const actionsSchema = z.object({ orders: z.boolean().optional(), meetings: z.boolean().optional() }).strict()

contacts.get('/bots/:b/actions', async (c) => {
  const b = c.req.param('b')
  const actions = await asMember(c, await botTenant(c, b), async (db) => {
    const { rows } = await db.query(`select actions from bots where id = $1`, [b])
    return botActions(rows[0]?.actions)
  })
  return c.json({ actions })
})

contacts.put('/bots/:b/actions', jsonBody(actionsSchema), async (c) => {
  const b = c.req.param('b')
  const body = c.get('body') as z.infer<typeof actionsSchema>
  const actions = await asMember(
    c,
    await botTenant(c, b),
    async (db) => {
      const { rows } = await db.query(
        `update bots set actions = actions || $2::jsonb where id = $1 returning actions`,
        [b, JSON.stringify(body)],
      )
      if (!rows[0]) throw notFound('Bot')
      return botActions(rows[0].actions)
    },
    ADMINS,
  )
  return c.json({ actions })
})

/** Both actions are on unless switched off. */
const botActions = (a: any) => ({ orders: a?.orders !== false, meetings: a?.meetings !== false })
