import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createTestApp, DEMO_ORIGIN, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { startCalcom } from './stand-ins'

/** Booking a meeting through the bot, against a local server speaking Cal.com's API v2. */
let t: TestApp
let owner: Record<string, string>
let secret: string
let cal: Awaited<ReturnType<typeof startCalcom>>
const BOT = '00000000-0000-4000-8000-0000000000b1'
const API_KEY = 'cal_live_test_0123456789'
const day = (d: number, h: number, m = 0) => {
  const x = new Date()
  x.setUTCDate(x.getUTCDate() + d)
  x.setUTCHours(h, m, 0, 0)
  return x.toISOString()
}
const SLOTS = [day(1, 9), day(1, 9, 30), day(1, 10), day(2, 14), day(2, 14, 30), day(3, 11), day(3, 11, 30)]

beforeAll(async () => {
  cal = await startCalcom(API_KEY, SLOTS)
  t = await createTestApp({ CALCOM_API_URL: `${cal.url}/v2` })
  owner = await t.login(OWNER)
  secret = ((await (await t.json('POST', `/v1/bots/${BOT}/widget/identity-secret`, {}, owner)).json()) as any)
    .identity_secret
  await t.json('PATCH', `/v1/bots/${BOT}/widget`, { identity_mode: 'optional' }, owner)
  const res = await t.json(
    'PUT',
    `/v1/tenants/${TENANT}/action-settings`,
    { calcom_api_key: API_KEY, calcom_event_type_id: 42 },
    owner,
  )
  expect(await res.text()).not.toContain(API_KEY)
})
afterAll(async () => {
  await t.close()
  await cal.close()
})
beforeEach(() => {
  cal.state.down = false
  cal.state.takenMeanwhile.clear()
})

async function visitor(identity?: { user_id: string; email: string; name: string }) {
  const body = identity
    ? {
        identity: {
          ...identity,
          user_hash: createHmac('sha256', secret)
            .update(`${identity.user_id}\n${identity.email}\n${identity.name}`)
            .digest('hex'),
        },
      }
    : {}
  const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo', ...body }, { origin: DEMO_ORIGIN })
  expect(res.status).toBe(201)
  const { session, token } = (await res.json()) as any
  return {
    id: session.id as string,
    async say(content: string) {
      const r = await t.json(
        'POST',
        `/v1/sessions/${session.id}/messages`,
        { content, client_message_id: crypto.randomUUID() },
        { authorization: `Bearer ${token}`, origin: DEMO_ORIGIN },
      )
      expect(r.status, await r.clone().text()).toBe(200)
      return (await r.json()) as any
    },
  }
}
const customer = (n: number) => ({
  user_id: `meet-${n}`,
  email: `meet${n}@example.com`,
  name: `Customer ${n}`,
})

