import { answerability } from '../answers/answerability'
import { answerThreshold } from '../answers/pipeline'
import { termsOf } from '../answers/terms'
import { Hono } from 'hono'
import { z } from 'zod'
import { asMember } from '../auth/member'
import { ADMINS } from '../auth/roles'
import { requireUser } from '../auth/middleware'
import type { AppEnv } from '../deps'
import { ApiError, badRequest, notFound } from '../errors'
import { text } from '../http/text'
import { assertSafeForm, jsonBody, query, uuidRe } from '../http/validate'
import { detectType, KnowledgeFileError, type KnowledgeFileErrorCode } from './parse'
import { retrieve } from './search'
import { confidentLanguage } from '../text/language'
import { validateUrl } from '../net'
import { enqueueJob } from './worker'

/** Knowledge sources (documents, websites; FAQs live in faqs.ts), their processing state, and retrieval testing. */
export const knowledge = new Hono<AppEnv>()
knowledge.use('/tenants/:t/knowledge/*', requireUser)

const SOURCE = `s.id, s.tenant_id, s.bot_id, s.kind, s.title, s.url, s.language, s.mime_type, s.byte_size, s.status, s.error,
  s.crawl_frequency, s.max_pages, s.chunk_count, s.last_processed_at, s.next_crawl_at, s.metadata, s.created_at, s.updated_at`
const languages = z.enum(['auto', 'en', 'fr', 'es', 'pt', 'de', 'it', 'nl'])
const uuid = z.string().regex(uuidRe, 'must be a UUID')
const FILE_ERROR_STATUS: Record<KnowledgeFileErrorCode, 413 | 415 | 422> = {
  unsupported_file: 415,
  archive_bomb: 415,
  file_too_large: 413,
  parse_failed: 422,
}

function toSource(row: any) {
  const { metadata, ...rest } = row
  return {
    ...rest,
    filename: metadata?.filename ?? null,
    pages: metadata?.pages ?? null,
    skipped: metadata?.skipped ?? [],
  }
}

const listQuery = z.object({
  kind: z.enum(['faq', 'document', 'website', 'text']).optional(),
  status: z.enum(['pending', 'processing', 'ready', 'failed']).optional(),
})

