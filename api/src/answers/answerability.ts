/**
 * Does a passage answer the question? Retrieval's confidence says a passage is *about* the question;
 * it does not see that "Do you ship to Canada?" names a country the shipping passage never mentions.
 * Answerability blends two signals, both 0..1:
 *   - coverage: the weighted share of the question's terms (concepts, specific words, stems) the
 *     passage holds (answers/terms.ts);
 *   - retrieval confidence (knowledge/search.ts: full-text coverage and calibrated similarity);
 * and discounts a passage missing one of the question's specific words (a country, an order number,
 * a name). The weights and the threshold are chosen by bench/answers-eval.ts on a labelled set
 * (covered, uncovered and near-miss questions in en/fr/es/de), not by hand: see CALIBRATION.
 */
import type { Passage } from '../knowledge/search'
import { coverage, termsOf, type Term } from './terms'

export interface Calibration {
  /** Weight of term coverage against retrieval confidence. */
  coverageWeight: number
  /** Multiplier of the score when a specific word of the question is missing from the passage. */
  missingEntityFactor: number
  /** Below this, the bot says it does not know (a bot's own min_confidence overrides it). */
  threshold: number
}

/**
 * Chosen by `npm run bench` (bench/answers-eval.ts, bench/results/answers-eval.json). On the current
 * set the grid's best (balanced accuracy, then AUC) gives coverage no weight in the score: retrieval
 * confidence, halved when a specific word is missing, decides whether to answer; coverage still orders
 * passages of equal score and finds a passage's translation.
 */
export const CALIBRATION: Calibration = { coverageWeight: 0, missingEntityFactor: 0.5, threshold: 0.55 }

export interface Judged {
  passage: Passage
  /** 0..1: how sure the bot is that this passage answers the question. */
  score: number
  coverage: number
  missing: string[]
}

const passageTerms = new WeakMap<Passage, Term[]>()
const termsOfPassage = (p: Passage) => {
  let t = passageTerms.get(p)
  if (!t) passageTerms.set(p, (t = termsOf(`${p.title ?? ''}. ${p.heading_path.join('. ')}. ${p.content}`)))
  return t
}

/** 0..1: the share of passage `a`'s terms passage `b` holds (b restates a: a translation, a paraphrase). */
export const restates = (a: Passage, b: Passage) => coverage(termsOfPassage(a), termsOfPassage(b)).share

/** Each passage judged against the question, best first. */
export function answerability(
  question: Term[],
  passages: Passage[],
  cal: Calibration = CALIBRATION,
): Judged[] {
  return passages
    .map((p) => {
      const c = coverage(question, termsOfPassage(p))
      const blended = cal.coverageWeight * c.share + (1 - cal.coverageWeight) * p.confidence
      const score = c.missingEntities.length ? blended * cal.missingEntityFactor : blended
      return { passage: p, score: Number(score.toFixed(3)), coverage: c.share, missing: c.missingEntities }
    })
    .sort(byAnswerability)
}

/**
 * Best first: the answerability, then the finer evidence it rounds away (a one-word pivot query gives
 * every passage holding the word the same full confidence): term coverage, retrieval confidence, the
 * BM25 rank (a title naming the question's topic ranks higher), the fused score.
 */
export const byAnswerability = (a: Judged, b: Judged) =>
  b.score - a.score ||
  b.coverage - a.coverage ||
  b.passage.confidence - a.passage.confidence ||
  (b.passage.scores.text_rank ?? 0) - (a.passage.scores.text_rank ?? 0) ||
  b.passage.scores.fused - a.passage.scores.fused
