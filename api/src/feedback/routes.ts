import { Hono } from 'hono'
import { z } from 'zod'
import { DEFAULT_PROMPTS } from '../answers/prompt'
import { asMember } from '../auth/member'
import { requireUser } from '../auth/middleware'
import { ADMINS } from '../auth/roles'
import { botTenant, modelName } from '../admin/routes'
import type { AppEnv } from '../deps'
import { ApiError, badRequest, conflict, notFound } from '../errors'
import { text } from '../http/text'
import { jsonBody, query, uuidRe } from '../http/validate'
import { detectLanguage } from '../text/language'
import { executeRun, MAX_TESTS_PER_BOT, RUN, type Expect } from './answer-tests'

/**
 * The correction loop: the feedback inbox (answers visitors rated), improvements (a better answer
 * written by a member, applied by an owner or admin, answering the same questions from then on),
 * answer tests (what a good answer must do, run after every change) and the model registry.
 */
export const feedback = new Hono<AppEnv>()
for (const p of [
  '/tenants/:t/feedback',
  '/tenants/:t/improvements',
  '/tenants/:t/improvements/*',
  '/tenants/:t/model-versions',
  '/tenants/:t/model-versions/*',
  '/bots/:b/answer-tests',
  '/bots/:b/answer-tests/*',
])
  feedback.use(p, requireUser)

const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(s)), 'must be a real date')
const uuid = (what: string) => z.string().regex(uuidRe, `must be the id of a ${what}`)
const limitParam = z.coerce.number().int().min(1).max(100).default(25)

const feedbackQuery = z
  .object({
    rating: z.enum(['up', 'down', 'low']).optional(),
    status: z.enum(['none', 'pending', 'in_review', 'applied', 'rejected']).optional(),
    bot_id: uuid('bot').optional(),
    from: day.optional(),
    to: day.optional(),
    cursor: z.string().max(200).optional(),
    limit: limitParam,
  })
  .strict()

function decodeCursor(cursor: string | undefined): [string, string] | null {
  if (!cursor) return null
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|')
  if (!at || !id || !uuidRe.test(id) || Number.isNaN(Date.parse(at)))
    throw badRequest('validation_failed', 'cursor: not a cursor this list returned')
  return [at, id]
}
const encodeCursor = (at: string, id: string) => Buffer.from(`${at}|${id}`).toString('base64url')

const IMPROVEMENT =
  'id, bot_id, session_id, message_id, question, original_response, improved_response, feedback_type, status, similarity_keywords, language, times_applied, last_applied_at, created_by, reviewed_by, reviewed_at, created_at, updated_at'

/**
 * Rated answers, newest first: the visitor's question, the answer, the passages it cited with their
 * scores, the comment, and the latest improvement written for it; a conversation rated 1 or 2 (CSAT)
 * comes as rating "low" on its last bot answer. Paged by `cursor`.
 */
