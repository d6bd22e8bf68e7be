import { Hono } from 'hono'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { ADMINS } from '../auth/roles'
import { requireUser } from '../auth/middleware'
import type { Queryable } from '../db/tx'
import type { AppEnv } from '../deps'
import { notFound } from '../errors'
import { text } from '../http/text'
import { jsonBody, uuidRe } from '../http/validate'

/** FAQs: a knowledge source each, with one searchable chunk (question as title, answer as content). */
export const faqs = new Hono<AppEnv>()
faqs.use('/tenants/:t/knowledge/*', requireUser)

const FAQ = `s.id, s.title as question, s.body as answer, s.language, s.url, s.bot_id, s.created_at, s.updated_at`
const httpUrl = z.url({ protocol: /^https?$/ }).max(2000)
const faqCreate = z
  .object({
    question: text(500),
    answer: text(8000),
    language: z.enum(['en', 'fr', 'es', 'pt', 'de', 'it', 'nl']).default('en'),
    url: httpUrl.nullable().optional(),
    bot_id: z.string().regex(uuidRe).nullable().optional(),
  })
  .strict()
// No defaults in a patch: editing only the answer must keep the FAQ's language (a default 'en' reset it).
const faqPatch = faqCreate
  .extend({ language: z.enum(['en', 'fr', 'es', 'pt', 'de', 'it', 'nl']) })
  .partial()
  .strict()

/** Creates a FAQ and its chunk in the caller's transaction. */
export async function createFaq(db: Queryable, tenantId: string | null, f: z.infer<typeof faqCreate>) {
  const { rows } = await db.query(
    `insert into knowledge_sources (tenant_id, bot_id, kind, title, body, language, url)
     values ($1, $2, 'faq', $3, $4, $5, $6) returning id`,
    [tenantId, f.bot_id ?? null, f.question, f.answer, f.language, f.url ?? null],
  )
  await db.query(
    `insert into knowledge_chunks (tenant_id, bot_id, source_id, title, content, language, url, token_count)
     values ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      tenantId,
      f.bot_id ?? null,
      rows[0].id,
      f.question,
      f.answer,
      f.language,
      f.url ?? null,
      Math.ceil((f.question.length + f.answer.length) / 4),
    ],
  )
  return rows[0].id as string
}

async function getFaq(db: Queryable, tenantId: string, id: string) {
  if (!uuidRe.test(id)) throw notFound('FAQ')
  const { rows } = await db.query(
    `select ${FAQ} from knowledge_sources s where s.id = $1 and s.tenant_id = $2 and s.kind = 'faq'`,
    [id, tenantId],
  )
  if (!rows[0]) throw notFound('FAQ')
  return rows[0]
}

faqs.get('/tenants/:t/knowledge/faqs', async (c) => {
  const t = c.req.param('t')
  const list = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select ${FAQ} from knowledge_sources s where s.tenant_id = $1 and s.kind = 'faq' order by s.created_at`,
          [t],
        )
      ).rows,
  )
  return c.json({ faqs: list })
})

faqs.post('/tenants/:t/knowledge/faqs', jsonBody(faqCreate), async (c) => {
  const body = c.get('body') as z.infer<typeof faqCreate>
  const t = c.req.param('t')
  const faq = await asMember(c, t, async (db) => getFaq(db, t, await createFaq(db, t, body)), ADMINS)
  c.var.deps.kick()
  return c.json({ faq }, 201)
})

faqs.get('/tenants/:t/knowledge/faqs/:id', async (c) => {
  const t = c.req.param('t')
  return c.json({ faq: await asMember(c, t, (db) => getFaq(db, t, c.req.param('id'))) })
})

faqs.patch('/tenants/:t/knowledge/faqs/:id', jsonBody(faqPatch), async (c) => {
  const body = c.get('body') as z.infer<typeof faqPatch>
  const t = c.req.param('t')
  const faq = await asMember(
    c,
    t,
    async (db) => {
      const current = await getFaq(db, t, c.req.param('id'))
      const next = {
        question: body.question ?? current.question,
        answer: body.answer ?? current.answer,
        language: body.language ?? current.language,
        url: body.url === undefined ? current.url : body.url,
      }
      await db.query(
        `update knowledge_sources set title = $2, body = $3, language = $4, url = $5 where id = $1`,
        [current.id, next.question, next.answer, next.language, next.url],
      )
      // The text changed, so the vector is stale: the worker embeds the chunk again.
      await db.query(
        `update knowledge_chunks set title = $2, content = $3, language = $4, url = $5, embedding = null, embedding_model = null where source_id = $1`,
        [current.id, next.question, next.answer, next.language, next.url],
      )
      return getFaq(db, t, current.id)
    },
    ADMINS,
  )
  c.var.deps.kick()
  return c.json({ faq })
})

faqs.delete('/tenants/:t/knowledge/faqs/:id', async (c) => {
  const t = c.req.param('t')
  await asMember(
    c,
    t,
    async (db) => {
      const current = await getFaq(db, t, c.req.param('id'))
      await db.query('delete from knowledge_sources where id = $1', [current.id])
    },
    ADMINS,
  )
  const { store, embedder } = c.var.deps
  await store.deleteSource(embedder.model, c.req.param('id')).catch(() => {})
  return c.body(null, 204)
})
