import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, DEMO_ORIGIN, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { startShop } from './stand-ins'

/**
 * Orders and the bot's order answers: a verified customer who owns the order gets its status and
 * items; an unverified visitor, another customer, an unknown order and a forged identity all get the
 * same refusal, word for word.
 */
let t: TestApp
let owner: Record<string, string>
let secret: string
const BOT = '00000000-0000-4000-8000-0000000000b1'
const hmac = (payload: string) => createHmac('sha256', secret).update(payload).digest('hex')

beforeAll(async () => {
  t = await createTestApp({ FETCH_ALLOW_LOOPBACK: 'true' })
  owner = await t.login(OWNER)
  secret = ((await (await t.json('POST', `/v1/bots/${BOT}/widget/identity-secret`, {}, owner)).json()) as any)
    .identity_secret
  await t.json('PATCH', `/v1/bots/${BOT}/widget`, { identity_mode: 'optional' }, owner)
})
afterAll(() => t.close())

async function visitor(body: object = {}) {
  const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo', ...body }, { origin: DEMO_ORIGIN })
  expect(res.status, await res.clone().text()).toBe(201)
  const { session, token } = (await res.json()) as any
  const auth = { authorization: `Bearer ${token}`, origin: DEMO_ORIGIN }
  return {
    id: session.id as string,
    async ask(content: string) {
      const r = await t.json(
        'POST',
        `/v1/sessions/${session.id}/messages`,
        { content, client_message_id: crypto.randomUUID() },
        auth,
      )
      expect(r.status, await r.clone().text()).toBe(200)
      return (await r.json()) as any
    },
    messages: async () =>
      ((await (await t.json('GET', `/v1/sessions/${session.id}/messages`, undefined, auth)).json()) as any)
        .messages,
  }
}
const verified = (user_id: string, email = '', name = '') =>
  visitor({
    identity: {
      user_id,
      user_hash: hmac(`${user_id}\n${email}\n${name}`),
      ...(email ? { email } : {}),
      ...(name ? { name } : {}),
    },
  })

const putOrder = (id: string, body: object) =>
  t.json('PUT', `/v1/tenants/${TENANT}/orders/${id}`, body, owner)

