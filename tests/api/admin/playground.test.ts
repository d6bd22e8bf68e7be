import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { ok } from '../../security/tenants'

/**
 * The playground: the answer the demo bot would give, its confidence and passages, at its threshold or
 * one the owner tries, with nothing stored.
 */
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
let bot: string

beforeAll(async () => {
  t = await createTestApp()
  await t.deps.worker!.drain()
  owner = await t.login(OWNER)
  agent = await t.login()
  bot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
})
afterAll(async () => {
  await t.close()
})

const play = (body: unknown, who = owner) => t.json('POST', `/v1/bots/${bot}/playground`, body, who)

const counts = async () =>
  (
    await t.deps.pool.query(
      `select (select count(*)::int from chatbot_conversations) as messages,
              (select count(*)::int from chatbot_sessions) as sessions,
              (select coalesce(sum(usage_count), 0)::int from knowledge_chunks where tenant_id = $1) as usage`,
      [TENANT],
    )
  ).rows[0]

describe('POST /v1/bots/:b/playground', () => {
  it('answers a covered question with its passages, and stores nothing', async () => {
    const before = await counts()
    const body = await ok(await play({ question: 'Quels sont les délais de livraison ?' }))
    expect(body.declined).toBe(false)
    expect(body.answer).toMatch(/2 à 4 jours/)
    expect(body.confidence).toBeGreaterThanOrEqual(body.threshold)
    expect(body.language).toBe('fr')
    expect(body.passages.length).toBeGreaterThan(0)
    const cited = body.passages.filter((p: any) => p.cited)
    expect(cited).toHaveLength(1)
    expect(cited[0].score).toBeGreaterThanOrEqual(body.threshold)
    expect(cited[0].source.title).toBeTruthy()
    expect(await counts()).toEqual(before)
  })

  it('declines an uncovered question, and min_confidence moves the line', async () => {
    const declined = await ok(await play({ question: 'Vendez-vous des voitures ?' }))
    expect(declined.declined).toBe(true)
    expect(declined.answer).toMatch(/^Je n'ai pas trouvé/)

    // A near miss is declined at the bot's threshold; at its own confidence it is answered, just above not.
    const q = 'Do you ship to Canada?'
    const normal = await ok(await play({ question: q }))
    expect(normal.declined).toBe(true)
    expect(normal.confidence).toBeGreaterThan(0)
    expect(normal.confidence).toBeLessThan(normal.threshold)
    const lax = await ok(await play({ question: q, min_confidence: normal.confidence }))
    expect(lax.declined).toBe(false)
    expect(lax.threshold).toBe(normal.confidence)
    expect(lax.passages.some((p: any) => p.cited)).toBe(true)
    const strict = await ok(await play({ question: q, min_confidence: normal.confidence + 0.001 }))
    expect(strict.declined).toBe(true)
  })

  it('the bot keeps its own threshold: the dry run changes nothing', async () => {
    const { bot: b } = await ok(await t.json('GET', `/v1/bots/${bot}`, undefined, owner))
    await ok(await play({ question: 'Quels sont les délais de livraison ?', min_confidence: 0.99 }))
    const { bot: after } = await ok(await t.json('GET', `/v1/bots/${bot}`, undefined, owner))
    expect(after.min_confidence).toBe(b.min_confidence)
  })

  it('refuses bad input with the field named', async () => {
    for (const [body, field] of [
      [{}, 'question'],
      [{ question: '' }, 'question'],
      [{ question: 'x'.repeat(4001) }, 'question'],
      [{ question: 'ok?', min_confidence: 2 }, 'min_confidence'],
      [{ question: 'ok?', min_confidence: 'high' }, 'min_confidence'],
      [{ question: 'ok?', extra: 1 }, 'extra'],
    ] as const) {
      const res = await play(body)
      expect(res.status).toBe(400)
      const { error } = (await res.json()) as any
      expect(error.code).toBe('validation_failed')
      expect(error.message).toContain(field)
    }
  })

  it('is for owners and admins of the bot tenant', async () => {
    expect((await play({ question: 'Quels sont les délais de livraison ?' }, agent)).status).toBe(403)
    expect((await play({ question: 'hello' }, {})).status).toBe(401)
    const res = await t.json(
      'POST',
      `/v1/bots/00000000-0000-4000-8000-000000000000/playground`,
      { question: 'hello' },
      owner,
    )
    expect(res.status).toBe(404)
  })
})