knowledge.get('/tenants/:t/knowledge/sources', async (c) => {
  const t = c.req.param('t')
  const q = query(listQuery, c.req.query())
  const rows = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select ${SOURCE} from knowledge_sources s
          where s.tenant_id = $1 and ($2::text is null or s.kind = $2) and ($3::text is null or s.status = $3)
          order by s.created_at desc limit 1000`,
          [t, q.kind ?? null, q.status ?? null],
        )
      ).rows,
  )
  return c.json({ sources: rows.map(toSource) })
})

knowledge.get('/tenants/:t/knowledge/sources/:id', async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Source')
  const result = await asMember(c, t, async (db) => {
    const { rows } = await db.query(
      `select ${SOURCE} from knowledge_sources s where s.id = $1 and s.tenant_id = $2`,
      [id, t],
    )
    if (!rows[0]) throw notFound('Source')
    const pages = await db.query(
      `select id, url, title, status, error, last_crawled_at from website_pages where source_id = $1 order by url limit 5000`,
      [id],
    )
    const jobs = await db.query(
      `select id, kind, status, attempts, last_error, run_at, result, created_at, updated_at from knowledge_jobs
        where source_id = $1 order by created_at desc limit 10`,
      [id],
    )
    return { source: toSource(rows[0]), pages: pages.rows, jobs: jobs.rows }
  })
  return c.json(result)
})

knowledge.delete('/tenants/:t/knowledge/sources/:id', async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Source')
  const { storage, store, embedder, log } = c.var.deps
  const key = await asMember(
    c,
    t,
    async (db) => {
      const { rows } = await db.query(
        `delete from knowledge_sources where id = $1 and tenant_id = $2 returning storage_key`,
        [id, t],
      )
      if (!rows[0]) throw notFound('Source')
      return rows[0].storage_key as string | null
    },
    ADMINS,
  )
  // The rows are gone (chunks by cascade); the file and external vectors are cleaned up best-effort.
  await Promise.all([
    key
      ? storage.delete(key).catch((err) => log.warn('stored file not deleted', { key, err: String(err) }))
      : null,
    store
      .deleteSource(embedder.model, id)
      .catch((err) => log.warn('vectors not deleted', { source: id, err: String(err) })),
  ])
  return c.body(null, 204)
})

knowledge.post('/tenants/:t/knowledge/sources/:id/refresh', async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Source')
  const source = await asMember(
    c,
    t,
    async (db) => {
      const { rows } = await db.query(
        `select id, kind from knowledge_sources where id = $1 and tenant_id = $2`,
        [id, t],
      )
      if (!rows[0]) throw notFound('Source')
      await enqueueJob(db, {
        tenant_id: t,
        source_id: id,
        kind: rows[0].kind === 'website' ? 'crawl' : 'process',
      })
      return (await db.query(`select ${SOURCE} from knowledge_sources s where s.id = $1`, [id])).rows[0]
    },
    ADMINS,
  )
  c.var.deps.kick()
  return c.json({ source: toSource(source) }, 202)
})

/**
 * Uploads a document (multipart/form-data: file, and optionally title, bot_id, language). The bytes
 * decide the type; the client's filename is kept only as a label, never as a path.
 */
knowledge.post('/tenants/:t/knowledge/documents', async (c) => {
  const t = c.req.param('t')
  const { config, storage } = c.var.deps
  if (!(c.req.header('content-type') ?? '').startsWith('multipart/form-data')) {
    throw new ApiError(
      415,
      'unsupported_media_type',
      'Send the file as multipart/form-data with a "file" field.',
    )
  }
  // Membership first: an outsider learns nothing and uploads nothing.
  await asMember(c, t, async () => {}, ADMINS)
  let form: Record<string, unknown>
  try {
    form = await c.req.parseBody()
  } catch {
    throw badRequest('invalid_body', 'The multipart body could not be read.')
  }
  assertSafeForm(form)
  const file = form.file
  if (!(file instanceof File)) throw badRequest('validation_failed', 'file: a file is required')
  const fields = z
    .object({ title: text(500).optional(), bot_id: uuid.optional(), language: languages.default('auto') })
    .safeParse({
      title: form.title || undefined,
      bot_id: form.bot_id || undefined,
      language: form.language || undefined,
    })
  if (!fields.success) {
    const issue = fields.error.issues[0]!
    throw badRequest('validation_failed', `${issue.path.join('.')}: ${issue.message}`)
  }
  if (file.size > config.UPLOAD_MAX_BYTES)
    throw new ApiError(413, 'file_too_large', `The file is larger than ${config.UPLOAD_MAX_BYTES} bytes.`)
  const bytes = new Uint8Array(await file.arrayBuffer())
  let type: string
  try {
    type = await detectType(bytes, file.name, { maxBytes: config.UPLOAD_MAX_BYTES })
  } catch (err) {
    if (err instanceof KnowledgeFileError)
      throw new ApiError(FILE_ERROR_STATUS[err.code], err.code, err.message)
    throw err
  }
  const filename = file.name.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || 'document'
  const key = await storage.put(t, bytes, file.type || 'application/octet-stream')
  const source = await asMember(
    c,
    t,
    async (db) => {
      const { rows } = await db.query(
        `insert into knowledge_sources (tenant_id, bot_id, kind, title, language, storage_key, mime_type, byte_size, status, metadata, created_by)
         values ($1, $2, 'document', $3, $4, $5, $6, $7, 'pending', $8, auth.uid()) returning id`,
        [
          t,
          fields.data.bot_id ?? null,
          fields.data.title ?? filename,
          fields.data.language,
          key,
          type,
          bytes.length,
          { filename, title_from_file: !fields.data.title },
        ],
      )
      await enqueueJob(db, { tenant_id: t, source_id: rows[0].id, kind: 'process' })
      return (await db.query(`select ${SOURCE} from knowledge_sources s where s.id = $1`, [rows[0].id]))
        .rows[0]
    },
    ADMINS,
  ).catch(async (err) => {
    await storage.delete(key).catch(() => {})
    throw err
  })
  c.var.deps.kick()
  return c.json({ source: toSource(source) }, 202)
})

const websiteCreate = z
  .object({
    url: z.string().min(1).max(2000),
    title: text(500).optional(),
    max_pages: z.number().int().min(1).max(5000).optional(),
    crawl_frequency: z.enum(['manual', 'daily', 'weekly']).default('manual'),
    bot_id: uuid.nullable().optional(),
    language: languages.default('auto'),
  })
  .strict()

/** Adds a website: crawled in the background within its own site. */
knowledge.post('/tenants/:t/knowledge/websites', jsonBody(websiteCreate), async (c) => {
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof websiteCreate>
  const { config } = c.var.deps
  let url: URL
  try {
    url = validateUrl(body.url, { allowLoopback: config.FETCH_ALLOW_LOOPBACK })
  } catch (err) {
    throw badRequest('validation_failed', `url: ${(err as Error).message}`)
  }
  const maxPages = Math.min(body.max_pages ?? config.CRAWL_MAX_PAGES, config.CRAWL_MAX_PAGES * 10)
  const source = await asMember(
    c,
    t,
    async (db) => {
      const { rows } = await db.query(
        `insert into knowledge_sources (tenant_id, bot_id, kind, title, url, language, crawl_frequency, max_pages, status, created_by)
         values ($1, $2, 'website', $3, $4, $5, $6, $7, 'pending', auth.uid()) returning id`,
        [
          t,
          body.bot_id ?? null,
          body.title ?? url.host,
          url.href,
          body.language,
          body.crawl_frequency,
          maxPages,
        ],
      )
      await enqueueJob(db, { tenant_id: t, source_id: rows[0].id, kind: 'crawl' })
      return (await db.query(`select ${SOURCE} from knowledge_sources s where s.id = $1`, [rows[0].id]))
        .rows[0]
    },
    ADMINS,
  )
  c.var.deps.kick()
  return c.json({ source: toSource(source) }, 202)
})

const searchBody = z
  .object({
    query: text(2000),
    k: z.number().int().min(1).max(50).default(5),
    bot_id: uuid.nullable().optional(),
    fusion: z.enum(['rrf', 'weighted']).optional(),
  })
  .strict()

/** Retrieval testing for owners: what the bot would read for this question, with scores. */
knowledge.post('/tenants/:t/knowledge/search', jsonBody(searchBody), async (c) => {
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof searchBody>
  const { pool, store, embedder } = c.var.deps
  await asMember(c, t, async (db) => {
    if (
      body.bot_id &&
      !(await db.query(`select 1 from bots where id = $1 and tenant_id = $2`, [body.bot_id, t])).rows[0]
    )
      throw notFound('Bot')
  })
  const started = performance.now()
  // Outside the member transaction: embedded Postgres has one connection, and retrieval filters by tenant itself.
  const passages = await retrieve(
    { pool, store, embedder },
    {
      tenant_id: t,
      bot_id: body.bot_id ?? null,
      query: body.query,
      k: body.k,
      fusion: body.fusion,
      // Only a language the question surely is in narrows its own-language passages to its stems.
      language: confidentLanguage(body.query) ?? undefined,
    },
  )
  // What the bot would do with these passages: its answer threshold and each passage's answerability.
  const bot = body.bot_id
    ? (await pool.query(`select min_confidence from bots where id = $1`, [body.bot_id])).rows[0]
    : null
  // Ranked as the bot weighs them: a passage missing a specific word of the question (a country, an
  // order number) comes after one that names it, as in the answer (answers/answerability.ts).
  const ranked = answerability(termsOf(body.query), passages)
  const judged = new Map(ranked.map((j) => [j.passage.chunk_id, j.score]))
  return c.json({
    query: body.query,
    min_confidence: answerThreshold(c.var.deps, { min_confidence: bot?.min_confidence ?? null }),
    embedding_model: embedder.model,
    vector_store: store.name,
    took_ms: Math.round((performance.now() - started) * 10) / 10,
    passages: ranked.map(({ passage: p }, i) => ({
      rank: i + 1,
      chunk_id: p.chunk_id,
      source: {
        id: p.source_id,
        kind: p.source_kind,
        title: p.title,
        url: p.url,
        page: p.page_number,
        heading_path: p.heading_path,
      },
      text: p.content,
      language: p.language,
      scores: p.scores,
      confidence: p.confidence,
      answerability: judged.get(p.chunk_id) ?? 0,
    })),
  })
})
