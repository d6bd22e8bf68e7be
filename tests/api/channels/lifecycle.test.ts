import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT, OWNER, TENANT, type TestApp } from '../../helpers/app'
import {
  BOT,
  captureLogs,
  createChannelApp,
  drain,
  metaSignature,
  settle,
  startStandIn,
  type LogCapture,
  type StandIn,
} from './stand-in'

/**
 * A channel's life after connecting: pausing or disconnecting it cancels the replies it has not sent
 * (shown on each message, never retried), and Messenger and Instagram users get their name from the
 * Graph profile after their first message.
 */
let s: StandIn
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
let logs: LogCapture
let updateId = 5000

beforeAll(async () => {
  s = await startStandIn()
  // Retries far in the future: a failed send stays pending (retrying) while the test acts.
  t = await createChannelApp(s, { CHANNEL_RETRY_BASE_MS: '600000' })
  logs = captureLogs(t)
  owner = await t.login(OWNER)
  agent = await t.login(AGENT)
})
afterAll(async () => {
  await t.close()
  await s.close()
})

const connect = async (body: Record<string, unknown>) => {
  const res = await t.json('POST', `/v1/tenants/${TENANT}/channels`, { bot_id: BOT, ...body }, owner)
  expect(res.status, await res.clone().text()).toBe(201)
  return ((await res.json()) as any).channel
}

/** A Telegram text from `chat` to the channel; returns the webhook's status. */
const telegram = async (channel: any, token: string, chat: number, text: string) => {
  const secret = s.requests.filter((r) => r.path === `/tg/bot${token}/setWebhook`).at(-1)!.body.secret_token
  const res = await t.app.request(`/v1/channels/${channel.id}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body: JSON.stringify({
      update_id: ++updateId,
      message: {
        message_id: updateId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chat, type: 'private' },
        from: { id: chat, first_name: 'Lea' },
        text,
      },
    }),
  })
  return res.status
}

const sessionOf = async (channel: string, user: string) =>
  (
    await t.deps.pool.query(`select * from chatbot_sessions where external_user_id = $1 and channel = $2`, [
      user,
      channel,
    ])
  ).rows[0]

/** The bot's answer to the chat as the inbox sees it (`delivery` included). */
const answerOf = async (sessionId: string) => {
  const res = await t.json('GET', `/v1/tenants/${TENANT}/sessions/${sessionId}`, undefined, agent)
  const body = (await res.json()) as any
  return body.messages.filter((m: any) => m.message_type === 'ai').at(-1)
}

describe('pausing or disconnecting a channel cancels what it has not sent', () => {
  it('pausing: the retrying answer is cancelled, shown as not delivered with the reason, and never sent later', async () => {
    const token = '700100:AAHpausePAUSEpausePAUSEpause01'
    const channel = await connect({ platform: 'telegram', access_token: token })
    s.failures.push(503)
    expect(await telegram(channel, token, 7001, 'How much does shipping cost?')).toBe(200)
    await drain(t)
    const session = await sessionOf('telegram', '7001')
    expect((await answerOf(session.id)).delivery).toMatchObject({ status: 'retrying' })
    const sendsBefore = s.sends().length

    const paused = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}/channels/${channel.id}`,
      { is_active: false },
      owner,
    )
    expect(paused.status).toBe(200)
    const answer = await answerOf(session.id)
    expect(answer.delivery).toMatchObject({ status: 'failed', error: 'Not sent: the channel was paused.' })
    const outbox = await t.deps.pool.query(
      `select status, last_error from channel_outbox where message_id = $1`,
      [answer.id],
    )
    expect(outbox.rows[0]).toMatchObject({
      status: 'cancelled',
      last_error: 'Not sent: the channel was paused.',
    })

    // Due again and active again: still not sent (cancelled is final).
    await t.deps.pool.query(`update channel_outbox set run_at = now() where message_id = $1`, [answer.id])
    await t.json('PATCH', `/v1/tenants/${TENANT}/channels/${channel.id}`, { is_active: true }, owner)
    await settle(t)
    expect(s.sends().length).toBe(sendsBefore)
    expect((await answerOf(session.id)).delivery.status).toBe('failed')
  })

  it('disconnecting: the waiting answer is marked not delivered, and its conversation stays in the inbox', async () => {
    const token = '700200:AAHdeleteDELETEdeleteDELETE01'
    const channel = await connect({ platform: 'telegram', access_token: token })
    s.failures.push(500)
    expect(await telegram(channel, token, 7002, 'Comment retourner un article ?')).toBe(200)
    await drain(t)
    const session = await sessionOf('telegram', '7002')
    expect((await answerOf(session.id)).delivery.status).toBe('retrying')

    const res = await t.json('DELETE', `/v1/tenants/${TENANT}/channels/${channel.id}`, undefined, owner)
    expect(res.status).toBe(204)
    const answer = await answerOf(session.id)
    expect(answer.delivery).toMatchObject({
      status: 'failed',
      error: 'Not sent: the channel was disconnected.',
    })
    const waiting = await t.deps.pool.query(
      `select count(*)::int as n from channel_outbox where session_id = $1 and status in ('pending', 'sending')`,
      [session.id],
    )
    expect(waiting.rows[0].n).toBe(0)
  })

  it('a reply already sent keeps its state when the channel is paused', async () => {
    const token = '700300:AAHkeepKEEPkeepKEEPkeepKEEP01'
    const channel = await connect({ platform: 'telegram', access_token: token })
    expect(await telegram(channel, token, 7003, 'How much does shipping cost?')).toBe(200)
    await settle(t)
    const session = await sessionOf('telegram', '7003')
    expect((await answerOf(session.id)).delivery.status).toBe('sent')
    await t.json('PATCH', `/v1/tenants/${TENANT}/channels/${channel.id}`, { is_active: false }, owner)
    expect((await answerOf(session.id)).delivery.status).toBe('sent')
  })
})

