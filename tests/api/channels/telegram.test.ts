import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT, OWNER, TENANT, type TestApp } from '../../helpers/app'
import {
  BOT,
  captureLogs,
  createChannelApp,
  settle,
  startStandIn,
  type LogCapture,
  type StandIn,
} from './stand-in'

/** Telegram end to end: setWebhook, the secret token, de-duplicated updates, answers, handoff and agent replies. */
let s: StandIn
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
let logs: LogCapture
let channel: any
const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1'
let secretToken: string
let updateId = 1000

const update = (chatId: number, message: Record<string, unknown>, from: Record<string, unknown> = {}) => ({
  update_id: ++updateId,
  message: {
    message_id: updateId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: 'private' },
    from: { id: chatId, is_bot: false, first_name: 'Marie', last_name: 'Curie', username: 'mcurie', ...from },
    ...message,
  },
})

const post = (body: unknown, secret: string | null = secretToken, id = channel.id) =>
  t.app.request(`/v1/channels/${id}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })

const sessionOf = async (chatId: number) =>
  (
    await t.deps.pool.query(
      `select * from chatbot_sessions where channel_account_id = $1 and external_user_id = $2`,
      [channel.id, String(chatId)],
    )
  ).rows[0]

beforeAll(async () => {
  s = await startStandIn()
  t = await createChannelApp(s)
  logs = captureLogs(t)
  owner = await t.login(OWNER)
  agent = await t.login(AGENT)
  const res = await t.json(
    'POST',
    `/v1/tenants/${TENANT}/channels`,
    { platform: 'telegram', bot_id: BOT, access_token: TOKEN },
    owner,
  )
  expect(res.status, await res.clone().text()).toBe(201)
  channel = ((await res.json()) as any).channel
  const hook = s.requests.find((r) => r.path.endsWith('/setWebhook'))!
  secretToken = hook.body.secret_token
})
afterAll(async () => {
  await t.close()
  await s.close()
})

describe('connecting a Telegram bot', () => {
  it('calls setWebhook with the channel webhook URL and a generated secret token', () => {
    const hook = s.requests.find((r) => r.path.endsWith('/setWebhook'))!
    expect(hook.path).toBe(`/tg/bot${TOKEN}/setWebhook`)
    expect(hook.body.url).toBe(`https://parley.example/v1/channels/${channel.id}/webhook`)
    expect(hook.body.secret_token).toMatch(/^[0-9a-f]{64}$/)
    expect(channel).toMatchObject({
      platform: 'telegram',
      bot_id: BOT,
      account_id: '123456789',
      is_active: true,
    })
    expect(channel.webhook_url).toBe(hook.body.url)
    expect(JSON.stringify(channel)).not.toContain(TOKEN.split(':')[1])
  })
})