feedback.get('/tenants/:t/feedback', async (c) => {
  const t = c.req.param('t')
  const q = query(feedbackQuery, c.req.query())
  const after = decodeCursor(q.cursor)
  const rows = await asMember(c, t, async (db) => {
    const { rows } = await db.query(
      `select f.id as feedback_id, f.rating, f.csat, f.comment, f.created_at, f.created_at::text as cursor_at,
              m.id, m.session_id, m.seq, m.content, m.ai_metadata, m.created_at as message_created_at,
              s.bot_id, q.content as question, to_jsonb(i) as improvement
         from (
           -- A visitor's thumbs on one answer...
           select id, rating, null::int as csat, comment, created_at, message_id, session_id
             from message_feedback where tenant_id = $1 and rating is not null
           union all
           -- ...and a low CSAT (1 or 2 of 5) on a whole conversation, shown on its last bot answer.
           select s.id, 'low', s.csat_score, s.csat_comment, s.updated_at,
                  (select m.id from chatbot_conversations m where m.session_id = s.id and m.message_type = 'ai'
                    order by m.seq desc limit 1), s.id
             from chatbot_sessions s where s.tenant_id = $1 and s.csat_score <= 2
         ) f
         join chatbot_conversations m on m.id = f.message_id
         join chatbot_sessions s on s.id = f.session_id
         left join chatbot_conversations q on q.id = m.reply_to
         left join lateral (select ${IMPROVEMENT} from improvements i where i.message_id = m.id
                             order by i.created_at desc limit 1) i on true
        where ($2::text is null or f.rating = $2)
          and ($3::uuid is null or s.bot_id = $3)
          and ($4::date is null or f.created_at >= $4::date)
          and ($5::date is null or f.created_at < $5::date + 1)
          and ($6::text is null or ($6 = 'none' and i.id is null) or i.status = $6)
          and ($7::timestamptz is null or (f.created_at, f.id) < ($7::timestamptz, $8::uuid))
        order by f.created_at desc, f.id desc
        limit $9`,
      [
        t,
        q.rating ?? null,
        q.bot_id ?? null,
        q.from ?? null,
        q.to ?? null,
        q.status ?? null,
        after?.[0] ?? null,
        after?.[1] ?? null,
        q.limit + 1,
      ],
    )
    return rows
  })
  const page = rows.slice(0, q.limit)
  const items = page.map((r) => {
    const meta = r.ai_metadata ?? {}
    const signals = new Map<string, { retrieval: number; coverage: number }>(
      (meta.signals ?? []).map((s: any) => [s.chunk_id, { retrieval: s.retrieval, coverage: s.coverage }]),
    )
    return {
      id: r.feedback_id,
      message: {
        id: r.id,
        session_id: r.session_id,
        seq: r.seq,
        content: r.content,
        created_at: r.message_created_at,
        confidence: meta.confidence ?? null,
        model: meta.model ?? null,
      },
      bot_id: r.bot_id,
      question: r.question ?? null,
      rating: r.rating,
      csat: r.csat,
      comment: r.comment,
      created_at: r.created_at,
      sources: (meta.sources ?? []).map((s: any) => ({
        ...s,
        scores: (s.chunk_id && signals.get(s.chunk_id)) ?? null,
      })),
      improvement: r.improvement,
    }
  })
  const last = rows.length > q.limit ? page.at(-1) : null
  return c.json({ items, next_cursor: last ? encodeCursor(last.cursor_at, last.feedback_id) : null })
})

const feedbackType = z.enum(['improve_response', 'add_context', 'fix_error', 'enhance_tone'])
const keywords = z.array(text(100)).max(20, 'must hold at most 20 keywords')

const improvementCreate = z
  .object({
    message_id: uuid('bot message'),
    improved_response: text(8000),
    feedback_type: feedbackType.default('improve_response'),
    similarity_keywords: keywords.default([]),
  })
  .strict()

/** A member (agent, admin or owner) proposes a better answer to one of the bot's messages: pending. */
feedback.post('/tenants/:t/improvements', jsonBody(improvementCreate), async (c) => {
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof improvementCreate>
  const improvement = await asMember(c, t, async (db) => {
    const { rows } = await db.query(
      `select m.id, m.session_id, m.content, s.bot_id, q.content as question
         from chatbot_conversations m
         join chatbot_sessions s on s.id = m.session_id
         left join chatbot_conversations q on q.id = m.reply_to
        where m.id = $1 and m.tenant_id = $2 and m.message_type = 'ai'`,
      [body.message_id, t],
    )
    const m = rows[0]
    if (!m) throw new ApiError(404, 'not_found', 'message_id: no bot message with this id in this tenant.')
    if (!m.question)
      throw badRequest('validation_failed', 'message_id: this bot message answers no visitor question.')
    return (
      await db.query(
        `insert into improvements (tenant_id, bot_id, session_id, message_id, question, original_response,
                                   improved_response, feedback_type, similarity_keywords, language, created_by)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, auth.uid()) returning ${IMPROVEMENT}`,
        [
          t,
          m.bot_id,
          m.session_id,
          m.id,
          m.question.slice(0, 4000),
          m.content,
          body.improved_response,
          body.feedback_type,
          body.similarity_keywords,
          detectLanguage(m.question, 'en'),
        ],
      )
    ).rows[0]
  })
  return c.json({ improvement }, 201)
})

const improvementList = z
  .object({
    status: z.enum(['pending', 'in_review', 'applied', 'rejected']).optional(),
    bot_id: uuid('bot').optional(),
  })
  .strict()

