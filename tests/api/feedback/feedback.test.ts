import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { ok } from '../../security/tenants'

/**
 * The correction loop through the API, without a model (answers are extractive): a thumbs-down shows
 * in the feedback inbox, an agent writes a better answer, an owner applies it and from then on it
 * answers the same question, its paraphrases and its French phrasing; an edit or a rejection takes
 * effect at once; answer tests catch a knowledge change that breaks a fixed answer.
 */
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
let bot: string

beforeAll(async () => {
  t = await createTestApp({ WORKER_POLL_MS: '60000' })
  await t.deps.worker!.drain()
  owner = await t.login(OWNER)
  agent = await t.login()
  bot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
})
afterAll(() => t.close())

async function ask(content: string) {
  const v = await t.visitor()
  const body = await ok(await v.send(content))
  return { v, reply: body.reply }
}

async function thumbsDown(content: string, comment?: string) {
  const { v, reply } = await ask(content)
  await ok(
    await t.json(
      'POST',
      `/v1/sessions/${v.id}/messages/${reply.id}/feedback`,
      { rating: 'down', ...(comment ? { comment } : {}) },
      v.auth,
    ),
    201,
  )
  return reply
}

const list = async (q = '', who = owner) =>
  ok(await t.json('GET', `/v1/tenants/${TENANT}/feedback${q}`, undefined, who))

const IMPROVED =
  'Delivery takes 2 to 4 business days, and Express delivery arrives the next day, Saturdays included.'

