import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { startFakeOpenAI, type FakeOpenAI } from '../../helpers/fake-openai'
import { ok } from '../../security/tenants'

/**
 * Answer tests with a model (the local stand-in speaking the OpenAI protocol): a prompt activation
 * queues a run, and an answer the new prompt breaks fails its test; the model registry makes a
 * version the bot's model, and a run compares two versions side by side.
 */
let t: TestApp
let llm: FakeOpenAI
let owner: Record<string, string>
let bot: string

beforeAll(async () => {
  llm = await startFakeOpenAI()
  t = await createTestApp({
    LLM_API_KEY: 'k',
    LLM_BASE_URL: llm.url,
    LLM_MODEL: 'fake-model',
    WORKER_POLL_MS: '60000',
  })
  await t.deps.worker!.drain()
  owner = await t.login(OWNER)
  bot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
})
afterAll(async () => {
  await t.close()
  await llm.close()
})

const tests = async () => ok(await t.json('GET', `/v1/bots/${bot}/answer-tests`, undefined, owner))

describe('answer tests with a model', () => {
  let test: any

  it('a prompt activation runs the tests off the request; a broken answer fails its test', async () => {
    test = (
      await ok(
        await t.json(
          'POST',
          `/v1/bots/${bot}/answer-tests`,
          { question: 'How long does delivery take?', expect: { contains: ['Colissimo'] } },
          owner,
        ),
        201,
      )
    ).test
    const first = await ok(await t.json('POST', `/v1/bots/${bot}/answer-tests/run`, undefined, owner))
    expect(first.results).toEqual([
      expect.objectContaining({
        test_id: test.id,
        passed: true,
        answer: expect.stringContaining('Colissimo'),
      }),
    ])

    const { prompt } = await ok(
      await t.json(
        'POST',
        `/v1/bots/${bot}/prompts`,
        {
          prompt_type: 'principal',
          content: 'Answer in one cheerful word, never cite anything.',
          activate: true,
        },
        owner,
      ),
      201,
    )
    expect(prompt.is_active).toBe(true)
    // The request queued the run and returned; the worker answers with the new prompt.
    expect((await tests()).runs[0]).toMatchObject({ trigger: 'prompt', status: 'pending' })
    llm.chats.length = 0
    llm.script.push({ reply: 'Soon!' })
    await t.deps.answerTests!.drain()
    expect(llm.chats[0]!.body.messages[0].content).toContain('Answer in one cheerful word')
    const { runs } = await tests()
    expect(runs[0]).toMatchObject({ trigger: 'prompt', status: 'done', failed: 1 })
    expect(runs[0].results[0]).toMatchObject({
      test_id: test.id,
      passed: false,
      answer: expect.stringContaining('Soon!'),
      reasons: ['The answer does not contain "Colissimo".'],
    })
    expect(runs[0].changes).toEqual({ newly_failing: [test.id], newly_passing: [] })
  })

  it('registers model versions, activates one as the bot model, and runs tests against two side by side', async () => {
    const create = async (version: string) =>
      (
        await ok(
          await t.json(
            'POST',
            `/v1/tenants/${TENANT}/model-versions`,
            { model_name: `ft-shop-v${version}`, base_model: 'fake-model', version, metrics: { loss: 0.4 } },
            owner,
          ),
          201,
        )
      ).model_version
    const a = await create('1')
    const b = await create('2')
    expect(a).toMatchObject({ status: 'training', is_active: false })
    // Only a ready version, for a bot, can be active.
    const early = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}/model-versions/${a.id}`,
      { is_active: true },
      owner,
    )
    expect(early.status).toBe(409)
    expect(
      (
        await t.json(
          'PATCH',
          `/v1/tenants/${TENANT}/model-versions/${a.id}`,
          { status: 'ready', is_active: true },
          owner,
        )
      ).status,
    ).toBe(400)
    for (const m of [a, b])
      await ok(
        await t.json(
          'PATCH',
          `/v1/tenants/${TENANT}/model-versions/${m.id}`,
          { status: 'ready', bot_id: bot, is_active: true },
          owner,
        ),
      )
    const { model_versions } = await ok(
      await t.json('GET', `/v1/tenants/${TENANT}/model-versions`, undefined, owner),
    )
    expect(model_versions.filter((m: any) => m.is_active).map((m: any) => m.id)).toEqual([b.id])
    const { bot: row } = await ok(await t.json('GET', `/v1/bots/${bot}`, undefined, owner))
    expect(row.model).toBe('ft-shop-v2')

    llm.chats.length = 0
    const run = await ok(
      await t.json(
        'POST',
        `/v1/bots/${bot}/answer-tests/run?model_version_id=${a.id}&compare=${b.id}`,
        undefined,
        owner,
      ),
    )
    expect(llm.chats.map((c) => c.body.model).sort()).toEqual(['ft-shop-v1', 'ft-shop-v2'])
    expect(run.results[0]).toMatchObject({ test_id: test.id, compare: { passed: expect.any(Boolean) } })
    const missing = await t.json(
      'POST',
      `/v1/bots/${bot}/answer-tests/run?model_version_id=${crypto.randomUUID()}`,
      undefined,
      owner,
    )
    expect(missing.status).toBe(404)
    expect((await missing.json()).error.message).toContain('model_version_id')
  })
})
