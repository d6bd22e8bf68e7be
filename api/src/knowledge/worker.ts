import { randomUUID } from 'node:crypto'
import type pg from 'pg'
import { detectLanguage, isLang, passageLanguage, type Lang } from '../text/language'
import type { Config } from '../config'
import type { Queryable } from '../db/tx'
import { withTx } from '../db/tx'
import type { Logger } from '../logger'
import { chunkBlocks, chunkPlainText, type Chunk } from './chunk'
import { crawlSite } from './crawl'
import type { Embedder } from './embedder'
import { createGuardedFetch } from '../net'
import { parseDocument, parseHtml } from './parse'
import type { Storage } from './storage'
import type { VectorStore } from './vector-store'
import { Poller } from '../jobs/poller'
import { claimOne, type Queue } from '../jobs/claim'

interface WorkerDeps {
  pool: pg.Pool
  config: Config
  log: Logger
  embedder: Embedder
  store: VectorStore
  storage: Storage
}

/** The jobs' queue; a job whose worker has not finished within the lease is taken to be dead and retried. */
const JOBS: Queue = {
  table: 'knowledge_jobs',
  taken: 'processing',
  dueAt: 'run_at',
  takenAt: 'locked_at',
  lease: '10 minutes',
  orderBy: 'run_at',
  set: 'locked_by = $1',
  returning: 'id, tenant_id, source_id, kind, attempts, max_attempts',
}

/** An error retrying cannot fix (unsupported file, bad URL): the job fails at once. */
class PermanentJobError extends Error {}

/** Queues the processing of a source (once: a job already waiting is reused) and marks it pending. */
export async function enqueueJob(
  db: Queryable,
  job: { tenant_id: string | null; source_id: string; kind: 'process' | 'crawl' },
) {
  await db.query(
    `insert into knowledge_jobs (tenant_id, source_id, kind) values ($1, $2, $3)
     on conflict (source_id) where status in ('pending', 'processing') do nothing`,
    [job.tenant_id, job.source_id, job.kind],
  )
  await db.query(
    `update knowledge_sources set status = 'pending', error = null where id = $1 and status <> 'processing'`,
    [job.source_id],
  )
}

/** The text a chunk is embedded from: where it sits matters as much as what it says. */
const embedText = (c: { title?: string | null; heading_path: string[]; content: string }) =>
  [c.title, c.heading_path.join(' > '), c.content].filter(Boolean).join('\n')

/**
 * Runs knowledge jobs kept in Postgres: claims one with FOR UPDATE SKIP LOCKED (several processes can
 * share the queue), processes it, and records done or the error a person can read. Failures retry
 * with exponential backoff; a job whose process died is reclaimed after its lease. Also queues
 * scheduled crawls and embeds chunks that have no vector yet (seeded or created without one).
 */
export class KnowledgeWorker {
  private readonly id = `worker-${process.pid}-${randomUUID().slice(0, 8)}`
  private lastSchedule = 0
  private readonly poller: Poller
  private readonly guardedFetch

  constructor(private readonly d: WorkerDeps) {
    this.poller = new Poller(() => this.loop(), d.config.WORKER_POLL_MS, {
      log: d.log,
      name: 'knowledge worker',
    })
    this.guardedFetch = createGuardedFetch({
      allowLoopback: d.config.FETCH_ALLOW_LOOPBACK,
      maxBytes: d.config.FETCH_MAX_BYTES,
      timeoutMs: d.config.FETCH_TIMEOUT_MS,
    })
  }

  start() {
    this.poller.start()
  }

  /** Runs due work now (a job was just queued). */
  kick() {
    this.poller.kick()
  }

  /** Until nothing is due (tests and the reindex command). */
  async drain() {
    await this.poller.settle()
  }

  async stop() {
    await this.poller.stop()
  }

  private async loop() {
    if (Date.now() - this.lastSchedule > 60_000) {
      this.lastSchedule = Date.now()
      await this.scheduleCrawls()
    }
    while (!this.poller.stopped && (await this.runOne())) {}
    if (!this.poller.stopped) await this.backfill()
  }

  /** Queues crawls of daily and weekly websites that are due. */
  async scheduleCrawls() {
    await this.d.pool.query(
      `insert into knowledge_jobs (tenant_id, source_id, kind)
       select tenant_id, id, 'crawl' from knowledge_sources
        where kind = 'website' and crawl_frequency in ('daily', 'weekly') and next_crawl_at <= now()
       on conflict (source_id) where status in ('pending', 'processing') do nothing`,
    )
  }

