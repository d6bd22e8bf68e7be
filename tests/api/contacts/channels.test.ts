import { afterAll, beforeAll, expect, it } from 'vitest'
import { OWNER, TENANT, type TestApp } from '../../helpers/app'
import {
  BOT,
  createChannelApp,
  metaSignature,
  settle,
  startStandIn,
  type StandIn,
} from '../channels/stand-in'

/**
 * A channel user is a contact of their own (by platform user id), never the verified customer with the
 * same name: the order answer stays a refusal until an agent merges the two contacts.
 */
let s: StandIn
let t: TestApp
let owner: Record<string, string>
let wa: any
let seq = 0
const WA = {
  platform: 'whatsapp',
  bot_id: BOT,
  account_id: '106540352242999',
  business_account_id: '102290129340399',
  access_token: 'EAAGwhatsappTOKENsecretVALUE999999',
  app_secret: 'wa-app-secret-contacts-99',
  verify_token: 'wa-verify-token-contacts',
}

const send = async (from: string, text: string) => {
  const raw = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: WA.business_account_id,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550001111', phone_number_id: WA.account_id },
              contacts: [{ profile: { name: 'Ana Lima' }, wa_id: from }],
              messages: [
                {
                  from,
                  id: `wamid.C${++seq}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  })
  const res = await t.app.request(`/v1/channels/${wa.id}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(WA.app_secret, raw) },
    body: raw,
  })
  expect(res.status).toBe(200)
  await settle(t)
  return s.sends().at(-1)!.body.text.body as string
}

beforeAll(async () => {
  s = await startStandIn()
  t = await createChannelApp(s)
  owner = await t.login(OWNER)
  const res = await t.json('POST', `/v1/tenants/${TENANT}/channels`, WA, owner)
  expect(res.status).toBe(201)
  wa = ((await res.json()) as any).channel
  await t.json(
    'PUT',
    `/v1/tenants/${TENANT}/orders/4512`,
    {
      contact: { user_id: 'ana-1', name: 'Ana Lima', email: 'ana@example.com' },
      status: 'shipped',
      items: [{ name: 'Mug', quantity: 1, unit_price: 9 }],
    },
    owner,
  )
})
afterAll(async () => {
  await t.close()
  await s.close()
})

it('a WhatsApp user is their own contact; after an agent merges it with the verified customer, the bot answers', async () => {
  const refusal = await send('33612345678', 'where is my order 4512?')
  expect(refusal).toMatch(/sign in/)
  const list = async () =>
    ((await (await t.json('GET', `/v1/tenants/${TENANT}/contacts?q=Ana`, undefined, owner)).json()) as any)
      .contacts
  const contacts = await list()
  expect(contacts).toHaveLength(2)
  const waContact = contacts.find((c: any) => c.identities.some((i: any) => i.kind === 'whatsapp'))
  const verified = contacts.find((c: any) => c.user_id === 'ana-1')
  expect(waContact).toMatchObject({ name: 'Ana Lima', sources: { name: 'platform' }, user_id: null })
  expect(waContact.identities).toEqual([{ kind: 'whatsapp', value: '33612345678' }])

  const merged = await t.json(
    'POST',
    `/v1/tenants/${TENANT}/contacts/${verified.id}/merge`,
    { other_id: waContact.id },
    owner,
  )
  expect(merged.status).toBe(200)
  // A verified name stays; the platform's does not replace it.
  expect(((await merged.json()) as any).contact.sources.name).toBe('verified')
  expect(await send('33612345678', 'where is my order 4512?')).toContain('Order 4512: shipped.')
})