feedback.get('/tenants/:t/improvements', async (c) => {
  const t = c.req.param('t')
  const q = query(improvementList, c.req.query())
  const improvements = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select ${IMPROVEMENT} from improvements
            where tenant_id = $1 and ($2::text is null or status = $2) and ($3::uuid is null or bot_id = $3)
            order by created_at desc limit 500`,
          [t, q.status ?? null, q.bot_id ?? null],
        )
      ).rows,
  )
  return c.json({ improvements })
})

const improvementPatch = z
  .object({
    status: z.enum(['pending', 'in_review', 'applied', 'rejected']).optional(),
    improved_response: text(8000).optional(),
    feedback_type: feedbackType.optional(),
    similarity_keywords: keywords.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of status, improved_response')

/** What the answer test added for an applied improvement expects: its answer's first sentence. */
export function expectOf(improved: string): Expect {
  const first = improved.split(/(?<=[.!?])\s/)[0]!.trim()
  return { contains: [first.length > 120 ? first.slice(0, 120) : first] }
}

/**
 * An owner or admin reviews an improvement: applied, it answers at once (and gets an answer test);
 * rejected, it stops at once; an edit of an applied one changes the next answer.
 */
feedback.patch('/tenants/:t/improvements/:id', jsonBody(improvementPatch), async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Improvement')
  const body = c.get('body') as z.infer<typeof improvementPatch>
  const improvement = await asMember(
    c,
    t,
    async (db) => {
      const { rows } = await db.query(
        `update improvements set
            status = coalesce($3, status),
            improved_response = coalesce($4, improved_response),
            feedback_type = coalesce($5, feedback_type),
            similarity_keywords = coalesce($6, similarity_keywords),
            -- Every review (a status or an edit) moves reviewed_at: answers read it as the version of
            -- the bot's applied improvements (feedback/match.ts).
            reviewed_by = auth.uid(),
            reviewed_at = clock_timestamp()
          where id = $1 and tenant_id = $2 returning ${IMPROVEMENT}`,
        [
          id,
          t,
          body.status ?? null,
          body.improved_response ?? null,
          body.feedback_type ?? null,
          body.similarity_keywords ?? null,
        ],
      )
      const row = rows[0]
      if (!row) throw notFound('Improvement')
      if (row.status === 'applied') {
        await db.query(
          `insert into answer_tests (tenant_id, bot_id, question, expect, improvement_id, created_by)
           values ($1, $2, $3, $4, $5, auth.uid())
           on conflict (improvement_id) where improvement_id is not null do update set expect = excluded.expect`,
          [t, row.bot_id, row.question.slice(0, 2000), expectOf(row.improved_response), row.id],
        )
        await queueRun(db, t, row.bot_id, 'improvement')
      } else {
        await db.query('delete from answer_tests where improvement_id = $1', [row.id])
      }
      return row
    },
    ADMINS,
  )
  return c.json({ improvement })
})

const exportQuery = z.object({ bot_id: uuid('bot').optional() }).strict()

/** Applied improvements as a chat fine-tuning file: one {"messages": [system, user, assistant]} a line. */
feedback.get('/tenants/:t/improvements/export.jsonl', async (c) => {
  const t = c.req.param('t')
  const q = query(exportQuery, c.req.query())
  const rows = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select i.question, i.improved_response,
                  (select p.content from prompt_versions p where p.bot_id = i.bot_id and p.prompt_type = 'principal' and p.is_active) as principal
             from improvements i
            where i.tenant_id = $1 and i.status = 'applied' and ($2::uuid is null or i.bot_id = $2)
            order by i.created_at limit 10000`,
          [t, q.bot_id ?? null],
        )
      ).rows,
    ADMINS,
  )
  const lines = rows.map((r) =>
    JSON.stringify({
      messages: [
        { role: 'system', content: r.principal ?? DEFAULT_PROMPTS.principal },
        { role: 'user', content: r.question },
        { role: 'assistant', content: r.improved_response },
      ],
    }),
  )
  return new Response(lines.length ? lines.join('\n') + '\n' : '', {
    headers: {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Content-Disposition': 'attachment; filename="improvements.jsonl"',
    },
  })
})

/** Queues a run of the bot's tests, when it has any (one waits per bot at most). */
async function queueRun(
  db: { query: (...a: any[]) => Promise<any> },
  tenant: string,
  bot: string,
  trigger: string,
) {
  await db.query(
    `insert into answer_test_runs (tenant_id, bot_id, trigger)
     select $1, $2, $3 where exists (select 1 from answer_tests where bot_id = $2)
     on conflict (bot_id) where status = 'pending' do nothing`,
    [tenant, bot, trigger],
  )
}

// Answer tests.

const expectSchema = z
  .object({
    contains: z.array(text(200)).min(1, 'must hold at least one text').max(20).optional(),
    escalates: z.boolean().optional(),
    declines: z.boolean().optional(),
  })
  .strict()
  .refine((e) => Object.keys(e).length > 0, 'give at least one of contains, escalates, declines')