  /** Claims and runs one due job; false when none is due. */
  async runOne(): Promise<boolean> {
    const job = await claimOne(this.d.pool, JOBS, [this.id])
    if (!job) return false
    const log = this.d.log
    await this.d.pool.query(
      `update knowledge_sources set status = 'processing', error = null where id = $1`,
      [job.source_id],
    )
    try {
      const result =
        job.kind === 'crawl' ? await this.crawl(job.source_id) : await this.process(job.source_id)
      await this.d.pool.query(
        `update knowledge_jobs set status = 'done', locked_at = null, result = $2, last_error = null where id = $1`,
        [job.id, result],
      )
      log.info('knowledge job done', { job: job.id, kind: job.kind, ...result })
    } catch (err) {
      const permanent =
        err instanceof PermanentJobError ||
        (err as { code?: string }).code === 'unsupported_file' ||
        ['file_too_large', 'archive_bomb', 'fetch_blocked'].includes((err as { code?: string }).code ?? '')
      const message = readable(err)
      const final = permanent || job.attempts >= job.max_attempts
      // 5 s, 20 s, 80 s, ... with jitter so a batch of failures does not retry in lockstep.
      const delayMs = Math.round(5000 * 4 ** (job.attempts - 1) * (0.8 + Math.random() * 0.4))
      await this.d.pool.query(
        `update knowledge_jobs set status = $2, last_error = $3, locked_at = null, run_at = now() + make_interval(secs => $4) where id = $1`,
        [job.id, final ? 'failed' : 'pending', message, delayMs / 1000],
      )
      await this.d.pool.query(`update knowledge_sources set status = $2, error = $3 where id = $1`, [
        job.source_id,
        final ? 'failed' : 'pending',
        final ? message : `${message} (retrying)`,
      ])
      log.warn('knowledge job failed', { job: job.id, attempt: job.attempts, final, err: message })
    }
    return true
  }

  /** Parses, chunks and embeds a document, FAQ or text source; replaces its chunks in one transaction. */
  async process(sourceId: string) {
    const src = await this.source(sourceId)
    let chunks: Chunk[]
    let title: string = src.title
    if (src.kind === 'document') {
      if (!src.storage_key) throw new PermanentJobError('The file is missing from storage.')
      const bytes = await this.d.storage.get(src.storage_key)
      const doc = await parseDocument(bytes, src.metadata?.filename, {
        maxBytes: this.d.config.UPLOAD_MAX_BYTES,
      })
      if (doc.title && src.metadata?.title_from_file) title = doc.title
      chunks = chunkBlocks(doc.blocks)
      if (!chunks.length)
        throw new PermanentJobError('The file has no readable text (a scanned PDF needs OCR first).')
      await this.d.pool.query(`update knowledge_sources set mime_type = $2, title = $3 where id = $1`, [
        sourceId,
        doc.type,
        title,
      ])
    } else if (src.kind === 'faq') {
      chunks = [
        {
          index: 0,
          title: src.title,
          heading_path: [],
          content: src.body ?? '',
          tokens: Math.ceil((src.body ?? '').length / 4),
        },
      ]
    } else if (src.kind === 'text') {
      chunks = chunkPlainText(src.body ?? '')
    } else {
      return this.crawl(sourceId)
    }
    const vectors = await this.d.embedder.embed(
      chunks.map((c) => embedText({ ...c, title: c.title ?? title })),
    )
    const written = await this.replaceChunks(
      src,
      null,
      chunks.map((c) => ({ ...c, title: c.title ?? title })),
      src.url,
      vectors,
    )
    await this.d.pool.query(
      `update knowledge_sources set status = 'ready', error = null, chunk_count = $2, last_processed_at = now() where id = $1`,
      [sourceId, written],
    )
    return { chunks: written }
  }

