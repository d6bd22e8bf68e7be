import type { Queryable } from '../db/tx'
import { coverage, termsOf, type Term } from '../answers/terms'

/** An applied improvement that answers a question, and how closely. */
export interface ImprovementMatch {
  id: string
  question: string
  improved_response: string
  language: string
  /** 0..1: the weaker of the two coverages (question by improvement, improvement by question). */
  score: number
}

/**
 * How much two questions must share to be "the same question": each must hold this share of the
 * other's terms. Concepts are language-neutral (answers/terms.ts: "livraison" and "delivery" are one),
 * so a French phrasing of an English question matches through them; specific words (a country, an
 * order number) must all be there.
 */
export const IMPROVEMENT_MIN_SHARE = 0.6

/** Most applied improvements a bot's answer compares against (newest first). */
const MAX_COMPARED = 500

/** An improvement's question and keywords as terms, computed once per read of the bot's improvements. */
export interface PreparedImprovement {
  own: Term[]
  keywords: Term[]
  both: Term[]
  /** The concepts of the question and keywords together, and of the question alone. */
  concepts: Set<string>
  ownConcepts: string[]
}

const conceptsOf = (ts: Term[]) => ts.filter((t) => t.key.startsWith('c:')).map((t) => t.key)

export function prepareImprovement(question: string, keywords: string[]): PreparedImprovement {
  const own = termsOf(question)
  const kw = keywords.length ? termsOf(keywords.join(' ')) : []
  const both = [...own, ...kw]
  return { own, keywords: kw, both, concepts: new Set(conceptsOf(both)), ownConcepts: conceptsOf(own) }
}

/** Scores a visitor's question against an improvement's question and keywords (0 when they differ). */
export function matchScore(question: Term[], p: PreparedImprovement) {
  if (!question.length) return 0
  // A concept on one side only is another question ("how much" against "how long", "to Canada").
  const mine = conceptsOf(question)
  if (mine.some((k) => !p.concepts.has(k)) || p.ownConcepts.some((k) => !mine.includes(k))) return 0
  const asked = coverage(question, p.both)
  if (asked.missingEntities.length) return 0
  // The improvement's own question must be covered as well, or "delivery" alone would match "How long
  // does delivery to Canada take?"; its keywords, when given, may stand in for it.
  const back = Math.max(
    coverage(p.own, question).share,
    p.keywords.length ? coverage(p.keywords, question).share : 0,
  )
  return Math.min(asked.share, back)
}

interface Applied {
  id: string
  question: string
  improved_response: string
  language: string
  prepared: PreparedImprovement
}

/** Per bot: its applied improvements and the version they were read at (a few bots' worth). */
const appliedCache = new Map<string, { version: string; rows: Applied[] }>()

/**
 * The version of a bot's applied improvements, as SQL (bot and tenant ids are parameters): how many
 * are applied and the latest review (an apply, reject or edit moves it). The answer's turn query
 * reads it (answers/pipeline.ts loadTurn), so checking it costs no round trip of its own.
 */
export const appliedVersionSql = (botParam: string, tenantParam: string) =>
  `(select count(*)::int || ':' || coalesce(max(reviewed_at)::text, '') from improvements
     where bot_id = ${botParam} and tenant_id = ${tenantParam} and status = 'applied')`

/**
 * The bot's applied improvements. Every answer asks the database for their version, so a review
 * takes effect at the next answer in every process; the rows themselves are read again only when it
 * moved. `known` is the version when the caller already read it.
 */
async function appliedOf(
  db: Queryable,
  bot: { tenant_id: string; bot_id: string },
  known?: string,
): Promise<Applied[]> {
  const version =
    known ??
    ((await db.query(`select ${appliedVersionSql('$1', '$2')} as v`, [bot.bot_id, bot.tenant_id])).rows[0]
      .v as string)
  const hit = appliedCache.get(bot.bot_id)
  if (hit && hit.version === version) return hit.rows
  const { rows } = !version.startsWith('0:')
    ? await db.query(
        `select id, question, improved_response, similarity_keywords, language from improvements
          where tenant_id = $1 and bot_id = $2 and status = 'applied'
          order by reviewed_at desc nulls last limit ${MAX_COMPARED}`,
        [bot.tenant_id, bot.bot_id],
      )
    : { rows: [] }
  const applied: Applied[] = rows.map((r: any) => ({
    id: r.id,
    question: r.question,
    improved_response: r.improved_response,
    language: r.language,
    prepared: prepareImprovement(r.question, r.similarity_keywords ?? []),
  }))
  if (appliedCache.size > 1000) appliedCache.clear()
  appliedCache.set(bot.bot_id, { version, rows: applied })
  return applied
}

/**
 * The applied improvement of the bot that answers the question best, or null. An improvement
 * applied, edited or rejected takes effect at the next answer.
 */
export async function matchImprovement(
  db: Queryable,
  bot: { tenant_id: string; bot_id: string },
  terms: Term[],
  /** The applied improvements' version, when the caller read it (appliedVersionSql). */
  version?: string,
): Promise<ImprovementMatch | null> {
  if (!terms.length) return null
  let best: ImprovementMatch | null = null
  for (const r of await appliedOf(db, bot, version)) {
    const score = matchScore(terms, r.prepared)
    if (score >= IMPROVEMENT_MIN_SHARE && (!best || score > best.score))
      best = {
        id: r.id,
        question: r.question,
        improved_response: r.improved_response,
        language: r.language,
        score,
      }
  }
  return best
}

/** Counts one use of an improvement (times_applied, last_applied_at). */
export async function countImprovementUse(db: Queryable, id: string) {
  await db.query(
    `update improvements set times_applied = times_applied + 1, last_applied_at = now() where id = $1`,
    [id],
  )
}