describe('PUT /v1/tenants/:t/orders/:externalId', () => {
  it('creates an order with its items, the database computing each line total, and replaces it on a second PUT', async () => {
    const res = await putOrder('4512', {
      contact: { user_id: 'cust-1', email: 'ana@example.com', name: 'Ana' },
      status: 'shipped',
      currency: 'EUR',
      items: [
        { name: 'Blue mug', quantity: 2, unit_price: 12.5 },
        { name: 'Tea towel', quantity: 1, unit_price: 7.9 },
      ],
    })
    expect(res.status, await res.clone().text()).toBe(201)
    const { order } = (await res.json()) as any
    expect(order.items).toEqual([
      { name: 'Blue mug', quantity: 2, unit_price: 12.5, line_total: 25 },
      { name: 'Tea towel', quantity: 1, unit_price: 7.9, line_total: 7.9 },
    ])
    expect(order.total).toBeCloseTo(32.9)
    const again = await putOrder('4512', {
      contact: { user_id: 'cust-1' },
      status: 'shipped',
      currency: 'EUR',
      items: [
        { name: 'Blue mug', quantity: 2, unit_price: 12.5 },
        { name: 'Tea towel', quantity: 1, unit_price: 7.9 },
      ],
    })
    expect(again.status).toBe(200)
    const { rows } = await t.deps.pool.query(
      `select count(*)::int as n from order_items i join orders o on o.id = i.order_id where o.external_id = '4512'`,
    )
    expect(rows[0].n).toBe(2)
  })

  it('refuses a bad body naming the field, and writes nothing', async () => {
    for (const [body, field] of [
      [{ status: 'paid', items: [{ name: 'x', quantity: 0, unit_price: 1 }] }, 'items.0.quantity'],
      [{ status: 'paid', currency: 'euro' }, 'currency'],
      [{ status: '' }, 'status'],
      [{ status: 'paid', items: [{ name: 'x', quantity: 1, unit_price: -2 }] }, 'items.0.unit_price'],
    ] as const) {
      const res = await putOrder('BAD-1', body)
      expect(res.status).toBe(400)
      expect(((await res.json()) as any).error.message).toContain(field)
    }
    expect((await putOrder('not valid!', { status: 'paid' })).status).toBe(400)
    expect((await t.deps.pool.query(`select 1 from orders where external_id = 'BAD-1'`)).rows).toHaveLength(0)
  })

  it('lists the orders of a contact', async () => {
    const { contacts } = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/contacts?q=cust-1`, undefined, owner)
    ).json()) as any
    expect(contacts).toHaveLength(1)
    expect(contacts[0]).toMatchObject({
      user_id: 'cust-1',
      email: 'ana@example.com',
      sources: { email: 'verified' },
    })
    const { orders } = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/orders?contact_id=${contacts[0].id}`, undefined, owner)
    ).json()) as any
    expect(orders.map((o: any) => o.external_id)).toEqual(['4512'])
  })

  it('imports a CSV (one row per item), all or nothing', async () => {
    const csv =
      'order_id,status,currency,user_id,item_name,quantity,unit_price\n5001,processing,EUR,cust-2,"Lamp, brass",1,49.00\n5001,processing,EUR,cust-2,Bulb,3,2.50\n5002,delivered,EUR,cust-3,Rug,1,120\n'
    const res = await t.json('POST', `/v1/tenants/${TENANT}/orders/import`, { csv }, owner)
    expect(res.status, await res.clone().text()).toBe(200)
    expect(await res.json()).toEqual({ imported: 2, created: 2, updated: 0 })
    const bad = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/orders/import`,
      { csv: 'order_id,status,quantity,item_name\n6001,paid,1,A\n6002,paid,zero,B\n' },
      owner,
    )
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toMatch(/line 3/)
    expect(
      (await t.deps.pool.query(`select 1 from orders where external_id in ('6001', '6002')`)).rows,
    ).toHaveLength(0)
  })
})

describe('the bot answers "where is my order?"', () => {
  it('gives a verified owner the status and items, in their language, and logs a private note', async () => {
    const v = await verified('cust-1')
    const en = await v.ask('Where is my order 4512?')
    expect(en.reply.content).toContain('Order 4512: shipped.')
    expect(en.reply.content).toContain('Blue mug')
    expect(en.reply.content).toMatch(/25\.00/)
    const fr = await v.ask('Où en est ma commande 4512 ?')
    expect(fr.reply.content).toContain('Commande 4512 : shipped.')
    const de = await v.ask('Wo ist meine Bestellung 4512?')
    expect(de.reply.content).toContain('Bestellung 4512: shipped.')
    // The agent sees what was looked up, for whom, with what result; the visitor never sees the note.
    const detail = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${v.id}`, undefined, owner)
    ).json()) as any
    const notes = detail.messages.filter((m: any) => m.private)
    expect(notes[0].content).toMatch(/Order lookup "4512" for verified customer cust-1: answered/)
    expect((await v.messages()).some((m: any) => m.private || /Order lookup/.test(m.content))).toBe(false)
  })

  it('gives the same refusal to an unverified visitor, another customer, an unknown order and a forged identity', async () => {
    const answers: string[] = []
    const anon = await visitor()
    answers.push((await anon.ask('Where is my order 4512?')).reply.content)
    const other = await verified('cust-2')
    answers.push((await other.ask('Where is my order 4512?')).reply.content)
    const owner1 = await verified('cust-1')
    answers.push((await owner1.ask('Where is my order 9999?')).reply.content)
    const forged = await visitor({
      identity: { user_id: 'cust-1', email: 'ana@example.com' },
      context: { verified: 'cust-1', identity_verified: true, user_id: 'cust-1' },
    })
    answers.push((await forged.ask('Where is my order 4512?')).reply.content)
    // A made-up proof is refused outright.
    const bad = await t.json(
      'POST',
      '/v1/sessions',
      { key: 'pk_demo', identity: { user_id: 'cust-1', user_hash: '0'.repeat(64) } },
      { origin: DEMO_ORIGIN },
    )
    expect(bad.status).toBe(401)
    expect(new Set(answers).size).toBe(1)
    expect(answers[0]).toMatch(/sign in/)
    expect(answers[0]).not.toMatch(/4512|shipped|mug/i)
  })

  it('answers "how do I return order 4512?" from the knowledge, for the verified owner as for anyone, with no order lookup', async () => {
    const lookups = async () =>
      (
        await t.deps.pool.query(
          `select count(*)::int as n from chatbot_conversations where private and content like 'Order lookup%'`,
        )
      ).rows[0].n as number
    const before = await lookups()
    const owned = await verified('cust-1')
    const mine = (await owned.ask('How do I return order 4512?')).reply
    // The returns FAQ of the demo knowledge, not the order's status nor the sign-in refusal.
    expect(mine.content).toMatch(/30 days/)
    expect(mine.content).not.toMatch(/shipped|Blue mug|sign in/i)
    const theirs = (await (await visitor()).ask('How do I return order 4512?')).reply
    expect(theirs.content).toMatch(/30 days/)
    expect(theirs.content).not.toMatch(/sign in/i)
    expect(await lookups()).toBe(before)
    // The same owner asking where it is still gets its status.
    expect((await owned.ask('Where is my order 4512?')).reply.content).toContain('Order 4512: shipped.')
    expect(await lookups()).toBe(before + 1)
  })

  it('a claimed e-mail never links a visitor to the customer with that e-mail', async () => {
    const v = await visitor({ identity: { user_id: 'x', email: 'ana@example.com', name: 'Ana' } })
    const { rows } = await t.deps.pool.query(`select contact_id from chatbot_sessions where id = $1`, [v.id])
    expect(rows[0].contact_id).toBeNull()
  })

  it('"yes" after a refusal hands the conversation to a person', async () => {
    const v = await visitor()
    await v.ask('where is my order 4512')
    const yes = await v.ask('yes please')
    expect(yes.escalation).not.toBeNull()
  })

  it('an owner can switch order answers off for the bot', async () => {
    const off = await t.json('PUT', `/v1/bots/${BOT}/actions`, { orders: false }, owner)
    expect(await off.json()).toEqual({ actions: { orders: false, meetings: true } })
    const v = await verified('cust-1')
    expect((await v.ask('Where is my order 4512?')).reply.content).not.toContain('shipped')
    await t.json('PUT', `/v1/bots/${BOT}/actions`, { orders: true }, owner)
    expect((await v.ask('Where is my order 4512?')).reply.content).toContain('shipped')
  })
})

