import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestApp, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { ok } from '../../security/tenants'

/**
 * Full-text ranking by rarity (BM25 over the tenant's own term counts): the passage naming the rare
 * product a visitor asks about beats passages that repeat the question's common words, and the counts
 * follow the knowledge as it is added and deleted.
 */
let t: TestApp
let owner: Record<string, string>

beforeAll(async () => {
  t = await createTestApp()
  owner = await t.login(OWNER)
})
afterAll(() => t.close())

const faq = async (question: string, answer: string) =>
  (
    await ok(
      await t.json(
        'POST',
        `/v1/tenants/${TENANT}/knowledge/faqs`,
        { question, answer, language: 'en' },
        owner,
      ),
      201,
    )
  ).faq.id as string

const search = async (query: string) =>
  (await ok(await t.json('POST', `/v1/tenants/${TENANT}/knowledge/search`, { query, k: 5 }, owner)))
    .passages as {
    chunk_id: string
    source: { id: string; title: string }
    scores: { text_rank: number; coverage: number }
  }[]

describe('full-text ranking', () => {
  it('puts the passage naming the rare product first, above passages repeating common words', async () => {
    for (const thing of ['toasters', 'lamps', 'kettles and mugs', 'chairs', 'blankets', 'rugs'])
      await faq(
        `Delivery times for ${thing}`,
        `Delivery times for ${thing} and kettles: delivery takes 3 days, and delivery times vary in summer.`,
      )
    const kestrel = await faq('The Quokkatron kettle', 'The Quokkatron kettle ships within 2 days from Lyon.')
    // Every FAQ embedded first: a passage still without its vector loses the similarity share of the
    // fused score and may fall out of the five returned (that made this test fail 1 run in 3).
    await vi.waitFor(
      async () => {
        const { rows } = await t.deps.pool.query(
          `select count(*)::int as n from knowledge_chunks where tenant_id = $1 and embedding_model is null`,
          [TENANT],
        )
        expect(rows[0].n).toBe(0)
      },
      { timeout: 15_000, interval: 100 },
    )
    const passages = await search('delivery times for the Quokkatron kettle')
    // Full text ranks it first: it holds fewer of the question's words than the others, but the rare one.
    const byText = [...passages].sort((a, b) => b.scores.text_rank - a.scores.text_rank)
    expect(byText[0]!.source.id).toBe(kestrel)
    const others = passages.filter((p) => p.source.title.startsWith('Delivery times'))
    expect(others.length).toBeGreaterThan(0)
    for (const o of others) expect(byText[0]!.scores.coverage).toBeLessThan(o.scores.coverage)
    // And the fused ranking (with the offline embedder's similarity) keeps it in the top two.
    expect(passages.slice(0, 2).map((p) => p.source.id)).toContain(kestrel)
  })

  it('keeps the word counts as FAQs are deleted: a word no passage holds any more finds nothing', async () => {
    const id = await faq('The Zebrafinch blender', 'The Zebrafinch blender has a 2-year warranty.')
    expect((await search('zebrafinch'))[0]?.source.id).toBe(id)
    const counted = async () =>
      (
        await t.deps.pool.query(
          `select coalesce(sum(df), 0)::int as n from knowledge_term_stats where tenant_key = $1 and lexeme like 'zebrafinch%'`,
          [TENANT],
        )
      ).rows[0].n
    expect(await counted()).toBeGreaterThan(0)
    const res = await t.json('DELETE', `/v1/tenants/${TENANT}/knowledge/faqs/${id}`, undefined, owner)
    expect(res.status).toBe(204)
    expect(await counted()).toBe(0)
    expect((await search('zebrafinch')).filter((p) => p.source.id === id)).toHaveLength(0)
  })
})
