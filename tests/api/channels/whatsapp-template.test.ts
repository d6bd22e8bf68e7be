import { afterAll, beforeAll, expect, it } from 'vitest'
import { AGENT, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { BOT, createChannelApp, metaSignature, settle, startStandIn, type StandIn } from './stand-in'

/** Outside WhatsApp's 24-hour window an agent sends an approved template, sent as a template message. */
let s: StandIn
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
let wa: any
let sessionId: string
const WA = {
  platform: 'whatsapp',
  bot_id: BOT,
  account_id: '109000000000001',
  business_account_id: '109000000000002',
  access_token: 'EAAGtemplateTOKENsecretVALUE123',
  app_secret: 'wa-template-secret-0001',
  verify_token: 'wa-template-verify',
}

beforeAll(async () => {
  s = await startStandIn()
  t = await createChannelApp(s)
  owner = await t.login(OWNER)
  agent = await t.login(AGENT)
  const res = await t.json('POST', `/v1/tenants/${TENANT}/channels`, WA, owner)
  expect(res.status).toBe(201)
  wa = ((await res.json()) as any).channel
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
              metadata: { phone_number_id: WA.account_id },
              contacts: [{ profile: { name: 'Rui' }, wa_id: '351910000001' }],
              messages: [
                {
                  from: '351910000001',
                  id: 'wamid.TPL1',
                  timestamp: '1',
                  type: 'text',
                  text: { body: 'Olá' },
                },
              ],
            },
          },
        ],
      },
    ],
  })
  const hook = await t.app.request(`/v1/channels/${wa.id}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(WA.app_secret, raw) },
    body: raw,
  })
  expect(hook.status).toBe(200)
  await settle(t)
  sessionId = (
    await t.deps.pool.query(`select id from chatbot_sessions where channel_account_id = $1`, [wa.id])
  ).rows[0].id
  await t.deps.pool.query(
    `update chatbot_conversations set created_at = now() - interval '30 hours' where session_id = $1 and message_type = 'user'`,
    [sessionId],
  )
})
afterAll(async () => {
  await t.close()
  await s.close()
})

const reply = (body: unknown) =>
  t.json('POST', `/v1/tenants/${TENANT}/sessions/${sessionId}/messages`, body, agent)

it('a plain reply is refused with whatsapp_window_closed; a template goes out as a template message', async () => {
  expect((await reply({ content: 'Ainda aí?' })).status).toBe(422)
  const before = s.sends().length
  const res = await reply({ template: { name: 'order_update', language: 'pt_BR' } })
  expect(res.status, await res.clone().text()).toBe(201)
  const { message } = (await res.json()) as any
  expect(message.content).toBe('[template order_update (pt_BR)]')
  await settle(t)
  const sent = s.sends().slice(before)
  expect(sent).toHaveLength(1)
  expect(sent[0]!.path).toBe(`/graph/v21.0/${WA.account_id}/messages`)
  expect(sent[0]!.headers.authorization).toBe(`Bearer ${WA.access_token}`)
  expect(sent[0]!.body).toEqual({
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: '351910000001',
    type: 'template',
    template: { name: 'order_update', language: { code: 'pt_BR' } },
  })
  const detail = (await (
    await t.json('GET', `/v1/tenants/${TENANT}/sessions/${sessionId}`, undefined, agent)
  ).json()) as any
  expect(detail.messages.find((m: any) => m.id === message.id).delivery).toMatchObject({ status: 'sent' })
})

it('refuses a bad template name or language naming the field, a private template, and stores nothing', async () => {
  const count = async () =>
    Number(
      (
        await t.deps.pool.query(`select count(*) from chatbot_conversations where session_id = $1`, [
          sessionId,
        ])
      ).rows[0].count,
    )
  const n = await count()
  for (const [body, field] of [
    [{ template: { name: 'Order Update!', language: 'en_US' } }, 'template.name'],
    [{ template: { name: 'order_update', language: 'english' } }, 'template.language'],
    [{ template: { name: 'order_update', language: 'en', extra: 1 } }, 'template'],
    [{ template: { name: 'order_update', language: 'en' }, private: true }, 'template'],
    [{}, 'content'],
  ] as const) {
    const res = await reply(body)
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error.message).toMatch(new RegExp(`^${field.replace('.', '\\.')}`))
  }
  expect(await count()).toBe(n)
})

it('a template on a conversation that is not on WhatsApp is refused', async () => {
  const visitor = await t.visitor()
  const res = await t.json(
    'POST',
    `/v1/tenants/${TENANT}/sessions/${visitor.id}/messages`,
    { template: { name: 'order_update', language: 'en' } },
    agent,
  )
  expect(res.status).toBe(400)
  expect(((await res.json()) as any).error.message).toMatch(/^template: only WhatsApp/)
})