describe("the shop's order-lookup endpoint", () => {
  it('is asked with a signed request for a verified customer only, its secret sealed and never returned', async () => {
    const shopSecret = 'shop-secret-0123456789abcdef'
    const shop = await startShop(shopSecret, [
      {
        id: '7777',
        status: 'out for delivery',
        currency: 'EUR',
        items: [{ name: 'Armchair', quantity: 1, unit_price: 320 }],
        customer: { user_id: 'cust-1' },
      },
    ])
    try {
      const put = await t.json(
        'PUT',
        `/v1/tenants/${TENANT}/action-settings`,
        { order_lookup_url: `${shop.url}/orders/lookup`, order_lookup_secret: shopSecret },
        owner,
      )
      expect(put.status, await put.clone().text()).toBe(200)
      const text = await put.text()
      expect(text).not.toContain(shopSecret)
      expect(JSON.parse(text).settings).toMatchObject({ order_lookup_secret_set: true })
      const stored = (
        await t.deps.pool.query(`select order_lookup_secret_enc from action_settings where tenant_id = $1`, [
          TENANT,
        ])
      ).rows[0]
      expect(stored.order_lookup_secret_enc).not.toContain(shopSecret)

      const v = await verified('cust-1')
      const answer = await v.ask('where is my order 7777?')
      expect(answer.reply.content).toContain('Order 7777: out for delivery.')
      expect(shop.calls.at(-1)).toMatchObject({
        signed: true,
        body: { order_id: '7777', customer: { user_id: 'cust-1' } },
      })

      const refusal = (await (await visitor()).ask('where is my order 4512?')).reply.content
      const calls = shop.calls.length
      expect((await (await verified('cust-2')).ask('where is my order 7777?')).reply.content).toBe(refusal)
      expect((await (await visitor()).ask('where is my order 7777?')).reply.content).toBe(refusal)
      // Only the verified customer's question reached the shop.
      expect(shop.calls.length).toBe(calls + 1)
    } finally {
      await t.json(
        'PUT',
        `/v1/tenants/${TENANT}/action-settings`,
        { order_lookup_url: null, order_lookup_secret: null },
        owner,
      )
      await shop.close()
    }
  })

  it('refuses an order-lookup URL the SSRF guard refuses', async () => {
    const res = await t.json(
      'PUT',
      `/v1/tenants/${TENANT}/action-settings`,
      { order_lookup_url: 'http://169.254.169.254/latest' },
      owner,
    )
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error.message).toMatch(/order_lookup_url/)
  })
})

