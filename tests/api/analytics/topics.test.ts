import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { clusterQuestions } from '../../../api/src/analytics/topics'
import { AGENT, createTestApp, OWNER, TENANT, type TestApp } from '../../helpers/app'

/** A scripted day (2026-02-10, UTC) of visitor questions in French, English and Spanish. */
const DAY = '2026-02-10'
const QUESTIONS: Record<string, string[]> = {
  delivery: [
    'Quels sont les délais de livraison ?',
    'How long does shipping take?',
    '¿Cuánto tarda el envío?',
    'When will my delivery arrive?',
  ],
  refund: ['Je voudrais un remboursement', 'How do I get a refund?', '¿Cómo obtengo un reembolso?'],
  size: ['Comment choisir ma taille ?', 'What size should I order?'],
  password: ['I forgot my password', 'password reset not working'],
}

let t: TestApp
let owner: Record<string, string>
/** Message id -> the topic it was written for. */
const written = new Map<string, string>()

async function ask(text: string, at: Date) {
  const v = await t.visitor()
  const res = await v.send(text)
  expect(res.status).toBe(200)
  const { message } = (await res.json()) as any
  await t.deps.pool.query('update chatbot_conversations set created_at = $2 where session_id = $1', [
    v.id,
    at,
  ])
  return message.id as string
}

beforeAll(async () => {
  t = await createTestApp()
  owner = await t.login(OWNER)
  let minute = 0
  for (const [topic, list] of Object.entries(QUESTIONS))
    for (const q of list)
      written.set(await ask(q, new Date(`${DAY}T09:${String(minute++).padStart(2, '0')}:00Z`)), topic)
  // A greeting is no question; a question of the next day is not this day's.
  await ask('Bonjour', new Date(`${DAY}T10:00:00Z`))
  await ask('Where is my refund?', new Date(`2026-02-11T10:00:00Z`))
}, 60_000)

afterAll(async () => {
  await t?.close()
})

const run = async (date = DAY) => {
  const res = await t.json('POST', `/v1/tenants/${TENANT}/topics/run?date=${date}`, undefined, owner)
  expect(res.status, await res.clone().text()).toBe(202)
  await t.deps.analytics!.drain()
}

const topicsOf = async (from = DAY, to = DAY) => {
  const res = await t.json('GET', `/v1/tenants/${TENANT}/topics?from=${from}&to=${to}`, undefined, owner)
  expect(res.status).toBe(200)
  return ((await res.json()) as any).topics as any[]
}

describe('topics of a day', () => {
  it('group the same subject across French, English and Spanish and keep different subjects apart', async () => {
    await run()
    const topics = await topicsOf()
    // Each topic holds exactly the questions written for one subject, and each subject is one topic.
    const groups = topics.map((tp) => ({
      label: tp.label,
      count: tp.message_count,
      subjects: [...new Set(tp.sample_messages.map((m: any) => written.get(m.id)))],
    }))
    expect(groups).toEqual([
      { label: 'delivery', count: 4, subjects: ['delivery'] },
      { label: 'refund', count: 3, subjects: ['refund'] },
      { label: 'size', count: 2, subjects: ['size'] },
      { label: 'password', count: 2, subjects: ['password'] },
    ])
    expect(topics.map((tp) => tp.topic_id)).toEqual([0, 1, 2, 3])
    expect(topics.map((tp) => tp.percentage)).toEqual([36.36, 27.27, 18.18, 18.18])
    expect(topics[0].date).toBe(DAY)
    // Keywords in the visitors' own words, every language of the topic.
    expect(topics[0].keywords).toEqual(expect.arrayContaining(['livraison', 'shipping', 'envio']))
    // Samples carry their session, so the console links to the conversation.
    expect(topics[1].sample_messages[0]).toMatchObject({
      session_id: expect.any(String),
      content: expect.any(String),
    })
  })

  it('re-running a day replaces it instead of adding to it', async () => {
    const before = await topicsOf()
    // A question deleted since: the re-run counts what is there now.
    const deleted = [...written.entries()].find(([, topic]) => topic === 'delivery')![0]
    await t.deps.pool.query('delete from chatbot_conversations where id = $1', [deleted])
    await run()
    await run()
    const after = await topicsOf()
    expect(after).toHaveLength(before.length)
    expect(after[0]).toMatchObject({ label: 'delivery', message_count: 3 })
    const rows = await t.deps.pool.query(
      'select count(*)::int as n from topics_daily where tenant_id = $1 and date = $2',
      [TENANT, DAY],
    )
    expect(rows.rows[0].n).toBe(4)
  })

  it('a range lists each day with its own topics', async () => {
    await run('2026-02-11')
    const topics = await topicsOf(DAY, '2026-02-11')
    expect(topics.filter((tp) => tp.date === '2026-02-11')).toEqual([
      expect.objectContaining({ label: 'refund', message_count: 1, percentage: 100 }),
    ])
  })

  it('validates dates naming the field, and is for owners and admins', async () => {
    const bad = await t.json('POST', `/v1/tenants/${TENANT}/topics/run?date=2026-13-01`, undefined, owner)
    expect(bad.status).toBe(400)
    expect(((await bad.json()) as any).error.message).toMatch(/^date: /)
    const list = await t.json('GET', `/v1/tenants/${TENANT}/topics?from=${DAY}`, undefined, owner)
    expect(((await list.json()) as any).error.message).toMatch(/^to: /)
    const agent = await t.login(AGENT)
    expect(
      (await t.json('GET', `/v1/tenants/${TENANT}/topics?from=${DAY}&to=${DAY}`, undefined, agent)).status,
    ).toBe(403)
  })
})

describe('clustering', () => {
  it('10,000 questions are clustered without holding the event loop', async () => {
    const base = Object.values(QUESTIONS).flat()
    const questions = Array.from({ length: 10_000 }, (_, i) => ({
      id: String(i),
      session_id: 's',
      content: `${base[i % base.length]} ${i % 7 === 0 ? 'merci' : ''}`,
    }))
    let ticks = 0
    const timer = setInterval(() => ticks++, 1)
    const topics = await clusterQuestions(questions)
    clearInterval(timer)
    expect(topics.reduce((n, tp) => n + tp.message_count, 0)).toBe(10_000)
    expect(topics.slice(0, 4).map((tp) => tp.label)).toEqual(['delivery', 'refund', 'size', 'password'])
    expect(ticks).toBeGreaterThan(0)
  })
})
