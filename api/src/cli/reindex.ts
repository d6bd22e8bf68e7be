/**
 * `npm run reindex`: embeds every chunk again with the configured embedding model (after changing
 * EMBEDDING_MODEL or its dimensions). Chunks already embedded with this model are left alone, so an
 * interrupted run resumes where it stopped. Full-text search keeps answering meanwhile.
 */
import { loadConfig } from '../config'
import { createDeps } from '../server'
import { KnowledgeWorker } from '../knowledge/worker'

const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' })
const deps = await createDeps(config, { worker: false })
const worker = new KnowledgeWorker(deps)
worker.reindexing = true
try {
  const { rows } = await deps.pool.query(
    `select count(*)::int as total, count(*) filter (where embedding_model is distinct from $1)::int as stale from knowledge_chunks`,
    [deps.embedder.model],
  )
  console.log(
    `Model ${deps.embedder.model} (${deps.store.name}): ${rows[0].stale} of ${rows[0].total} chunks to embed.`,
  )
  const started = Date.now()
  let done = 0
  for (let n; (n = await worker.backfill(256)) > 0;) {
    done += n
    process.stdout.write(`\r  ${done} embedded`)
  }
  console.log(`\nDone: ${done} chunks in ${((Date.now() - started) / 1000).toFixed(1)} s.`)
} catch (err) {
  console.error((err as Error).message)
  process.exitCode = 1
} finally {
  deps.limiters.close()
  await deps.bus.close()
  await deps.db.close()
}