describe('contacts', () => {
  it('merges two contacts only when an agent asks: sessions and orders move over', async () => {
    const agent = await t.login()
    await putOrder('8001', { contact: { email: 'zoe@example.com', name: 'Zoé' }, status: 'paid', items: [] })
    const verifiedZoe = await verified('cust-9', 'zoe@example.com', 'Zoé')
    const list = async (q: string) =>
      (
        (await (
          await t.json('GET', `/v1/tenants/${TENANT}/contacts?q=${encodeURIComponent(q)}`, undefined, agent)
        ).json()) as any
      ).contacts
    const zoes = await list('zoe@example.com')
    expect(zoes).toHaveLength(2)
    const keep = zoes.find((c: any) => c.user_id === 'cust-9')
    const other = zoes.find((c: any) => c.user_id === null)
    const res = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/contacts/${keep.id}/merge`,
      { other_id: other.id },
      agent,
    )
    expect(res.status, await res.clone().text()).toBe(200)
    const merged = (await res.json()) as any
    expect(merged.orders.map((o: any) => o.external_id)).toEqual(['8001'])
    expect(merged.sessions.map((s: any) => s.id)).toContain(verifiedZoe.id)
    expect(await list('zoe@example.com')).toHaveLength(1)
    expect((await t.json('GET', `/v1/tenants/${TENANT}/contacts/${other.id}`, undefined, agent)).status).toBe(
      404,
    )
    // Now the verified customer owns 8001.
    expect((await verifiedZoe.ask('where is my order 8001')).reply.content).toContain('Order 8001: paid.')
  })

  it('keeps notes and a corrected name', async () => {
    const [c] = (
      (await (await t.json('GET', `/v1/tenants/${TENANT}/contacts?q=cust-1`, undefined, owner)).json()) as any
    ).contacts
    const res = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}/contacts/${c.id}`,
      { notes: 'Prefers e-mail.', name: 'Ana Lima' },
      owner,
    )
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).contact).toMatchObject({ notes: 'Prefers e-mail.', name: 'Ana Lima' })
    expect(
      (await t.json('PATCH', `/v1/tenants/${TENANT}/contacts/${c.id}`, { notes: 'x'.repeat(10_001) }, owner))
        .status,
    ).toBe(400)
  })
})
