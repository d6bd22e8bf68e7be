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

const termCache = new Map<string, Term[]>()
function cachedTerms(text: string): Term[] {
  let t = termCache.get(text)
  if (!t) {
    if (termCache.size > 5000) termCache.clear()
    termCache.set(text, (t = termsOf(text)))
  }
  return t
}

/** Scores a visitor's question against an improvement's question and keywords (0 when they differ). */
export function matchScore(question: Term[], improvement: { question: string; keywords: string[] }) {
  if (!question.length) return 0
  const own = cachedTerms(improvement.question)
  const keywords = improvement.keywords.length ? cachedTerms(improvement.keywords.join(' ')) : []
  const both = [...own, ...keywords]
  // A concept on one side only is another question ("how much" against "how long", "to Canada").
  const concepts = (ts: Term[]) => new Set(ts.filter((t) => t.key.startsWith('c:')).map((t) => t.key))
  const theirs = concepts(both)
  const mine = concepts(question)
  if ([...mine].some((k) => !theirs.has(k)) || [...concepts(own)].some((k) => !mine.has(k))) return 0
  const asked = coverage(question, both)
  if (asked.missingEntities.length) return 0
  // The improvement's own question must be covered as well, or "delivery" alone would match "How long
  // does delivery to Canada take?"; its keywords, when given, may stand in for it.
  const back = Math.max(
    coverage(own, question).share,
    keywords.length ? coverage(keywords, question).share : 0,
  )
  return Math.min(asked.share, back)
}

/**
 * The applied improvement of the bot that answers the question best, or null. Read at every answer:
 * an improvement applied, edited or rejected takes effect at once.
 */
export async function matchImprovement(
  db: Queryable,
  bot: { tenant_id: string; bot_id: string },
  terms: Term[],
): Promise<ImprovementMatch | null> {
  if (!terms.length) return null
  const { rows } = await db.query(
    `select id, question, improved_response, similarity_keywords, language from improvements
      where tenant_id = $1 and bot_id = $2 and status = 'applied'
      order by updated_at desc limit ${MAX_COMPARED}`,
    [bot.tenant_id, bot.bot_id],
  )
  let best: ImprovementMatch | null = null
  for (const r of rows) {
    const score = matchScore(terms, { question: r.question, keywords: r.similarity_keywords ?? [] })
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