describe('feedback inbox and improvements', () => {
  let message: any
  let improvement: any

  it('lists a thumbs-down with the question, the answer, its sources and scores, and the comment', async () => {
    message = await thumbsDown('How long does delivery take?', 'Does Express deliver on Saturdays?')
    const { items } = await list('?rating=down')
    const item = items.find((i: any) => i.message.id === message.id)
    expect(item).toMatchObject({
      rating: 'down',
      question: 'How long does delivery take?',
      comment: 'Does Express deliver on Saturdays?',
      improvement: null,
      bot_id: bot,
    })
    expect(item.message.content).toBe(message.content)
    expect(item.sources.length).toBeGreaterThan(0)
    expect(item.sources[0].scores.retrieval).toBeGreaterThan(0)
    // An agent sees the inbox too; a thumbs-up is not in the thumbs-down list.
    expect((await list('?rating=down', agent)).items.map((i: any) => i.message.id)).toContain(message.id)
    expect((await list('?rating=up')).items.map((i: any) => i.message.id)).not.toContain(message.id)
  })

  it('an agent proposes a better answer; it does nothing until an owner applies it', async () => {
    const created = await ok(
      await t.json(
        'POST',
        `/v1/tenants/${TENANT}/improvements`,
        { message_id: message.id, improved_response: IMPROVED, feedback_type: 'add_context' },
        agent,
      ),
      201,
    )
    improvement = created.improvement
    expect(improvement).toMatchObject({
      status: 'pending',
      question: 'How long does delivery take?',
      original_response: message.content,
      feedback_type: 'add_context',
      times_applied: 0,
    })
    expect((await ask('How long does delivery take?')).reply.content).not.toContain('Saturdays included')
    // Reviewing is an owner's or admin's.
    const refused = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}/improvements/${improvement.id}`,
      { status: 'applied' },
      agent,
    )
    expect(refused.status).toBe(403)
    const { items } = await list('?status=pending')
    expect(items.find((i: any) => i.message.id === message.id)?.improvement.id).toBe(improvement.id)
  })

  it('applied, it answers the same question, a paraphrase and a French phrasing, cited and counted', async () => {
    await ok(
      await t.json(
        'PATCH',
        `/v1/tenants/${TENANT}/improvements/${improvement.id}`,
        { status: 'applied' },
        owner,
      ),
    )
    const same = (await ask('How long does delivery take?')).reply
    expect(same.content).toBe(IMPROVED)
    expect(same.sources).toEqual([expect.objectContaining({ id: improvement.id, kind: 'improvement' })])
    expect((await ask('How many days does shipping take?')).reply.content).toBe(IMPROVED)
    const french = (await ask('Combien de temps prend la livraison ?')).reply
    expect(french.content).toContain(IMPROVED)
    // Another question on the same topic keeps its own answer.
    const cost = (await ask('How much does shipping cost?')).reply
    expect(cost.content).not.toContain(IMPROVED)
    expect(cost.content).toContain('4.90')

    const { improvements } = await ok(
      await t.json('GET', `/v1/tenants/${TENANT}/improvements?status=applied`, undefined, owner),
    )
    const counted = improvements.find((i: any) => i.id === improvement.id)
    expect(counted.times_applied).toBe(3)
    expect(counted.last_applied_at).not.toBeNull()
  })

  it('an edit takes effect at once, a rejection too', async () => {
    const edited = 'Delivery takes 3 business days at most.'
    await ok(
      await t.json(
        'PATCH',
        `/v1/tenants/${TENANT}/improvements/${improvement.id}`,
        { improved_response: edited },
        owner,
      ),
    )
    expect((await ask('How long does delivery take?')).reply.content).toBe(edited)
    await ok(
      await t.json(
        'PATCH',
        `/v1/tenants/${TENANT}/improvements/${improvement.id}`,
        { status: 'rejected' },
        owner,
      ),
    )
    const back = (await ask('How long does delivery take?')).reply
    expect(back.content).not.toContain(edited)
    expect(back.content).toContain('Colissimo')
    expect(back.sources[0].kind).toBeUndefined()
  })

  it('pages the inbox with a cursor, newest first, without repeats', async () => {
    for (const q of [
      'How do I return an item?',
      'Which payment methods do you accept?',
      'Can I track my order?',
    ])
      await thumbsDown(q)
    const first = await list('?rating=down&limit=2')
    expect(first.items).toHaveLength(2)
    expect(first.next_cursor).toBeTruthy()
    const second = await list(`?rating=down&limit=2&cursor=${first.next_cursor}`)
    const ids = [...first.items, ...second.items].map((i: any) => i.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(first.items[0].question).toBe('Can I track my order?')
    const today = new Date().toISOString().slice(0, 10)
    expect((await list(`?from=${today}&to=${today}&rating=down`)).items.length).toBeGreaterThan(0)
    expect((await list(`?to=2000-01-01`)).items).toHaveLength(0)
  })

  it('a conversation rated 1 of 5 shows as a low rating on its last bot answer', async () => {
    const { v, reply } = await ask('Can I pay with PayPal?')
    await ok(await t.json('POST', `/v1/tenants/${TENANT}/sessions/${v.id}/resolve`, undefined, agent))
    await ok(await t.json('POST', `/v1/sessions/${v.id}/rating`, { score: 1, comment: 'Too slow.' }, v.auth))
    const { items } = await list('?rating=low')
    expect(items).toEqual([
      expect.objectContaining({
        rating: 'low',
        csat: 1,
        comment: 'Too slow.',
        question: 'Can I pay with PayPal?',
        message: expect.objectContaining({ id: reply.id }),
      }),
    ])
    // A good score is not a low rating; the thumbs-down list does not mix them in.
    const other = await ask('What are your opening hours on Saturday?')
    await ok(await t.json('POST', `/v1/tenants/${TENANT}/sessions/${other.v.id}/resolve`, undefined, agent))
    await ok(await t.json('POST', `/v1/sessions/${other.v.id}/rating`, { score: 4 }, other.v.auth))
    expect((await list('?rating=low')).items).toHaveLength(1)
    expect((await list('?rating=down')).items.some((i: any) => i.rating === 'low')).toBe(false)
  })

  it('refuses bad input naming the field, and stores nothing', async () => {
    const bad = async (method: string, path: string, body: unknown, field: string, who = owner) => {
      const res = await t.json(method, path, body, who)
      const text = await res.text()
      expect(res.status, text).toBe(400)
      expect(JSON.parse(text).error.message).toContain(field)
    }
    const before = (await t.deps.pool.query('select count(*)::int n from improvements')).rows[0].n
    await bad('POST', `/v1/tenants/${TENANT}/improvements`, { message_id: message.id }, 'improved_response')
    await bad(
      'POST',
      `/v1/tenants/${TENANT}/improvements`,
      { message_id: message.id, improved_response: 'x', feedback_type: 'vibes' },
      'feedback_type',
    )
    await bad(
      'POST',
      `/v1/tenants/${TENANT}/improvements`,
      { message_id: 'nope', improved_response: 'x' },
      'message_id',
    )
    await bad(
      'POST',
      `/v1/tenants/${TENANT}/improvements`,
      { message_id: message.id, improved_response: 'x', similarity_keywords: Array(21).fill('k') },
      'similarity_keywords',
    )
    expect((await t.deps.pool.query('select count(*)::int n from improvements')).rows[0].n).toBe(before)
    await bad('GET', `/v1/tenants/${TENANT}/feedback?rating=sideways`, undefined, 'rating')
    await bad('GET', `/v1/tenants/${TENANT}/feedback?from=2026-13-45`, undefined, 'from')
    await bad('GET', `/v1/tenants/${TENANT}/feedback?cursor=garbage`, undefined, 'cursor')
    await bad('POST', `/v1/bots/${bot}/answer-tests`, { question: 'Hello?', expect: {} }, 'expect')
    await bad('POST', `/v1/bots/${bot}/answer-tests`, { expect: { declines: true } }, 'question')
    await bad(
      'POST',
      `/v1/tenants/${TENANT}/model-versions`,
      { model_name: 'bad name!', base_model: 'x', version: '1' },
      'model_name',
    )
    const other = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/improvements`,
      { message_id: crypto.randomUUID(), improved_response: 'x' },
      owner,
    )
    expect(other.status).toBe(404)
  })
})