const testCreate = z.object({ question: text(2000), expect: expectSchema }).strict()
const TEST = 'id, bot_id, question, expect, improvement_id, created_at, updated_at'

feedback.get('/bots/:b/answer-tests', async (c) => {
  const b = c.req.param('b')
  const result = await asMember(c, await botTenant(c, b), async (db) => {
    const tests = (
      await db.query(`select ${TEST} from answer_tests where bot_id = $1 order by created_at`, [b])
    ).rows
    const runs = (
      await db.query(
        `select ${RUN} from answer_test_runs where bot_id = $1 order by created_at desc limit 5`,
        [b],
      )
    ).rows
    return { tests, runs }
  })
  return c.json(result)
})

feedback.post('/bots/:b/answer-tests', jsonBody(testCreate), async (c) => {
  const b = c.req.param('b')
  const body = c.get('body') as z.infer<typeof testCreate>
  const t = await botTenant(c, b)
  const test = await asMember(
    c,
    t,
    async (db) => {
      const n = (await db.query('select count(*)::int n from answer_tests where bot_id = $1', [b])).rows[0].n
      if (n >= MAX_TESTS_PER_BOT) throw conflict(`A bot has at most ${MAX_TESTS_PER_BOT} answer tests.`)
      return (
        await db.query(
          `insert into answer_tests (tenant_id, bot_id, question, expect, created_by)
           values ($1, $2, $3, $4, auth.uid()) returning ${TEST}`,
          [t, b, body.question, body.expect],
        )
      ).rows[0]
    },
    ADMINS,
  )
  return c.json({ test }, 201)
})

feedback.delete('/bots/:b/answer-tests/:id', async (c) => {
  const b = c.req.param('b')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Answer test')
  await asMember(
    c,
    await botTenant(c, b),
    async (db) => {
      const { rowCount } = await db.query('delete from answer_tests where id = $1 and bot_id = $2', [id, b])
      if (!rowCount) throw notFound('Answer test')
    },
    ADMINS,
  )
  return c.body(null, 204)
})

const runQuery = z
  .object({ model_version_id: uuid('model version').optional(), compare: uuid('model version').optional() })
  .strict()

/**
 * Runs the bot's tests now and answers with the results (against a model version, and a second one
 * side by side with `compare`). Nothing is stored in conversations; the run itself is kept.
 */
feedback.post('/bots/:b/answer-tests/run', async (c) => {
  const b = c.req.param('b')
  const q = query(runQuery, c.req.query())
  const t = await botTenant(c, b)
  const run = await asMember(
    c,
    t,
    async (db) => {
      for (const [field, id] of [
        ['model_version_id', q.model_version_id],
        ['compare', q.compare],
      ] as const) {
        if (!id) continue
        const found = await db.query('select 1 from model_versions where id = $1 and tenant_id = $2', [id, t])
        if (!found.rows[0]) throw new ApiError(404, 'not_found', `${field}: no model version with this id.`)
      }
      return (
        await db.query(
          `insert into answer_test_runs (tenant_id, bot_id, trigger, model_version_id, compare_model_version_id, status, locked_at)
           values ($1, $2, 'manual', $3, $4, 'running', now()) returning id, tenant_id, bot_id, model_version_id, compare_model_version_id`,
          [t, b, q.model_version_id ?? null, q.compare ?? null],
        )
      ).rows[0]
    },
    ADMINS,
  )
  const done = await executeRun(c.var.deps, run).catch(async (err) => {
    await c.var.deps.pool
      .query(`update answer_test_runs set status = 'failed', error = $2, finished_at = now() where id = $1`, [
        run.id,
        String(err).slice(0, 500),
      ])
      .catch(() => {})
    throw err
  })
  return c.json({
    run_id: done.id,
    results: done.results,
    passed: done.passed,
    failed: done.failed,
    changes: done.changes,
  })
})

// Model versions.

const metrics = z.record(z.string().max(100), z.union([z.number(), z.string().max(200), z.boolean()]))
const modelCreate = z
  .object({
    model_name: modelName,
    base_model: modelName,
    version: text(50),
    bot_id: uuid('bot').nullable().optional(),
    training_dataset_id: text(200).nullable().optional(),
    status: z.enum(['training', 'ready', 'deprecated']).default('training'),
    metrics: metrics.default({}),
  })
  .strict()
const MODEL =
  'id, bot_id, model_name, base_model, version, training_dataset_id, status, metrics, is_active, created_at, updated_at'