  /** Crawls a website source; only pages whose text changed are re-chunked and re-embedded. */
  async crawl(sourceId: string) {
    const src = await this.source(sourceId)
    if (!src.url) throw new PermanentJobError('The website source has no URL.')
    const known = new Map<string, { id: string; content_hash: string | null; status: string }>()
    for (const row of (
      await this.d.pool.query(
        `select id, url, content_hash, status from website_pages where source_id = $1`,
        [sourceId],
      )
    ).rows) {
      known.set(row.url, row)
    }
    const { pages, skipped, truncated } = await crawlSite(src.url, {
      fetch: this.guardedFetch,
      maxPages: src.max_pages ?? this.d.config.CRAWL_MAX_PAGES,
      // Pages from the last crawl are checked again even when nothing links to them any more.
      knownUrls: [...known.entries()].filter(([, p]) => p.status !== 'removed').map(([url]) => url),
    })
    if (!pages.length) {
      const why = skipped[0]?.reason ?? 'no page could be fetched'
      throw new PermanentJobError(`Nothing could be crawled from ${src.url}: ${why}`)
    }
    let changed = 0
    let unchanged = 0
    for (const page of pages) {
      const prior = known.get(page.url)
      known.delete(page.url)
      if (prior && prior.content_hash === page.content_hash && prior.status === 'ready') {
        unchanged++
        await this.d.pool.query(`update website_pages set last_crawled_at = now() where id = $1`, [prior.id])
        continue
      }
      const doc = parseHtml(page.html)
      const title = page.title || doc.title || page.url
      const chunks = chunkBlocks(doc.blocks).map((c) => ({ ...c, title: c.title ?? title }))
      const vectors = chunks.length ? await this.d.embedder.embed(chunks.map(embedText)) : []
      const { rows } = await this.d.pool.query(
        `insert into website_pages (tenant_id, source_id, url, title, content_hash, status, error, last_crawled_at)
         values ($1, $2, $3, $4, $5, 'ready', null, now())
         on conflict (source_id, url) do update set title = excluded.title, content_hash = excluded.content_hash,
            status = 'ready', error = null, last_crawled_at = now()
         returning id`,
        [src.tenant_id, sourceId, page.url, title.slice(0, 500), page.content_hash],
      )
      await this.replaceChunks(src, rows[0].id, chunks, page.url, vectors)
      changed++
    }
    // Pages the site no longer has: their passages must stop answering. A page the crawl merely did
    // not reach (page cap) or could not fetch this time (transient error) keeps what was stored.
    const gone = new Set(
      skipped
        .filter((s) =>
          ['gone', 'robots', 'noindex', 'duplicate', 'redirect', 'not_html', 'off_site'].includes(s.kind),
        )
        .map((s) => s.url),
    )
    const transient = new Set(skipped.filter((s) => s.kind === 'error').map((s) => s.url))
    const removed = [...known.entries()]
      .filter(([url, p]) => p.status !== 'removed' && (gone.has(url) || (!truncated && !transient.has(url))))
      .map(([, p]) => p)
    for (const page of removed) {
      const old = await this.d.pool.query(`delete from knowledge_chunks where page_id = $1 returning id`, [
        page.id,
      ])
      await this.d.store.deleteIds(
        this.d.embedder.model,
        old.rows.map((r) => r.id),
      )
      await this.d.pool.query(
        `update website_pages set status = 'removed', last_crawled_at = now() where id = $1`,
        [page.id],
      )
    }
    const every =
      src.crawl_frequency === 'daily' ? '1 day' : src.crawl_frequency === 'weekly' ? '7 days' : null
    const count = (
      await this.d.pool.query(`select count(*)::int as n from knowledge_chunks where source_id = $1`, [
        sourceId,
      ])
    ).rows[0].n
    await this.d.pool.query(
      `update knowledge_sources set status = 'ready', error = null, chunk_count = $2, last_processed_at = now(),
              next_crawl_at = case when $3::text is null then null else now() + $3::interval end,
              metadata = metadata || jsonb_build_object('pages', $4::int, 'skipped', $5::jsonb)
        where id = $1`,
      [sourceId, count, every, pages.length, JSON.stringify(skipped.slice(0, 50))],
    )
    return {
      pages: pages.length,
      changed,
      unchanged,
      removed: removed.length,
      skipped: skipped.length,
      chunks: count,
    }
  }

