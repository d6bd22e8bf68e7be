import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT, OWNER, TENANT, type TestApp } from '../../helpers/app'
import {
  BOT,
  captureLogs,
  createChannelApp,
  metaSignature,
  settle,
  startStandIn,
  type LogCapture,
  type StandIn,
} from './stand-in'

/** WhatsApp Cloud API, Messenger and Instagram through one Graph stand-in. */
let s: StandIn
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
let logs: LogCapture
const PHONE_ID = '106540352242922'
const WA = {
  platform: 'whatsapp',
  bot_id: BOT,
  account_id: PHONE_ID,
  business_account_id: '102290129340398',
  access_token: 'EAAGwhatsappTOKENsecretVALUE123456',
  app_secret: 'wa-app-secret-0123456789',
  verify_token: 'wa-verify-token-abc',
}
const PAGE = {
  platform: 'messenger',
  bot_id: BOT,
  account_id: '5551234567',
  access_token: 'EAAGmessengerTOKENsecretVALUE9876',
  app_secret: 'page-app-secret-0123456789',
  verify_token: 'page-verify-token-xyz',
}
const IG = {
  platform: 'instagram',
  bot_id: BOT,
  account_id: '17841405822304914',
  access_token: 'IGQWinstagramTOKENsecretVALUE4321',
  app_secret: 'ig-app-secret-0123456789',
  verify_token: 'ig-verify-token-123',
}
let wa: any
let page: any
let ig: any
let seq = 0