describe('a burst of webhook calls', () => {
  it('stores every update once when calls share an insert, a retried update among them included', async () => {
    const token = '700400:AAHburstBURSTburstBURSTburst01'
    const channel = await connect({ platform: 'telegram', access_token: token })
    const secret = s.requests.filter((r) => r.path === `/tg/bot${token}/setWebhook`).at(-1)!.body.secret_token
    const body = (i: number) =>
      JSON.stringify({
        update_id: 90000 + i,
        message: {
          message_id: i,
          date: Math.floor(Date.now() / 1000),
          chat: { id: 8000 + i, type: 'private' },
          from: { id: 8000 + i, first_name: 'Burst' },
          text: 'ok',
        },
      })
    const post = (raw: string) =>
      t.app.request(`/v1/channels/${channel.id}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
        body: raw,
      })
    // 30 updates at once, the first one sent three times (Telegram retrying while we answer).
    const raws = [...Array.from({ length: 30 }, (_, i) => body(i)), body(0), body(0)]
    const statuses = await Promise.all(raws.map(post))
    expect(statuses.map((r) => r.status)).toEqual(raws.map(() => 200))
    const stored = await t.deps.pool.query(
      `select event_key, count(*)::int as n from channel_events where account_id = $1 group by event_key`,
      [channel.id],
    )
    expect(stored.rows).toHaveLength(30)
    expect(stored.rows.every((r) => r.n === 1)).toBe(true)
  })
})

describe('Messenger and Instagram names from the Graph profile', () => {
  const post = (channel: any, appSecret: string, object: string, sender: string, text: string) => {
    const raw = JSON.stringify({
      object,
      entry: [
        {
          id: channel.account_id,
          time: Date.now(),
          messaging: [
            {
              sender: { id: sender },
              recipient: { id: channel.account_id },
              timestamp: Date.now(),
              message: { mid: `m_${++updateId}`, text },
            },
          ],
        },
      ],
    })
    return t.app.request(`/v1/channels/${channel.id}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(appSecret, raw) },
      body: raw,
    })
  }
  const profileCalls = (id: string) => s.requests.filter((r) => r.path.startsWith(`/graph/v21.0/${id}?`))
  let page: any
  let ig: any
  const PAGE_SECRET = 'page-app-secret-profiles-01'
  const IG_SECRET = 'ig-app-secret-profiles-0001'
  beforeAll(async () => {
    page = await connect({
      platform: 'messenger',
      account_id: '880000001',
      access_token: 'EAAGprofilePAGEtokenVALUE0001',
      app_secret: PAGE_SECRET,
      verify_token: 'page-verify-profiles',
    })
    ig = await connect({
      platform: 'instagram',
      account_id: '17840000000000001',
      access_token: 'IGQWprofileIGtokenVALUE00001',
      app_secret: IG_SECRET,
      verify_token: 'ig-verify-profiles',
    })
  })

  it('Messenger: the name is looked up once, with the page token in a header, and shown in the inbox', async () => {
    s.profiles['24000000001'] = { first_name: 'Ana', last_name: 'Lima', name: 'Ana Lima' }
    expect((await post(page, PAGE_SECRET, 'page', '24000000001', 'Hello')).status).toBe(200)
    await settle(t)
    const calls = profileCalls('24000000001')
    expect(calls).toHaveLength(1)
    expect(calls[0]!.path).toBe('/graph/v21.0/24000000001?fields=name,first_name,last_name')
    expect(calls[0]!.headers.authorization).toBe('Bearer EAAGprofilePAGEtokenVALUE0001')
    const session = await sessionOf('messenger', '24000000001')
    const res = await t.json('GET', `/v1/tenants/${TENANT}/sessions/${session.id}`, undefined, agent)
    expect(((await res.json()) as any).session.external_user).toMatchObject({
      id: '24000000001',
      name: 'Ana Lima',
    })
    // A later message does not ask again.
    await post(page, PAGE_SECRET, 'page', '24000000001', 'Still there?')
    await settle(t)
    expect(profileCalls('24000000001')).toHaveLength(1)
  })

  it('Instagram: name and @username', async () => {
    s.profiles['17800000000000002'] = { name: 'Bo Store', username: 'bo.store' }
    expect((await post(ig, IG_SECRET, 'instagram', '17800000000000002', 'Hi')).status).toBe(200)
    await settle(t)
    expect(profileCalls('17800000000000002')[0]!.path).toBe(
      '/graph/v21.0/17800000000000002?fields=name,username',
    )
    expect(await sessionOf('instagram', '17800000000000002')).toMatchObject({
      external_user_name: 'Bo Store',
      external_user_handle: '@bo.store',
    })
  })

  it('a refused lookup keeps the id, is logged without the token, and is not retried; the answer still goes out', async () => {
    const sends = s.sends().length
    expect(
      (await post(page, PAGE_SECRET, 'page', '24000000999', 'How much does shipping cost?')).status,
    ).toBe(200)
    await settle(t)
    expect(s.sends().length).toBe(sends + 1)
    const session = await sessionOf('messenger', '24000000999')
    expect(session.external_user_name).toBeNull()
    expect(logs.text()).toContain('channel profile lookup failed')
    expect(logs.text()).not.toContain('EAAGprofilePAGEtokenVALUE0001')
    await post(page, PAGE_SECRET, 'page', '24000000999', 'hello?')
    await settle(t)
    expect(profileCalls('24000000999')).toHaveLength(1)
  })
})