describe('answer tests', () => {
  it('an applied improvement adds a test, run after the change', async () => {
    const message = await thumbsDown('What are your opening hours?')
    const { improvement } = await ok(
      await t.json(
        'POST',
        `/v1/tenants/${TENANT}/improvements`,
        {
          message_id: message.id,
          improved_response: 'Our Lyon shop opens Tuesday to Saturday. Call us any day.',
        },
        owner,
      ),
      201,
    )
    await ok(
      await t.json(
        'PATCH',
        `/v1/tenants/${TENANT}/improvements/${improvement.id}`,
        { status: 'applied' },
        owner,
      ),
    )
    await t.deps.answerTests!.drain()
    const { tests, runs } = await ok(await t.json('GET', `/v1/bots/${bot}/answer-tests`, undefined, owner))
    const test = tests.find((x: any) => x.improvement_id === improvement.id)
    expect(test.expect).toEqual({ contains: ['Our Lyon shop opens Tuesday to Saturday.'] })
    expect(runs[0]).toMatchObject({ trigger: 'improvement', status: 'done' })
    expect(runs[0].results.find((r: any) => r.test_id === test.id)).toMatchObject({ passed: true })
  })

  it('a knowledge change that breaks a fixed answer makes its test fail, and says what changed', async () => {
    const { test } = await ok(
      await t.json(
        'POST',
        `/v1/bots/${bot}/answer-tests`,
        { question: 'How do I return an item?', expect: { contains: ['30 days'], declines: false } },
        owner,
      ),
      201,
    )
    const messagesBefore = (await t.deps.pool.query('select count(*)::int n from chatbot_conversations'))
      .rows[0].n
    const first = await ok(await t.json('POST', `/v1/bots/${bot}/answer-tests/run`, undefined, owner))
    expect(first.results.find((r: any) => r.test_id === test.id)).toMatchObject({ passed: true, reasons: [] })
    // The run answered without storing anything in conversations.
    expect((await t.deps.pool.query('select count(*)::int n from chatbot_conversations')).rows[0].n).toBe(
      messagesBefore,
    )
    const { faqs } = await ok(await t.json('GET', `/v1/tenants/${TENANT}/knowledge/faqs`, undefined, owner))
    const faq = faqs.find((f: any) => f.question === 'How do I return an item?')
    await ok(
      await t.json(
        'PATCH',
        `/v1/tenants/${TENANT}/knowledge/faqs/${faq.id}`,
        { answer: 'You have 14 days after delivery to return an unworn item with its tag.' },
        owner,
      ),
    )
    // Queued by the change, worked off the request.
    const queued = (
      await t.deps.pool.query(
        `select trigger, status from answer_test_runs where bot_id = $1 and status = 'pending'`,
        [bot],
      )
    ).rows
    expect(queued).toEqual([{ trigger: 'knowledge', status: 'pending' }])
    await t.deps.answerTests!.drain()
    const { runs } = await ok(await t.json('GET', `/v1/bots/${bot}/answer-tests`, undefined, owner))
    expect(runs[0]).toMatchObject({ trigger: 'knowledge', status: 'done' })
    const result = runs[0].results.find((r: any) => r.test_id === test.id)
    expect(result.passed).toBe(false)
    expect(result.reasons).toEqual(['The answer does not contain "30 days".'])
    expect(runs[0].changes.newly_failing).toEqual([test.id])

    // Put back: the next run says it passes again.
    await ok(
      await t.json(
        'PATCH',
        `/v1/tenants/${TENANT}/knowledge/faqs/${faq.id}`,
        { answer: 'You have 30 days after delivery to return an unworn item with its tag.' },
        owner,
      ),
    )
    await t.deps.answerTests!.drain()
    const after = await ok(await t.json('GET', `/v1/bots/${bot}/answer-tests`, undefined, owner))
    expect(after.runs[0].changes.newly_passing).toEqual([test.id])
  })

  it('a threshold change queues a run; agents read tests but cannot write them', async () => {
    await ok(await t.json('PATCH', `/v1/bots/${bot}`, { min_confidence: 0.99 }, owner))
    await t.deps.answerTests!.drain()
    const { runs } = await ok(await t.json('GET', `/v1/bots/${bot}/answer-tests`, undefined, agent))
    expect(runs[0]).toMatchObject({ trigger: 'threshold', status: 'done' })
    const { tests } = await ok(await t.json('GET', `/v1/bots/${bot}/answer-tests`, undefined, owner))
    expect(runs[0].results).toHaveLength(tests.length)
    await ok(await t.json('PATCH', `/v1/bots/${bot}`, { min_confidence: null }, owner))
    const refused = await t.json(
      'POST',
      `/v1/bots/${bot}/answer-tests`,
      { question: 'Hi?', expect: { declines: true } },
      agent,
    )
    expect(refused.status).toBe(403)
    const test = (
      await ok(
        await t.json(
          'POST',
          `/v1/bots/${bot}/answer-tests`,
          { question: 'Do you sell kayaks?', expect: { declines: true } },
          owner,
        ),
        201,
      )
    ).test
    expect((await t.json('DELETE', `/v1/bots/${bot}/answer-tests/${test.id}`, undefined, agent)).status).toBe(
      403,
    )
    expect((await t.json('DELETE', `/v1/bots/${bot}/answer-tests/${test.id}`, undefined, owner)).status).toBe(
      204,
    )
    expect((await t.json('DELETE', `/v1/bots/${bot}/answer-tests/${test.id}`, undefined, owner)).status).toBe(
      404,
    )
  })
})