const post = (id: string, body: unknown, secret: string | null, mutate?: (raw: string) => string) => {
  const raw = JSON.stringify(body)
  const sent = mutate ? mutate(raw) : raw
  return t.app.request(`/v1/channels/${id}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret ? { 'x-hub-signature-256': metaSignature(secret, raw) } : {}),
    },
    body: sent,
  })
}

const waMessage = (from: string, message: Record<string, unknown>, name = 'Ana Souza') => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: WA.business_account_id,
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            metadata: { display_phone_number: '15550001111', phone_number_id: PHONE_ID },
            contacts: [{ profile: { name }, wa_id: from }],
            messages: [
              { from, id: `wamid.IN${++seq}`, timestamp: String(Math.floor(Date.now() / 1000)), ...message },
            ],
          },
        },
      ],
    },
  ],
})

const sessionOf = async (account: string, user: string) =>
  (
    await t.deps.pool.query(
      `select * from chatbot_sessions where channel_account_id = $1 and external_user_id = $2`,
      [account, user],
    )
  ).rows[0]

const detail = async (id: string) =>
  (await (await t.json('GET', `/v1/tenants/${TENANT}/sessions/${id}`, undefined, agent)).json()) as any

beforeAll(async () => {
  s = await startStandIn()
  t = await createChannelApp(s)
  logs = captureLogs(t)
  owner = await t.login(OWNER)
  agent = await t.login(AGENT)
  const make = async (body: unknown) => {
    const res = await t.json('POST', `/v1/tenants/${TENANT}/channels`, body, owner)
    expect(res.status, await res.clone().text()).toBe(201)
    return ((await res.json()) as any).channel
  }
  wa = await make(WA)
  page = await make(PAGE)
  ig = await make(IG)
})
afterAll(async () => {
  await t.close()
  await s.close()
})

describe('the subscription handshake', () => {
  const verify = (id: string, token: string, mode = 'subscribe') =>
    t.app.request(
      `/v1/channels/${id}/webhook?hub.mode=${mode}&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`,
    )

  it('answers the challenge to the right verify token only', async () => {
    const res = await verify(wa.id, WA.verify_token)
    expect(res.status).toBe(200)
    expect(await res.text()).toBe('1158201444')
    expect((await verify(wa.id, 'wrong-token-value')).status).toBe(403)
    expect((await verify(wa.id, WA.verify_token, 'unsubscribe')).status).toBe(403)
    expect((await verify(page.id, PAGE.verify_token)).status).toBe(200)
    // Another channel's token does not open this one.
    expect((await verify(ig.id, PAGE.verify_token)).status).toBe(403)
    expect((await verify('00000000-0000-4000-8000-00000000dead', WA.verify_token)).status).toBe(404)
  })
})

describe('WhatsApp', () => {
  it('refuses a missing, wrong or body-altered signature and stores nothing', async () => {
    const body = waMessage('5511999990000', { type: 'text', text: { body: 'How much does shipping cost?' } })
    expect((await post(wa.id, body, null)).status).toBe(401)
    expect((await post(wa.id, body, 'not-the-app-secret')).status).toBe(401)
    expect((await post(wa.id, body, PAGE.app_secret)).status).toBe(401)
    expect(
      (await post(wa.id, body, WA.app_secret, (raw) => raw.replace('shipping', 'shopping'))).status,
    ).toBe(401)
    expect((await t.deps.pool.query(`select 1 from channel_events`)).rows).toHaveLength(0)
    expect(
      (await t.deps.pool.query(`select 1 from chatbot_sessions where channel = 'whatsapp'`)).rows,
    ).toHaveLength(0)
  })

  it('answers through /{phone-number-id}/messages, once per message id, and records statuses', async () => {
    const body = waMessage('5511999990000', { type: 'text', text: { body: 'How much does shipping cost?' } })
    expect((await post(wa.id, body, WA.app_secret)).status).toBe(200)
    expect((await post(wa.id, body, WA.app_secret)).status).toBe(200)
    await settle(t)
    expect((await post(wa.id, body, WA.app_secret)).status).toBe(200)
    await settle(t)
    const sends = s.sends().filter((r) => r.body?.to === '5511999990000')
    expect(sends).toHaveLength(1)
    expect(sends[0]!.path).toBe(`/graph/v21.0/${PHONE_ID}/messages`)
    expect(sends[0]!.headers.authorization).toBe(`Bearer ${WA.access_token}`)
    expect(sends[0]!.body).toMatchObject({ messaging_product: 'whatsapp', type: 'text' })
    expect(sends[0]!.body.text.body).toMatch(/4[.,]90/)
    const session = await sessionOf(wa.id, '5511999990000')
    expect(session).toMatchObject({ external_user_name: 'Ana Souza', external_user_phone: '+5511999990000' })

    const d = await detail(session.id)
    const answer = d.messages.find((m: any) => m.message_type === 'ai')
    const wamid = answer.delivery.platform_message_ids[0]
    expect(wamid).toMatch(/^wamid\./)
    const status = (st: string) => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: WA.business_account_id,
          changes: [
            {
              field: 'messages',
              value: {
                metadata: { phone_number_id: PHONE_ID },
                statuses: [{ id: wamid, status: st, timestamp: '1', recipient_id: '5511999990000' }],
              },
            },
          ],
        },
      ],
    })
    await post(wa.id, status('delivered'), WA.app_secret)
    expect((await detail(session.id)).messages.find((m: any) => m.id === answer.id).delivery.status).toBe(
      'delivered',
    )
    await post(wa.id, status('read'), WA.app_secret)
    // A late "sent" never moves it back.
    await post(wa.id, status('sent'), WA.app_secret)
    expect((await detail(session.id)).messages.find((m: any) => m.id === answer.id).delivery.status).toBe(
      'read',
    )
    expect(d.session.channel).toBe('whatsapp')
    expect(d.session.external_user).toMatchObject({ name: 'Ana Souza', phone: '+5511999990000' })
  })

  it('takes a batch of entries, each message once', async () => {
    const a = waMessage(
      '5511000000001',
      { type: 'text', text: { body: 'How much does shipping cost?' } },
      'A',
    )
    const b = waMessage(
      '5511000000002',
      { type: 'text', text: { body: 'How much does shipping cost?' } },
      'B',
    )
    const batch = { object: 'whatsapp_business_account', entry: [...a.entry, ...b.entry] }
    expect((await post(wa.id, batch, WA.app_secret)).status).toBe(200)
    await settle(t)
    expect(s.sends().filter((r) => r.body?.to === '5511000000001')).toHaveLength(1)
    expect(s.sends().filter((r) => r.body?.to === '5511000000002')).toHaveLength(1)
  })

  it('an image: the placeholder is stored and the customer is told the bot reads text', async () => {
    await post(
      wa.id,
      waMessage('5511000000003', { type: 'image', image: { id: 'media1', mime_type: 'image/jpeg' } }),
      WA.app_secret,
    )
    await settle(t)
    const session = await sessionOf(wa.id, '5511000000003')
    const d = await detail(session.id)
    expect(d.messages[0]).toMatchObject({ content: '[image]', attachment: { type: 'image' } })
    expect(s.sends().find((r) => r.body?.to === '5511000000003')!.body.text.body).toMatch(/only read text/)
  })

  it('refuses an agent reply outside the 24-hour window, telling the agent a template is needed', async () => {
    const session = await sessionOf(wa.id, '5511999990000')
    await t.deps.pool.query(
      `update chatbot_conversations set created_at = now() - interval '25 hours' where session_id = $1 and message_type = 'user'`,
      [session.id],
    )
    const before = s.sends().length
    const res = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${session.id}/messages`,
      { content: 'Still there?' },
      agent,
    )
    expect(res.status).toBe(422)
    const err = ((await res.json()) as any).error
    expect(err.code).toBe('whatsapp_window_closed')
    expect(err.message).toMatch(/template/)
    expect(
      (await t.deps.pool.query(`select 1 from chatbot_conversations where content = 'Still there?'`)).rows,
    ).toHaveLength(0)
    // A private note is not a message to the customer: still allowed.
    const note = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${session.id}/messages`,
      { content: 'note', private: true },
      agent,
    )
    expect(note.status).toBe(201)
    // Inside the window the reply goes out.
    await t.deps.pool.query(
      `update chatbot_conversations set created_at = now() - interval '23 hours' where session_id = $1 and message_type = 'user'`,
      [session.id],
    )
    const ok = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${session.id}/messages`,
      { content: 'Yes, **here**.' },
      agent,
    )
    expect(ok.status).toBe(201)
    await settle(t)
    expect(s.sends().length).toBe(before + 1)
    expect(s.sends().at(-1)!.body.text.body).toBe('Yes, *here*.')
  })
})