feedback.get('/tenants/:t/model-versions', async (c) => {
  const t = c.req.param('t')
  const model_versions = await asMember(
    c,
    t,
    async (db) =>
      (
        await db.query(
          `select ${MODEL} from model_versions where tenant_id = $1 order by created_at desc limit 500`,
          [t],
        )
      ).rows,
  )
  return c.json({ model_versions })
})

async function ownBot(
  db: { query: (...a: any[]) => Promise<any> },
  tenant: string,
  bot: string | null | undefined,
) {
  if (!bot) return
  const { rows } = await db.query('select 1 from bots where id = $1 and tenant_id = $2', [bot, tenant])
  if (!rows[0]) throw badRequest('validation_failed', 'bot_id: no bot with this id in this tenant')
}

feedback.post('/tenants/:t/model-versions', jsonBody(modelCreate), async (c) => {
  const t = c.req.param('t')
  const body = c.get('body') as z.infer<typeof modelCreate>
  const model_version = await asMember(
    c,
    t,
    async (db) => {
      await ownBot(db, t, body.bot_id)
      const dup = await db.query(
        'select 1 from model_versions where tenant_id = $1 and model_name = $2 and version = $3',
        [t, body.model_name, body.version],
      )
      if (dup.rows[0]) throw conflict('This model name and version are already registered.')
      return (
        await db.query(
          `insert into model_versions (tenant_id, bot_id, model_name, base_model, version, training_dataset_id, status, metrics)
           values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${MODEL}`,
          [
            t,
            body.bot_id ?? null,
            body.model_name,
            body.base_model,
            body.version,
            body.training_dataset_id ?? null,
            body.status,
            body.metrics,
          ],
        )
      ).rows[0]
    },
    ADMINS,
  )
  return c.json({ model_version }, 201)
})

const modelPatch = z
  .object({
    status: z.enum(['training', 'ready', 'deprecated']).optional(),
    is_active: z.boolean().optional(),
    metrics: metrics.optional(),
    bot_id: uuid('bot').nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one of status, is_active, metrics')

/**
 * Changes a model version. Activating one (it must be ready and name a bot) makes it the bot's model,
 * the bot's previous active version stepping down; deactivating the active one gives the bot back the
 * server's default model. Either queues a run of the bot's answer tests.
 */
feedback.patch('/tenants/:t/model-versions/:id', jsonBody(modelPatch), async (c) => {
  const t = c.req.param('t')
  const id = c.req.param('id')
  if (!uuidRe.test(id)) throw notFound('Model version')
  const body = c.get('body') as z.infer<typeof modelPatch>
  const model_version = await asMember(
    c,
    t,
    async (db) => {
      const current = (
        await db.query(`select ${MODEL} from model_versions where id = $1 and tenant_id = $2 for update`, [
          id,
          t,
        ])
      ).rows[0]
      if (!current) throw notFound('Model version')
      if (body.bot_id !== undefined) await ownBot(db, t, body.bot_id)
      const next = {
        status: body.status ?? current.status,
        bot_id: body.bot_id !== undefined ? body.bot_id : current.bot_id,
        is_active: body.is_active ?? current.is_active,
      }
      if (next.is_active && next.status !== 'ready')
        throw conflict(`is_active: a ${next.status} model version cannot be active; make it ready first.`)
      if (next.is_active && !next.bot_id)
        throw badRequest('validation_failed', 'bot_id: an active model version needs the bot it serves')
      if (current.is_active && (!next.is_active || next.bot_id !== current.bot_id)) {
        await db.query('update bots set model = null where id = $1 and tenant_id = $2', [current.bot_id, t])
        await queueRun(db, t, current.bot_id, 'model')
      }
      if (next.is_active && (!current.is_active || next.bot_id !== current.bot_id))
        await db.query(
          'update model_versions set is_active = false where bot_id = $1 and is_active and id <> $2',
          [next.bot_id, id],
        )
      const row = (
        await db.query(
          `update model_versions set status = $2, bot_id = $3, is_active = $4, metrics = coalesce($5, metrics)
            where id = $1 returning ${MODEL}`,
          [id, next.status, next.bot_id, next.is_active, body.metrics ?? null],
        )
      ).rows[0]
      if (row.is_active && (!current.is_active || next.bot_id !== current.bot_id)) {
        await db.query('update bots set model = $2 where id = $1 and tenant_id = $3', [
          row.bot_id,
          row.model_name,
          t,
        ])
        await queueRun(db, t, row.bot_id, 'model')
      }
      return row
    },
    ADMINS,
  )
  return c.json({ model_version })
})