describe('deletion', () => {
  it('a tenant with answer tests and knowledge is deleted whole (the knowledge trigger queues nothing)', async () => {
    const { tenant } = await ok(
      await t.json(
        'POST',
        '/v1/tenants',
        { name: 'Gone', slug: `gone-${crypto.randomUUID().slice(0, 8)}` },
        owner,
      ),
      201,
    )
    const { bot: b } = await ok(
      await t.json('POST', `/v1/tenants/${tenant.id}/bots`, { name: 'Gone' }, owner),
      201,
    )
    await ok(
      await t.json(
        'POST',
        `/v1/bots/${b.id}/answer-tests`,
        { question: 'Hi?', expect: { declines: true } },
        owner,
      ),
      201,
    )
    await ok(
      await t.json(
        'POST',
        `/v1/tenants/${tenant.id}/knowledge/faqs`,
        { question: 'Gone?', answer: 'Gone.', language: 'en' },
        owner,
      ),
      201,
    )
    await t.deps.pool.query('delete from tenants where id = $1', [tenant.id])
    expect(
      (await t.deps.pool.query('select 1 from answer_test_runs where tenant_id = $1', [tenant.id])).rows,
    ).toEqual([])
  })
})

describe('export', () => {
  it('exports applied improvements as a chat fine-tuning file, one conversation a line', async () => {
    const res = await t.json('GET', `/v1/tenants/${TENANT}/improvements/export.jsonl`, undefined, owner)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toContain('application/x-ndjson')
    const lines = (await res.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
    // Only the applied one (the delivery one was rejected).
    expect(lines).toHaveLength(1)
    expect(lines[0].messages.map((m: any) => m.role)).toEqual(['system', 'user', 'assistant'])
    expect(lines[0].messages[1].content).toBe('What are your opening hours?')
    expect(lines[0].messages[2].content).toBe('Our Lyon shop opens Tuesday to Saturday. Call us any day.')
    expect(
      (await t.json('GET', `/v1/tenants/${TENANT}/improvements/export.jsonl`, undefined, agent)).status,
    ).toBe(403)
  })
})