describe('Messenger and Instagram', () => {
  const messaging = (
    object: string,
    accountId: string,
    sender: string,
    message: Record<string, unknown>,
  ) => ({
    object,
    entry: [
      {
        id: accountId,
        time: Date.now(),
        messaging: [
          {
            sender: { id: sender },
            recipient: { id: accountId },
            timestamp: Date.now(),
            message: { mid: `m_IN${++seq}`, ...message },
          },
        ],
      },
    ],
  })

  it('Messenger: answers through /me/messages with the page token', async () => {
    await post(
      page.id,
      messaging('page', PAGE.account_id, 'PSID1', { text: 'How much does shipping cost?' }),
      PAGE.app_secret,
    )
    await settle(t)
    const sent = s.sends().filter((r) => r.body?.recipient?.id === 'PSID1')
    expect(sent).toHaveLength(1)
    expect(sent[0]!.path).toBe('/graph/v21.0/me/messages')
    expect(sent[0]!.headers.authorization).toBe(`Bearer ${PAGE.access_token}`)
    expect(sent[0]!.body).toMatchObject({
      messaging_type: 'RESPONSE',
      message: { text: expect.stringMatching(/4[.,]90/) },
    })
    // An echo of our own message is not a visitor message.
    await post(
      page.id,
      messaging('page', PAGE.account_id, PAGE.account_id, { text: 'echo', is_echo: true }),
      PAGE.app_secret,
    )
    await settle(t)
    expect(
      (await t.deps.pool.query(`select 1 from chatbot_conversations where content = 'echo'`)).rows,
    ).toHaveLength(0)
  })

  it('Instagram: a long agent reply is split under 1000 characters at sentence boundaries', async () => {
    await post(
      ig.id,
      messaging('instagram', IG.account_id, 'IGSID1', { text: 'I want to talk to a human' }),
      IG.app_secret,
    )
    await settle(t)
    const session = await sessionOf(ig.id, 'IGSID1')
    expect(session.status).toBe('escalated')
    const sentence = 'Your parcel left our warehouse this morning and should arrive soon. '
    const long = sentence.repeat(30).trim()
    const res = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${session.id}/messages`,
      { content: long },
      agent,
    )
    expect(res.status).toBe(201)
    await settle(t)
    const parts = s
      .sends()
      .filter((r) => r.body?.recipient?.id === 'IGSID1')
      .slice(1)
    expect(parts.length).toBeGreaterThan(2)
    for (const p of parts) {
      expect(p.body.message.text.length).toBeLessThanOrEqual(1000)
      expect(p.body.message.text).toMatch(/soon\.$/)
    }
    expect(parts.map((p) => p.body.message.text).join(' ')).toBe(long)
  })

  it('never writes a token, app secret or verify token in a log line', () => {
    const text = logs.text()
    for (const x of [WA, PAGE, IG])
      for (const secret of [x.access_token, x.app_secret, x.verify_token]) expect(text).not.toContain(secret)
  })
})