describe('the webhook', () => {
  it('refuses a missing or wrong secret token and stores nothing', async () => {
    expect((await post(update(1, { text: 'hello' }), null)).status).toBe(401)
    expect((await post(update(1, { text: 'hello' }), 'wrong')).status).toBe(401)
    expect((await post(update(1, { text: 'hello' }), secretToken.slice(0, -1) + 'x')).status).toBe(401)
    const stored = await t.deps.pool.query(`select 1 from channel_events where account_id = $1`, [channel.id])
    expect(stored.rows).toHaveLength(0)
  })

  it('answers a question through sendMessage to the right chat, once even when Telegram retries', async () => {
    const u = update(42, { text: 'How much does shipping cost?' }, { language_code: 'en' })
    const started = performance.now()
    const res = await post(u)
    expect(res.status).toBe(200)
    expect(performance.now() - started).toBeLessThan(1000)
    // Telegram retries the same update: nothing is stored twice.
    expect((await post(u)).status).toBe(200)
    await settle(t)
    expect((await post(u)).status).toBe(200)
    await settle(t)
    const sends = s.sends().filter((r) => r.body.chat_id === '42')
    expect(sends).toHaveLength(1)
    expect(sends[0]!.path).toBe(`/tg/bot${TOKEN}/sendMessage`)
    expect(sends[0]!.body.parse_mode).toBe('HTML')
    expect(sends[0]!.body.text).toMatch(/4[.,]90/)
    const session = await sessionOf(42)
    expect(session).toMatchObject({
      channel: 'telegram',
      external_user_name: 'Marie Curie',
      external_user_handle: '@mcurie',
    })
    const msgs = await t.deps.pool.query(
      `select message_type, content, ai_metadata->'delivery' as delivery from chatbot_conversations where session_id = $1 order by seq`,
      [session.id],
    )
    expect(msgs.rows.map((m) => m.message_type)).toEqual(['user', 'ai'])
    expect(msgs.rows[1].delivery).toMatchObject({
      status: 'sent',
      platform_message_ids: [expect.any(String)],
    })
  })

  it("takes the visitor's language from Telegram's language_code", async () => {
    await post(update(77, { text: 'ok' }, { language_code: 'fr' }))
    await settle(t)
    expect((await sessionOf(77)).ai_context.language).toBe('fr')
  })

  it('stores an image with its type and a placeholder, and says politely it reads text only', async () => {
    await post(update(88, { photo: [{ file_id: 'abc', width: 90, height: 90 }] }, { language_code: 'fr' }))
    await settle(t)
    const session = await sessionOf(88)
    const msgs = await t.deps.pool.query(
      `select message_type, content, ai_metadata from chatbot_conversations where session_id = $1 order by seq`,
      [session.id],
    )
    expect(msgs.rows[0]).toMatchObject({ message_type: 'user', content: '[image]' })
    expect(msgs.rows[0].ai_metadata.attachment).toEqual({ type: 'image' })
    expect(msgs.rows[1].content).toMatch(/que les messages écrits/)
    const sent = s.sends().filter((r) => r.body.chat_id === '88')
    expect(sent).toHaveLength(1)
    expect(sent[0]!.body.text).toMatch(/que les messages écrits/)
    // The inbox shows it with its type.
    const detail = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${session.id}`, undefined, agent)
    ).json()) as any
    expect(detail.messages[0].attachment).toEqual({ type: 'image' })
  })

  it('sends each answer while later messages still wait their turn, not after the whole queue', async () => {
    const chats = Array.from({ length: 8 }, (_, i) => String(6100 + i))
    const before = s.sends().length
    const posted = await Promise.all(
      chats.map((c) =>
        post(update(Number(c), { text: 'How much does shipping cost?' }, { language_code: 'en' })),
      ),
    )
    expect(posted.map((r) => r.status)).toEqual(chats.map(() => 200))
    await s.waitForSends(before + 1, 20_000)
    const waiting = await t.deps.pool.query(
      `select count(*)::int as n from channel_events where account_id = $1 and user_key = any($2) and status <> 'done'`,
      [channel.id, chats],
    )
    expect(waiting.rows[0].n).toBeGreaterThan(0)
    await settle(t, 20_000)
    const answered = s.sends().filter((r) => chats.includes(r.body.chat_id))
    expect(answered.map((r) => r.body.chat_id).sort()).toEqual(chats)
  })

  it('an invalid body with a valid secret is a 400 and stores nothing', async () => {
    const before = (await t.deps.pool.query(`select count(*)::int as n from channel_events`)).rows[0].n
    expect((await post('{not json')).status).toBe(400)
    expect((await t.deps.pool.query(`select count(*)::int as n from channel_events`)).rows[0].n).toBe(before)
  })
})

describe('handoff and the inbox', () => {
  it('escalates on request, delivers the handoff line, then the agent reply through sendMessage', async () => {
    await post(update(99, { text: 'I want to talk to a human please' }, { language_code: 'en' }))
    await settle(t)
    const session = await sessionOf(99)
    expect(session.status).toBe('escalated')
    const handoff = s.sends().filter((r) => r.body.chat_id === '99')
    expect(handoff).toHaveLength(1)
    expect(handoff[0]!.body.text).toMatch(/member of the team|team is away/)

    const list = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions?channel=telegram`, undefined, agent)
    ).json()) as any
    const summary = list.sessions.find((x: any) => x.id === session.id)
    expect(summary.channel).toBe('telegram')
    expect(summary.external_user).toMatchObject({ id: '99', name: 'Marie Curie', handle: '@mcurie' })
    expect(list.sessions.every((x: any) => x.channel === 'telegram')).toBe(true)
    const widgets = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions?channel=widget`, undefined, agent)
    ).json()) as any
    expect(widgets.sessions.some((x: any) => x.id === session.id)).toBe(false)

    const reply = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${session.id}/messages`,
      { content: 'Hello, **Alex** here. How can I help?' },
      agent,
    )
    expect(reply.status).toBe(201)
    const note = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${session.id}/messages`,
      { content: 'PRIVATE note, never sent', private: true },
      agent,
    )
    expect(note.status).toBe(201)
    await settle(t)
    const sent = s.sends().filter((r) => r.body.chat_id === '99')
    expect(sent).toHaveLength(2)
    expect(sent[1]!.body.text).toBe('Hello, <b>Alex</b> here. How can I help?')
    const detail = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${session.id}`, undefined, agent)
    ).json()) as any
    expect(detail.session.external_user.name).toBe('Marie Curie')
    const agentMsg = detail.messages.find((m: any) => m.message_type === 'agent' && !m.private)
    expect(agentMsg.delivery.status).toBe('sent')
    expect(detail.messages.find((m: any) => m.private).delivery).toBeUndefined()

    // Resolving sends the system line too.
    await t.json('POST', `/v1/tenants/${TENANT}/sessions/${session.id}/resolve`, {}, agent)
    await settle(t)
    expect(s.sends().filter((r) => r.body.chat_id === '99')).toHaveLength(3)
  })

  it('a send failure is retried, then shown on the message', async () => {
    s.failures.push(500, 502)
    await post(update(123, { text: 'How much does shipping cost?' }))
    await settle(t)
    const ok = s.sends().filter((r) => r.body.chat_id === '123')
    expect(ok).toHaveLength(3)
    const session = await sessionOf(123)
    const detail = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${session.id}`, undefined, agent)
    ).json()) as any
    expect(detail.messages[1].delivery).toMatchObject({ status: 'sent', attempts: 3 })

    s.failures.push(500, 500, 500, 500, 500)
    await post(update(124, { text: 'How much does shipping cost?' }))
    await settle(t)
    const failed = await sessionOf(124)
    const d2 = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${failed.id}`, undefined, agent)
    ).json()) as any
    expect(d2.messages[1].delivery).toMatchObject({ status: 'failed', attempts: 5 })
    expect(d2.messages[1].delivery.error).toMatch(/HTTP 500: Stand-in failure 500/)

    // A permanent refusal (400) is not retried.
    s.failures.push(400)
    await post(update(125, { text: 'How much does shipping cost?' }))
    await settle(t)
    const refused = await sessionOf(125)
    const d3 = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${refused.id}`, undefined, agent)
    ).json()) as any
    expect(d3.messages[1].delivery).toMatchObject({ status: 'failed', attempts: 1 })
  })

  it('never writes the bot token or the secret token in a log line', () => {
    const text = logs.text()
    expect(logs.lines.length).toBeGreaterThan(5)
    expect(text).not.toContain(TOKEN.split(':')[1])
    expect(text).not.toContain(secretToken)
  })
})
