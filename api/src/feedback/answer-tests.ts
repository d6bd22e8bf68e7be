import type { Deps } from '../deps'
import type { Queryable } from '../db/tx'
import { claimOne, type Queue } from '../jobs/claim'
import { dryRunAnswer, type DryRun } from '../answers/dry-run'
import { Poller } from '../jobs/poller'
import { fold } from '../text/fold'

/** What a good answer to a test's question must do. */
export interface Expect {
  contains?: string[]
  escalates?: boolean
  declines?: boolean
}

export interface Verdict {
  passed: boolean
  answer: string
  reasons: string[]
}

export interface TestResult extends Verdict {
  test_id: string
  question: string
  /** The same test against the compared model version, when the run compares two. */
  compare?: Verdict
}

/** Most tests a bot may have: a run answers them one after the other. */
export const MAX_TESTS_PER_BOT = 200
/** Finished runs kept per bot. */
export const RUNS_KEPT = 50

type RunDeps = Pick<Deps, 'pool' | 'config' | 'llm' | 'embedder' | 'store' | 'log' | 'tokenBudget'>

/** Judges one dry-run answer against what the test expects; each failed expectation is a reason. */
export function judge(expect: Expect, run: DryRun): Verdict {
  const reasons: string[] = []
  const text = fold(run.answer.content)
  for (const want of expect.contains ?? [])
    if (!text.includes(fold(want))) reasons.push(`The answer does not contain "${want}".`)
  if (expect.escalates === true && !run.escalates) reasons.push('Expected a hand-over to a person; none.')
  if (expect.escalates === false && run.escalates) reasons.push('The question is handed over to a person.')
  if (expect.declines === true && !run.declines) reasons.push('Expected the bot to say it does not know.')
  if (expect.declines === false && run.declines) reasons.push('The bot says it does not know.')
  return { passed: reasons.length === 0, answer: run.answer.content, reasons }
}

interface TestRow {
  id: string
  question: string
  expect: Expect
}

async function answerAll(
  d: RunDeps,
  bot: { tenant_id: string; bot_id: string },
  tests: TestRow[],
  model: string | undefined,
): Promise<Verdict[]> {
  const out: Verdict[] = []
  // One at a time: a run shares the model and the database with live visitors.
  for (const t of tests) {
    const run = await dryRunAnswer(d, { ...bot, question: t.question, model })
    out.push(judge(t.expect, run))
  }
  return out
}

async function modelName(db: Queryable, tenantId: string, id: string | null) {
  if (!id) return undefined
  const { rows } = await db.query('select model_name from model_versions where id = $1 and tenant_id = $2', [
    id,
    tenantId,
  ])
  return rows[0]?.model_name as string | undefined
}

/**
 * Runs a bot's tests (against a model version, and a second one side by side when asked) and stores
 * the results with what changed since the bot's previous finished run.
 */
export async function executeRun(
  d: RunDeps,
  run: {
    id: string
    tenant_id: string
    bot_id: string
    model_version_id: string | null
    compare_model_version_id: string | null
  },
) {
  const bot = { tenant_id: run.tenant_id, bot_id: run.bot_id }
  const tests = (
    await d.pool.query(
      `select id, question, expect from answer_tests where tenant_id = $1 and bot_id = $2 order by created_at limit ${MAX_TESTS_PER_BOT}`,
      [run.tenant_id, run.bot_id],
    )
  ).rows as TestRow[]
  const model = await modelName(d.pool, run.tenant_id, run.model_version_id)
  const verdicts = await answerAll(d, bot, tests, model)
  const compared = run.compare_model_version_id
    ? await answerAll(d, bot, tests, await modelName(d.pool, run.tenant_id, run.compare_model_version_id))
    : null
  const results: TestResult[] = tests.map((t, i) => ({
    test_id: t.id,
    question: t.question,
    ...verdicts[i]!,
    ...(compared ? { compare: compared[i]! } : {}),
  }))
  const previous = (
    await d.pool.query(
      `select results from answer_test_runs where bot_id = $1 and status = 'done' and id <> $2
        order by finished_at desc limit 1`,
      [run.bot_id, run.id],
    )
  ).rows[0]?.results as TestResult[] | undefined
  const before = new Map((previous ?? []).map((r) => [r.test_id, r.passed]))
  const changes = {
    newly_failing: results.filter((r) => !r.passed && before.get(r.test_id) === true).map((r) => r.test_id),
    newly_passing: results.filter((r) => r.passed && before.get(r.test_id) === false).map((r) => r.test_id),
  }
  const passed = results.filter((r) => r.passed).length
  const { rows } = await d.pool.query(
    `update answer_test_runs set status = 'done', results = $2, passed = $3, failed = $4, changes = $5,
            finished_at = now(), error = null
      where id = $1 returning ${RUN}`,
    [run.id, JSON.stringify(results), passed, results.length - passed, changes],
  )
  // A bot keeps its last RUNS_KEPT finished runs: the history is for "what changed", not an archive.
  await d.pool.query(
    `delete from answer_test_runs where bot_id = $1 and status in ('done', 'failed') and id not in
       (select id from answer_test_runs where bot_id = $1 and status in ('done', 'failed')
         order by created_at desc limit ${RUNS_KEPT})`,
    [run.bot_id],
  )
  return rows[0] as RunRow
}

export const RUN =
  'id, bot_id, trigger, model_version_id, compare_model_version_id, status, results, passed, failed, changes, error, created_at, finished_at'

export interface RunRow {
  id: string
  bot_id: string
  trigger: string
  status: string
  results: TestResult[]
  passed: number
  failed: number
  changes: { newly_failing?: string[]; newly_passing?: string[] }
}

/**
 * Works the runs the database queues after a prompt activation, a knowledge change, a threshold
 * change or an applied improvement (migration 20261130000070's triggers): one run at a time, off the
 * request that caused it.
 */
/** Queued runs: one at a time per process; a run left 'running' by a stopped process is taken again after ten minutes. */
const RUNS: Queue = {
  table: 'answer_test_runs',
  taken: 'running',
  dueAt: 'created_at',
  takenAt: 'locked_at',
  lease: '10 minutes',
  orderBy: 'created_at',
  returning: 'id, tenant_id, bot_id, model_version_id, compare_model_version_id, attempts',
}

export class AnswerTestWorker {
  private readonly poller: Poller

  constructor(private readonly d: RunDeps) {
    this.poller = new Poller(() => this.loop(), d.config.WORKER_POLL_MS, {
      log: d.log,
      name: 'answer-test worker',
    })
  }

  start() {
    this.poller.start()
  }

  kick() {
    this.poller.kick()
  }

  /** Until no run waits (tests). */
  async drain() {
    for (let i = 0; i < 20; i++) {
      await this.poller.settle()
      const due = await this.d.pool.query(`select 1 from answer_test_runs where status = 'pending' limit 1`)
      if (!due.rows[0]) return
    }
  }

  async stop() {
    await this.poller.stop()
  }

  private async loop() {
    while (!this.poller.stopped) {
      // A run left 'running' by a stopped process is taken again after ten minutes, three times at most.
      const run = await claimOne(this.d.pool, RUNS)
      if (!run) return
      try {
        if (run.attempts > 3) throw new Error('gave up after 3 attempts')
        await executeRun(this.d, run)
      } catch (err) {
        this.d.log.warn('answer test run failed', { run: run.id, err: String(err) })
        await this.d.pool
          .query(
            `update answer_test_runs set status = 'failed', error = $2, finished_at = now() where id = $1`,
            [run.id, String(err).slice(0, 500)],
          )
          .catch(() => {})
      }
    }
  }
}
