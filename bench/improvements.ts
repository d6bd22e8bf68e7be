/**
 * `npx tsx bench/improvements.ts` (or BENCH_ONLY=improvements): what applied improvements cost an
 * answer. Every answer first compares the question with the bot's applied improvements (feedback/
 * match.ts, up to 500, read at every answer so a review takes effect at once). Measured on the demo
 * bot (PGlite, extractive answers) with 0, 100 and 500 applied improvements whose questions do not
 * match (the common case: the scan is pure overhead), then one that does (the answer skips
 * retrieval). Prints a table and writes bench/results/improvements.json. Seeded inputs.
 */
import { randomUUID } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import { loadConfig } from '../api/src/config'
import { seedDemo } from '../api/src/demo'
import { createDeps } from '../api/src/server'
import { generateAnswer } from '../api/src/answers/pipeline'
import { termsOf } from '../api/src/answers/terms'
import { matchImprovement } from '../api/src/feedback/match'
import { mulberry32, percentile } from './lib'

const TENANT = '00000000-0000-4000-8000-0000000000a1'
const BOT = '00000000-0000-4000-8000-0000000000b1'
const ANSWERS = Number(process.env.BENCH_IMPROVEMENT_ANSWERS ?? 150)
const QUESTIONS = [
  'How long does delivery take?',
  'How much does shipping cost?',
  'How do I return an item?',
  'Which payment methods do you accept?',
  'Quels sont vos horaires d’ouverture ?',
  'Puis-je suivre ma commande ?',
]
const WORDS =
  'gift card wrapping warranty battery charger strap lens cable adapter sticker poster voucher loyalty points newsletter invoice'.split(
    ' ',
  )

const round = (x: number) => Math.round(x * 10) / 10

export async function benchImprovements() {
  const deps = await createDeps(
    loadConfig({ DATABASE_URL: 'memory://', LOG_LEVEL: 'silent', PORT: '0', JWT_SECRET: 'i'.repeat(40) }),
  )
  await seedDemo({ deps }, [])
  await deps.worker?.drain()
  const rng = mulberry32(16)
  const word = () => WORDS[Math.floor(rng() * WORDS.length)]!
  const rows: Record<string, unknown>[] = []
  let have = 0
  const time = async (label: string, n: number, questions: string[]) => {
    const answer: number[] = []
    const match: number[] = []
    for (let i = 0; i < ANSWERS; i++) {
      const q = questions[i % questions.length]!
      let t = performance.now()
      await matchImprovement(deps.pool, { tenant_id: TENANT, bot_id: BOT }, termsOf(q))
      match.push(performance.now() - t)
      t = performance.now()
      await generateAnswer(deps, {
        session: { id: randomUUID(), tenant_id: TENANT, bot_id: BOT },
        message: { id: randomUUID(), seq: 1, content: q },
        fallbackLanguage: 'en',
        dryRun: true,
      })
      answer.push(performance.now() - t)
    }
    answer.sort((a, b) => a - b)
    match.sort((a, b) => a - b)
    rows.push({
      case: label,
      applied_improvements: n,
      answers: ANSWERS,
      match_p50_ms: round(percentile(match, 50)),
      match_p95_ms: round(percentile(match, 95)),
      answer_p50_ms: round(percentile(answer, 50)),
      answer_p95_ms: round(percentile(answer, 95)),
    })
  }
  for (const n of [0, 100, 500]) {
    for (; have < n; have++) {
      const q = `Do you sell a ${word()} ${word()} ${word()} number ${have}?`
      await deps.pool.query(
        `insert into improvements (tenant_id, bot_id, question, improved_response, status, similarity_keywords)
         values ($1, $2, $3, $4, 'applied', $5)`,
        [TENANT, BOT, q, `Yes, ask us about item ${have}.`, [word(), word()]],
      )
    }
    await time('no improvement matches', n, QUESTIONS)
  }
  await deps.pool.query(
    `insert into improvements (tenant_id, bot_id, question, improved_response, status)
     values ($1, $2, 'How long does delivery take?', 'Two days.', 'applied')`,
    [TENANT, BOT],
  )
  await time('an improvement answers', 501, ['How long does delivery take?'])
  console.table(rows)
  mkdirSync('bench/results', { recursive: true })
  writeFileSync(
    'bench/results/improvements.json',
    JSON.stringify({ when: new Date().toISOString(), node: process.version, rows }, null, 2) + '\n',
  )
  console.log('wrote bench/results/improvements.json')
  await deps.worker?.stop()
  await deps.channels?.stop()
  await deps.answerTests?.stop()
  await deps.notifier?.stop()
  deps.limiters.close()
  await deps.bus.close()
  await deps.db.close()
  return { rows }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchImprovements()
