import { Hono } from 'hono'
import { z } from 'zod'
import { describePersona } from '../answers/persona'
import { DEFAULT_PROMPTS, systemPrompt } from '../answers/prompt'
import { asMember } from '../auth/member'
import { ADMINS } from '../auth/roles'
import { requireUser } from '../auth/middleware'
import type { AppEnv } from '../deps'
import { notFound } from '../errors'
import { text } from '../http/text'
import { jsonBody, query, uuidRe } from '../http/validate'
import { BOT, botTenant } from './routes'

/**
 * A bot's prompts, versioned per type (principal = the answer prompt, triagem = triage, think = query
 * planning): every save is a new numbered version, one version per type is active, and a rollback is
 * the activation of an older one. The answer pipeline reads the active versions and stores their
 * numbers with every answer.
 */
export const prompts = new Hono<AppEnv>()
prompts.use('/bots/:b/prompts', requireUser)
prompts.use('/bots/:b/prompts/*', requireUser)
prompts.use('/bots/:b/prompt-preview', requireUser)

const PROMPT = 'id, bot_id, prompt_type, version, content, description, is_active, created_by, created_at'
const promptType = z.enum(['principal', 'triagem', 'think'])

const listQuery = z.object({ type: promptType.optional() }).strict()

prompts.get('/bots/:b/prompts', async (c) => {
  const b = c.req.param('b')
  const { type } = query(listQuery, c.req.query())
  const rows = await asMember(
    c,
    await botTenant(c, b),
    async (db) =>
      (
        await db.query(
          `select ${PROMPT} from prompt_versions where bot_id = $1 and ($2::text is null or prompt_type = $2)
            order by prompt_type, version desc`,
          [b, type ?? null],
        )
      ).rows,
  )
  return c.json({ prompts: rows, defaults: DEFAULT_PROMPTS })
})

const createSchema = z
  .object({
    prompt_type: promptType,
    content: text(20_000),
    description: text(500, 0).optional(),
    activate: z.boolean().default(false),
  })
  .strict()

/** Saves a new version; its number is the next one for the bot and type (the insert trigger counts under a lock). */
prompts.post('/bots/:b/prompts', jsonBody(createSchema), async (c) => {
  const b = c.req.param('b')
  const body = c.get('body') as z.infer<typeof createSchema>
  const prompt = await asMember(
    c,
    await botTenant(c, b),
    async (db) =>
      (
        await db.query(
          `insert into prompt_versions (tenant_id, bot_id, prompt_type, version, content, description, is_active, created_by)
           select tenant_id, id, $2, 0, $3, $4, $5, auth.uid() from bots where id = $1
           returning ${PROMPT}`,
          [b, body.prompt_type, body.content, body.description ?? '', body.activate],
        )
      ).rows[0],
    ADMINS,
  )
  return c.json({ prompt }, 201)
})

/** Makes one version the active one of its type (rollback = activating an older version). */
prompts.post('/bots/:b/prompts/:id/activate', async (c) => {
  const b = c.req.param('b')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Prompt version')
  const prompt = await asMember(
    c,
    await botTenant(c, b),
    async (db) => {
      const owned = await db.query('select 1 from prompt_versions where id = $1 and bot_id = $2', [id, b])
      if (!owned.rows[0]) throw notFound('Prompt version')
      const { rows } = await db.query(`select ${PROMPT} from public.activate_prompt_version($1)`, [id])
      if (!rows[0]) throw notFound('Prompt version')
      return rows[0]
    },
    ADMINS,
  )
  return c.json({ prompt })
})

const previewQuery = z
  .object({ language: z.enum(['auto', 'en', 'fr', 'es', 'pt', 'de', 'it', 'nl']).default('auto') })
  .strict()

/**
 * The system prompt the bot answers with, as saved now: persona, the active principal prompt (or the
 * default), the safety rules and the answer language; the knowledge passages of a real question go
 * where the placeholder says.
 */
prompts.get('/bots/:b/prompt-preview', async (c) => {
  const b = c.req.param('b')
  const { language } = query(previewQuery, c.req.query())
  const result = await asMember(c, await botTenant(c, b), async (db) => {
    const bot = (await db.query(`select ${BOT} from bots where id = $1`, [b])).rows[0]
    const active = (
      await db.query(
        `select prompt_type, version, content from prompt_versions where bot_id = $1 and is_active`,
        [b],
      )
    ).rows as { prompt_type: keyof typeof DEFAULT_PROMPTS; version: number; content: string }[]
    return { bot, active }
  })
  const principal = result.active.find((p) => p.prompt_type === 'principal')
  const prompt = systemPrompt({
    ...describePersona(result.bot),
    principal: principal?.content ?? DEFAULT_PROMPTS.principal,
    passages: [],
    language,
  })
  return c.json({
    system_prompt: prompt,
    prompt_versions: Object.fromEntries(result.active.map((p) => [p.prompt_type, p.version])),
    model: result.bot.model,
    temperature: result.bot.temperature,
    max_tokens: result.bot.max_tokens,
  })
})