  /** Embeds chunks that have no vector for the current model yet (seeded FAQs, or a reindex). */
  async backfill(limit = 256): Promise<number> {
    const model = this.d.embedder.model
    const { rows } = await this.d.pool.query(
      `select id, tenant_id, bot_id, source_id, title, heading_path, content from knowledge_chunks
        where embedding_model is distinct from $1 and (embedding_model is null or $2) limit $3`,
      [model, this.reindexing, limit],
    )
    if (!rows.length) return 0
    const vectors = await this.d.embedder.embed(rows.map(embedText))
    await this.d.store.upsert(
      model,
      rows.map((r, i) => ({
        id: r.id,
        tenant_id: r.tenant_id,
        bot_id: r.bot_id,
        source_id: r.source_id,
        vector: vectors[i]!,
      })),
    )
    if (this.d.store.name !== 'pgvector') {
      await this.d.pool.query(`update knowledge_chunks set embedding_model = $2 where id = any($1::uuid[])`, [
        rows.map((r) => r.id),
        model,
      ])
    }
    return rows.length
  }

  /** Set by the reindex command: chunks embedded with another model are re-embedded too. */
  reindexing = false

  private async source(id: string) {
    const { rows } = await this.d.pool.query(
      `select id, tenant_id, bot_id, kind, title, body, url, language, storage_key, crawl_frequency, max_pages, metadata
         from knowledge_sources where id = $1`,
      [id],
    )
    if (!rows[0]) throw new PermanentJobError('The source was deleted.')
    return rows[0]
  }

  /** Swaps a source's (or a page's) chunks for new ones in one transaction, then stores their vectors. */
  private async replaceChunks(
    src: { id: string; tenant_id: string | null; bot_id: string | null; language: string },
    pageId: string | null,
    chunks: (Chunk & { title?: string })[],
    url: string | null,
    vectors: number[][],
  ): Promise<number> {
    const model = this.d.embedder.model
    const { ids, old } = await withTx(this.d.pool, async (db) => {
      const old = await db.query(
        `delete from knowledge_chunks where source_id = $1 and page_id is not distinct from $2 returning id`,
        [src.id, pageId],
      )
      if (!chunks.length) return { ids: [] as string[], old: old.rows.map((r) => r.id as string) }
      const { rows } = await db.query(
        `insert into knowledge_chunks (tenant_id, bot_id, source_id, page_id, chunk_index, title, heading_path, content, language, url, page_number, token_count)
         select $1, $2, $3, $4, t.idx, t.title, coalesce((select array_agg(x) from jsonb_array_elements_text(t.path) x), '{}'),
                t.content, t.language, $5, t.page, t.tokens
           from unnest($6::int[], $7::text[], $8::jsonb[], $9::text[], $10::int[], $11::int[], $12::text[])
                  as t(idx, title, path, content, page, tokens, language)
         returning id, chunk_index`,
        [
          src.tenant_id,
          src.bot_id,
          src.id,
          pageId,
          url,
          chunks.map((c) => c.index),
          chunks.map((c) => (c.title ?? '').slice(0, 500) || null),
          chunks.map((c) => JSON.stringify(c.heading_path)),
          chunks.map((c) => c.content),
          chunks.map((c) => c.page ?? null),
          chunks.map((c) => c.tokens),
          chunkLanguages(src.language, chunks),
        ],
      )
      const byIndex = new Map(rows.map((r) => [r.chunk_index as number, r.id as string]))
      return { ids: chunks.map((c) => byIndex.get(c.index)!), old: old.rows.map((r) => r.id as string) }
    })
    await this.d.store.upsert(
      model,
      ids.map((id, i) => ({
        id,
        tenant_id: src.tenant_id,
        bot_id: src.bot_id,
        source_id: src.id,
        vector: vectors[i]!,
      })),
    )
    if (this.d.store.name !== 'pgvector' && ids.length) {
      await this.d.pool.query(`update knowledge_chunks set embedding_model = $2 where id = any($1::uuid[])`, [
        ids,
        model,
      ])
    }
    await this.d.store.deleteIds(model, old)
    return ids.length
  }
}

/**
 * Each chunk's language, so full-text search stems it with its own language's snowball stemmer: the
 * document's (declared, or detected on its opening when it declared 'auto'), unless a chunk is clearly
 * written in another one (the English section of a French guide; text/language.ts passageLanguage).
 */
function chunkLanguages(declared: string, chunks: Chunk[]): Lang[] {
  const document = isLang(declared)
    ? declared
    : detectLanguage(
        chunks
          .slice(0, 5)
          .map((c) => c.content)
          .join(' ')
          .slice(0, 4000),
        'en',
      )
  return chunks.map((c) => passageLanguage(`${c.title ?? ''}\n${c.content}`, document))
}

function readable(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err)
  return msg.length > 500 ? msg.slice(0, 497) + '...' : msg
}
