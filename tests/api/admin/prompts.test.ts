import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { startFakeOpenAI, type FakeOpenAI } from '../../helpers/fake-openai'
import { ok } from '../../security/tenants'

/** Versioned prompts and the persona, through the API: the answer uses what is active, and says so. */
let t: TestApp
let llm: FakeOpenAI
let owner: Record<string, string>
let agent: Record<string, string>
let bot: string

beforeAll(async () => {
  llm = await startFakeOpenAI()
  t = await createTestApp({ LLM_API_KEY: 'k', LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-model' })
  await t.deps.worker!.drain()
  owner = await t.login(OWNER)
  agent = await t.login()
  bot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
})
afterAll(async () => {
  await t.close()
  await llm.close()
})
afterEach(() => {
  llm.chats.length = 0
})

const create = async (body: Record<string, unknown>, who = owner, status = 201) =>
  (await ok(await t.json('POST', `/v1/bots/${bot}/prompts`, body, who), status))?.prompt

/** Asks the demo bot a question it can answer and returns the stored answer's metadata and system prompt. */
async function ask() {
  const v = await t.visitor()
  const { reply } = await ok(await v.send('Quels sont les délais de livraison ?'))
  const meta = (
    await t.deps.pool.query('select ai_metadata from chatbot_conversations where id = $1', [reply.id])
  ).rows[0].ai_metadata
  const system = llm.chats.at(-1)!.body.messages[0].content as string
  return { meta, system }
}

describe('prompt versions', () => {
  it('numbers versions per bot and type, and the answer uses the active one and records it', async () => {
    const v1 = await create({
      prompt_type: 'principal',
      content: 'PRINCIPAL-ONE answer briefly.',
      activate: true,
    })
    const v2 = await create({
      prompt_type: 'principal',
      content: 'PRINCIPAL-TWO answer with care.',
      description: 'warmer',
    })
    const think = await create({ prompt_type: 'think', content: 'THINK-ONE' })
    expect([v1.version, v2.version, think.version]).toEqual([1, 2, 1])
    expect([v1.is_active, v2.is_active]).toEqual([true, false])

    let { meta, system } = await ask()
    expect(system).toContain('PRINCIPAL-ONE')
    expect(meta.prompt_versions).toMatchObject({ principal: 1 })

    await ok(await t.json('POST', `/v1/bots/${bot}/prompts/${v2.id}/activate`, undefined, owner))
    ;({ meta, system } = await ask())
    expect(system).toContain('PRINCIPAL-TWO')
    expect(system).not.toContain('PRINCIPAL-ONE')
    expect(meta.prompt_versions).toMatchObject({ principal: 2 })

    // Rollback: activate the older version; exactly one active per type.
    const rolled = await ok(
      await t.json('POST', `/v1/bots/${bot}/prompts/${v1.id}/activate`, undefined, owner),
    )
    expect(rolled.prompt).toMatchObject({ id: v1.id, is_active: true })
    const { prompts } = await ok(
      await t.json('GET', `/v1/bots/${bot}/prompts?type=principal`, undefined, owner),
    )
    expect(prompts.map((p: any) => [p.version, p.is_active])).toEqual([
      [2, false],
      [1, true],
    ])
    ;({ system } = await ask())
    expect(system).toContain('PRINCIPAL-ONE')
  })

  it('numbers concurrent saves without a gap or a duplicate, and keeps one active', async () => {
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        t.json(
          'POST',
          `/v1/bots/${bot}/prompts`,
          { prompt_type: 'triagem', content: `T${i}`, activate: true },
          owner,
        ),
      ),
    )
    const versions = (await Promise.all(made.map((r) => ok(r, 201)))).map((b) => b.prompt.version)
    expect(versions.sort()).toEqual([1, 2, 3, 4, 5, 6])
    const { prompts } = await ok(
      await t.json('GET', `/v1/bots/${bot}/prompts?type=triagem`, undefined, owner),
    )
    expect(prompts.filter((p: any) => p.is_active)).toHaveLength(1)
  })

  it('refuses bad input naming the field, agents writing, and versions of another bot', async () => {
    const bad = await t.json('POST', `/v1/bots/${bot}/prompts`, { prompt_type: 'other', content: 'x' }, owner)
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.message).toMatch(/^prompt_type/)
    const empty = await t.json(
      'POST',
      `/v1/bots/${bot}/prompts`,
      { prompt_type: 'think', content: ' ' },
      owner,
    )
    expect((await empty.json()).error).toMatchObject({ code: 'validation_failed' })
    expect((await t.json('GET', `/v1/bots/${bot}/prompts?type=nope`, undefined, owner)).status).toBe(400)
    await create({ prompt_type: 'think', content: 'agent edit' }, agent, 403)
    // An agent reads them.
    await ok(await t.json('GET', `/v1/bots/${bot}/prompts`, undefined, agent))

    const { bot: other } = await ok(
      await t.json('POST', `/v1/tenants/${TENANT}/bots`, { name: 'Second' }, owner),
      201,
    )
    const mine = await create({ prompt_type: 'think', content: 'mine' })
    const res = await t.json('POST', `/v1/bots/${other.id}/prompts/${mine.id}/activate`, undefined, owner)
    expect(res.status).toBe(404)
  })
})

describe('persona and model settings', () => {
  it('are saved on PATCH /v1/bots/:b, shape the system prompt, and the preview shows it', async () => {
    const { bot: saved } = await ok(
      await t.json(
        'PATCH',
        `/v1/bots/${bot}`,
        {
          persona_name: 'Lina Persona',
          persona_objective: 'OBJECTIVE-sell-less-return-less',
          persona_personality: 'calm',
          persona_style: 'STYLE-short-sentences',
          persona_target_audience: 'shoppers in France',
          model: 'fake-model-2',
          temperature: 0.5,
          max_tokens: 300,
        },
        owner,
      ),
    )
    expect(saved).toMatchObject({ persona_name: 'Lina Persona', model: 'fake-model-2', max_tokens: 300 })
    const { system } = await ask()
    expect(system).toContain('You are Lina Persona')
    expect(system).toContain('Your objective: OBJECTIVE-sell-less-return-less')
    expect(system).toContain('Your writing style: STYLE-short-sentences')
    const body = llm.chats.at(-1)!.body
    expect([body.model, body.temperature, body.max_tokens]).toEqual(['fake-model-2', 0.5, 300])

    const preview = await ok(
      await t.json('GET', `/v1/bots/${bot}/prompt-preview?language=en`, undefined, agent),
    )
    expect(preview.system_prompt).toContain('OBJECTIVE-sell-less-return-less')
    expect(preview.system_prompt).toContain('Answer in English')
    expect(preview.system_prompt).toContain('PRINCIPAL-ONE')
    expect(preview.prompt_versions.principal).toBe(1)

    // null model goes back to the default; bad values name the field.
    const back = await ok(await t.json('PATCH', `/v1/bots/${bot}`, { model: null }, owner))
    expect(back.bot.model).toBeNull()
    const bad = await t.json('PATCH', `/v1/bots/${bot}`, { temperature: 3 }, owner)
    expect((await bad.json()).error.message).toMatch(/^temperature/)
    const long = await t.json('PATCH', `/v1/bots/${bot}`, { persona_style: 'x'.repeat(2001) }, owner)
    expect((await long.json()).error.message).toMatch(/^persona_style/)
  })
})