describe('booking a meeting', () => {
  it('offers the next free slots as choices, books the one picked, and shows it on the contact', async () => {
    const v = await visitor(customer(1))
    const offer = await v.say("I'd like to book a meeting")
    expect(offer.reply.choices).toHaveLength(5)
    expect(offer.reply.content).toMatch(/^Here are the next free times/)
    expect(offer.reply.content).toContain(`2. ${offer.reply.choices[1].label}`)
    const booked = await v.say(offer.reply.choices[1].label)
    expect(booked.reply.content).toMatch(/^Your meeting is booked for /)
    expect(booked.reply.choices).toEqual([{ label: 'Cancel the meeting' }])
    const b = cal.state.bookings.at(-1)!
    expect(b).toMatchObject({ start: SLOTS[1], attendee: { email: 'meet1@example.com', name: 'Customer 1' } })
    expect(cal.state.calls.find((c) => c.path === '/v2/bookings')?.version).toBe('2024-08-13')

    const [contact] = (
      (await (await t.json('GET', `/v1/tenants/${TENANT}/contacts?q=meet-1`, undefined, owner)).json()) as any
    ).contacts
    const detail = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/contacts/${contact.id}`, undefined, owner)
    ).json()) as any
    expect(detail.meetings).toHaveLength(1)
    expect(detail.meetings[0]).toMatchObject({ cal_uid: b.uid, status: 'scheduled', session_id: v.id })
    const session = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/sessions/${v.id}`, undefined, owner)
    ).json()) as any
    expect(session.messages.filter((m: any) => m.private).map((m: any) => m.content)).toEqual([
      expect.stringMatching(/offered 5 slots/),
      expect.stringMatching(/^Meeting booked for verified customer meet-1/),
    ])

    // Cancelled from the widget: the button sends its label.
    const cancelled = await v.say('Cancel the meeting')
    expect(cancelled.reply.content).toBe('Your meeting is cancelled.')
    expect(b.status).toBe('cancelled')
    const { meetings } = (await (
      await t.json('GET', `/v1/tenants/${TENANT}/meetings?contact_id=${contact.id}`, undefined, owner)
    ).json()) as any
    expect(meetings[0].status).toBe('cancelled')
  })

  it('speaks the visitor\'s language and takes a number as the pick ("je voudrais prendre rendez-vous")', async () => {
    const v = await visitor(customer(2))
    const offer = await v.say('Bonjour, je voudrais prendre rendez-vous')
    expect(offer.reply.content).toMatch(/^Voici les prochains créneaux libres/)
    const booked = await v.say('1')
    expect(booked.reply.content).toMatch(/^Votre rendez-vous est réservé pour /)
  })

  it('cancels no meeting for a question about an order, and books none for the meeting room', async () => {
    const v = await visitor(customer(6))
    await v.say("I'd like to book a meeting")
    await v.say('1')
    const b = cal.state.bookings.at(-1)!
    expect(b.status).toBe('accepted')
    const calls = cal.state.calls.length
    const order = await v.say('Can I cancel my order? We had a call yesterday')
    expect(order.reply.content).not.toMatch(/meeting is cancelled/)
    const room = await v.say('Can I book the meeting room?')
    expect(room.reply.choices).toBeUndefined()
    expect(cal.state.calls.length).toBe(calls)
    expect(b.status).toBe('accepted')
    expect((await v.say('Cancel the meeting')).reply.content).toBe('Your meeting is cancelled.')
  })

  it('offers the next slots when the one picked was taken meanwhile', async () => {
    const v = await visitor(customer(3))
    const offer = await v.say('Can I book an appointment?')
    const first = SLOTS.find(
      (s) => !cal.state.bookings.some((b) => b.start === s && b.status === 'accepted'),
    )!
    cal.state.takenMeanwhile.add(first)
    const again = await v.say('1')
    expect(again.reply.content).toMatch(/^That time was just taken. Here are the next free ones:/)
    expect(again.reply.choices.map((c: any) => c.label)).not.toContain(offer.reply.choices[0].label)
    const booked = await v.say('1')
    expect(booked.reply.content).toMatch(/^Your meeting is booked/)
  })

  it('tells the visitor when Cal.com is down and offers a person', async () => {
    const v = await visitor(customer(4))
    cal.state.down = true
    const down = await v.say("I'd like to book a meeting")
    expect(down.reply.content).toMatch(/can't reach our calendar/)
    const yes = await v.say('yes')
    expect(yes.escalation).not.toBeNull()
  })

  it('books nothing for a visitor without a verified identity', async () => {
    const calls = cal.state.calls.length
    const v = await visitor()
    const r = await v.say("I'd like to book a meeting")
    expect(r.reply.content).toMatch(/^To book a meeting I need to know it is you/)
    expect(cal.state.calls.length).toBe(calls)
  })

  it('stays off when the owner switches meetings off for the bot', async () => {
    await t.json('PUT', `/v1/bots/${BOT}/actions`, { meetings: false }, owner)
    try {
      const v = await visitor(customer(5))
      const r = await v.say("I'd like to book a meeting")
      expect(r.reply.choices).toBeUndefined()
    } finally {
      await t.json('PUT', `/v1/bots/${BOT}/actions`, { meetings: true }, owner)
    }
  })
})
