import type pg from 'pg'
import type { Config } from '../config'
import type { Logger } from '../logger'
import type { Embedder } from '../knowledge/embedder'
import { retrieve, type Passage } from '../knowledge/search'
import { stageEnd, stageStart } from '../conversations/stages'
import type { VectorStore } from '../knowledge/vector-store'
import type { TokenBudget } from './token-budget'
import type { Source } from '../conversations/messages'
import { conversationLanguage, isLang, type Lang } from '../text/language'
import { systemText } from '../conversations/texts'
import { followUpQuery, replyOf, smallTalkOf, withoutGreeting } from './conversation'
import {
  answerability,
  byAnswerability,
  CALIBRATION,
  restates,
  type Calibration,
  type Judged,
} from './answerability'
import { asksForFigure, expandedQuery, pivotQuery, termsOf, type Term } from './terms'
import { LlmError, type ChatMessage, type Llm, type LlmFault } from './llm'
import {
  citedNumbers,
  DEFAULT_PROMPTS,
  historyWithin,
  sanitizeModelText,
  streamSanitizer,
  systemPrompt,
} from './prompt'
import { describePersona, type Persona } from './persona'
import { domainsOf, linkSourcesSql } from './links'
import {
  appliedVersionSql,
  countImprovementUse,
  matchImprovement,
  type ImprovementMatch,
} from '../feedback/match'
import { usageCounter } from './usage'

export interface Answer {
  content: string
  sources: Source[]
  confidence: number
  language: Lang
  /** True when the knowledge did not cover the question (or the model failed) and a human is offered. */
  suggest_human: boolean
  /** True when the answer asks the visitor whether they want a person: their next "yes" escalates. */
  offered_human: boolean
  /** 'extractive' when no model wrote it. */
  model: string
  /** 'partial' when the stream stopped early (visitor left, provider dropped). */
  status: 'complete' | 'partial'
  tokens: { prompt: number; completion: number }
  /** Why the model's answer was replaced or cut, when it was. */
  fault: LlmFault | null
  /** The search query retrieval ran (the standalone rewrite when there was one). */
  query: string
  chunk_ids: string[]
  prompt_versions: Record<string, number>
  /** The answerability signals of the best passages (for the evaluation; not stored). */
  signals?: { chunk_id: string; score: number; coverage: number; retrieval: number; missing: number }[]
}

const EMPTY = {
  sources: [],
  suggest_human: false,
  offered_human: false,
  status: 'complete',
  fault: null,
  chunk_ids: [],
} satisfies Partial<Answer>

export interface AnswerDeps {
  pool: pg.Pool
  config: Config
  llm: Llm | null
  embedder: Embedder
  store: VectorStore
  log: Logger
  /** The tenant's daily LLM token budget; when spent, answers are extractive until midnight UTC. */
  tokenBudget?: TokenBudget
  /** Answerability weights and threshold (bench/answers-eval.ts tries others); CALIBRATION by default. */
  calibration?: Calibration
}

export interface AnswerInput {
  session: { id: string; tenant_id: string; bot_id: string }
  message: { id: string; seq: number; content: string }
  fallbackLanguage: Lang
  /** Each piece of answer text as it is produced. */
  onDelta?: (text: string) => void | Promise<void>
  /** Aborted when the visitor disconnects: the model call stops and what streamed is kept. */
  signal?: AbortSignal
  /** A dry run (answer tests, previews): nothing is counted (passage usage, improvement use). */
  dryRun?: boolean
  /** Answer with this model instead of the bot's (answer tests against a model version). */
  model?: string
  /** The language the session already holds (a platform's locale, an earlier turn); kept unless this message is surely in another. */
  sessionLanguage?: Lang | null
  /** The answer threshold to use instead of the bot's (a dry run trying one, answers/dry-run.ts). */
  minConfidence?: number
}

/**
 * The bot's answer to one visitor message: standalone query -> hybrid retrieval -> below the
 * confidence threshold an honest "I don't know" (no model call) -> with a model, a streamed answer
 * from fenced, numbered passages; without one (or when the model fails), the best passage quoted and
 * cited. Never throws for model faults: the visitor always gets an answer or an offer of a human.
 */
export async function generateAnswer(deps: AnswerDeps, input: AnswerInput): Promise<Answer> {
  const budget = deps.llm && deps.tokenBudget ? await deps.tokenBudget.check(input.session.tenant_id) : null
  const overBudget = budget !== null && !budget.allowed
  const d = overBudget ? { ...deps, llm: null } : deps
  const answer = await answerWith(d, input)
  if (overBudget) return { ...answer, fault: answer.fault ?? 'budget' }
  const spent = answer.tokens.prompt + answer.tokens.completion
  if (spent && deps.tokenBudget) await deps.tokenBudget.spend(input.session.tenant_id, spent).catch(() => {})
  return answer
}

async function answerWith(d: AnswerDeps, input: AnswerInput): Promise<Answer> {
  const question = input.message.content
  // Links in the answer may go to the tenant's own domains only (quoted passages and model text alike).
  const { bot, history, domains, improvements } = await loadTurn(d.pool, input.session, input.message.seq)
  if (input.minConfidence !== undefined) bot.min_confidence = input.minConfidence
  // A conversation keeps its language unless this message is surely in another one.
  const language = conversationLanguage(
    question,
    input.sessionLanguage ?? (history.some((h) => h.message_type === 'user') ? input.fallbackLanguage : null),
  )
  const tokens = { prompt: 0, completion: 0 }
  const promptVersions: Record<string, number> = {}
  const emit = async (text: string) => {
    if (input.onDelta) for (const piece of pieces(text)) await input.onDelta(piece)
  }
  const lastAi = history.findLast((h) => h.message_type === 'ai')

  // Small talk and "no" to the bot's offer of a person are answered in kind, without retrieval.
  const talk = smallTalkOf(question)
  const declinedOffer = lastAi?.ai_metadata?.offered_human === true && replyOf(question) === 'no'
  if (talk || declinedOffer) {
    const content = systemText.smallTalk(language, talk ?? 'declined')
    await emit(content)
    return {
      ...EMPTY,
      language,
      tokens,
      query: '',
      prompt_versions: promptVersions,
      content,
      confidence: 1,
      model: 'none',
    }
  }

  // Standalone query: "and to Spain?" means nothing to a search engine without the turn before it.
  let query = withoutGreeting(question)
  const earlierVisitor = history.filter((h) => h.message_type === 'user')
  if (earlierVisitor.length && d.llm) {
    const think = bot.prompts.think
    if (think) promptVersions.think = think.version
    try {
      const res = await d.llm.complete({
        model: bot.model ?? d.llm.defaultModel,
        temperature: 0,
        max_tokens: 80,
        signal: input.signal,
        messages: [
          { role: 'system', content: think?.content ?? DEFAULT_PROMPTS.think },
          ...historyWithin(history, 600),
          { role: 'user', content: question },
        ],
      })
      tokens.prompt += res.usage.prompt
      tokens.completion += res.usage.completion
      const rewritten = res.content.trim().replace(/^["']|["']$/g, '')
      if (rewritten && rewritten.length <= 500) query = rewritten
    } catch (err) {
      d.log.warn('query rewrite failed; searching the raw message', { err: String(err) })
    }
  } else if (earlierVisitor.length) {
    // Without a model, a follow-up with no topic of its own takes the previous question's topic.
    const previous =
      (typeof lastAi?.ai_metadata?.query === 'string' && lastAi.ai_metadata.query) ||
      earlierVisitor.at(-1)!.content
    query = followUpQuery(query, previous) ?? query
  }

  const terms = termsOf(query)
  // An applied improvement of the same question answers before any passage (feedback/match.ts).
  const improved = await matchImprovement(d.pool, input.session, terms, improvements)
  if (improved) {
    if (!input.dryRun) await countImprovementUse(d.pool, improved.id)
    const lead =
      improved.language === language ? '' : `${systemText.quoteLead(language, improved.language)}\n\n`
    const content = `${lead}${improved.improved_response}`
    await emit(content)
    return {
      ...EMPTY,
      language,
      tokens,
      query,
      prompt_versions: promptVersions,
      content,
      sources: [improvementSource(improved)],
      confidence: Number(improved.score.toFixed(3)),
      model: 'improvement',
    }
  }
  const searching = stageStart()
  const judged = await retrieveJudged(d, input, query, terms, language, answerThreshold(d, bot))
  stageEnd('retrieval', searching)
  const top = judged[0]
  const best = top?.score ?? 0
  const threshold = answerThreshold(d, bot)
  const base = { language, tokens, query, prompt_versions: promptVersions }
  const signals = judged.slice(0, 5).map((j) => ({
    chunk_id: j.passage.chunk_id,
    score: j.score,
    coverage: Number(j.coverage.toFixed(3)),
    retrieval: j.passage.confidence,
    missing: j.missing.length,
  }))

  if (!top || best < threshold) {
    const content = systemText.noAnswer(language)
    await emit(content)
    return {
      ...base,
      content,
      sources: [],
      confidence: best,
      suggest_human: true,
      offered_human: true,
      model: 'none',
      status: 'complete',
      fault: null,
      chunk_ids: [],
      signals,
    }
  }
  // What the model reads and what is quoted: the passages that answer, best first. When they are all in
  // another language, the passage in the visitor's own language that says what the best one says (its
  // translation: an FAQ asked in two languages) is read first.
  // Those in the visitor's language go first (the extractive answer quotes the first of them too).
  const passages = judged
    .filter((j) => j.score >= threshold)
    .map((j) => j.passage)
    .sort((a, b) => Number(b.language === language) - Number(a.language === language))
  if (!passages.some((p) => p.language === language)) {
    const own = translationOf(top, judged, language)
    if (own) passages.unshift(own.passage)
  }

  if (!d.llm) {
    const answer = extractive(passages, query, language, null, base, domains)
    await emit(answer.content)
    if (!input.dryRun) countUsage(d, answer.chunk_ids)
    return { ...answer, confidence: best, signals }
  }

  const principal = bot.prompts.principal
  if (principal) promptVersions.principal = principal.version
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content: systemPrompt({
        ...describePersona(bot),
        principal: principal?.content ?? DEFAULT_PROMPTS.principal,
        passages,
        language,
      }),
    },
    ...historyWithin(history, d.config.LLM_HISTORY_TOKENS),
    { role: 'user', content: question },
  ]
  const model = input.model ?? bot.model ?? d.llm.defaultModel
  let streamed = ''
  // What reaches the visitor is sanitised as it streams (no image or tag, even half-written).
  const out = streamSanitizer((text) => void input.onDelta?.(text), domains)
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await d.llm.stream(
        { model, messages, temperature: bot.temperature, max_tokens: bot.max_tokens, signal: input.signal },
        (piece) => {
          streamed += piece
          out.push(piece)
        },
        d.config.LLM_FIRST_TOKEN_TIMEOUT_MS,
      )
      out.end()
      tokens.prompt += res.usage.prompt
      tokens.completion += res.usage.completion
      const answer = await finishModelAnswer(
        d,
        passages,
        res.content,
        model,
        base,
        res.finish_reason === 'length' ? 'partial' : 'complete',
        null,
        domains,
        input.dryRun,
      )
      return { ...answer, confidence: best, signals }
    } catch (err) {
      const fault: LlmFault = err instanceof LlmError ? err.fault : 'network'
      d.log.warn('model call failed', { fault, attempt, streamed: streamed.length, err: String(err) })
      // One retry, with jitter, only while nothing has reached the visitor and never on quota.
      const retryable =
        !streamed && attempt === 1 && fault !== 'quota' && fault !== 'aborted' && fault !== 'bad_request'
      if (retryable) {
        await new Promise((r) => setTimeout(r, 150 + Math.random() * 350))
        continue
      }
      if (streamed) {
        out.end()
        // Text already shown cannot be taken back: keep it, mark it partial, offer a person.
        const tail = fault === 'aborted' ? '' : `\n\n${systemText.modelFailed(language)}`
        if (tail) await input.onDelta?.(tail)
        const answer = await finishModelAnswer(
          d,
          passages,
          streamed,
          model,
          base,
          'partial',
          fault,
          domains,
          input.dryRun,
        )
        return {
          ...answer,
          content: sanitizeModelText(streamed, domains) + tail,
          suggest_human: answer.suggest_human || fault !== 'aborted',
          offered_human: answer.offered_human || fault !== 'aborted',
        }
      }
      const answer = extractive(passages, query, language, fault, base, domains)
      await emit(answer.content)
      if (!input.dryRun) countUsage(d, answer.chunk_ids)
      return answer
    }
  }
}

async function finishModelAnswer(
  d: AnswerDeps,
  passages: Passage[],
  raw: string,
  model: string,
  base: Pick<Answer, 'language' | 'tokens' | 'query' | 'prompt_versions'>,
  status: Answer['status'],
  fault: LlmFault | null,
  domains: readonly string[],
  dryRun = false,
): Promise<Answer> {
  const content = sanitizeModelText(raw, domains)
  const cited = citedNumbers(content, passages.length).map((n) => passages[n - 1]!)
  if (!dryRun)
    countUsage(
      d,
      cited.map((p) => p.chunk_id),
    )
  // An answer that cites nothing is not grounded in the knowledge base: offer a person.
  return {
    ...base,
    content,
    sources: cited.map(toSource),
    confidence: cited.length
      ? Math.max(...cited.map((p) => p.confidence))
      : Math.max(0, ...passages.map((p) => p.confidence)),
    suggest_human: cited.length === 0,
    offered_human: cited.length === 0,
    model,
    status,
    fault,
    chunk_ids: cited.map((p) => p.chunk_id),
  }
}

/**
 * The best passage quoted and cited: a short one whole, a long one by the sentences that answer (the
 * one with the figure first when the question asks how much or how long), led in the visitor's
 * language, saying so when the passage is in another one.
 */
function extractive(
  passages: Passage[],
  query: string,
  language: Lang,
  fault: LlmFault | null,
  base: Pick<Answer, 'language' | 'tokens' | 'query' | 'prompt_versions'>,
  domains: readonly string[],
): Answer {
  // Passages come best first; one in the visitor's language (or else English) reads better than a
  // quote they cannot read, when it is one of those that answer.
  const best =
    passages.find((p) => p.language === language) ?? passages.find((p) => p.language === 'en') ?? passages[0]!
  const terms = termsOf(query)
  // Passages come from uploaded and crawled text: quoted, they get the same cleaning as model output.
  const quote = sanitizeModelText(
    best.content.length <= 400 && !asksForFigure(query, terms)
      ? best.content
      : bestSentences(best.content, terms, asksForFigure(query, terms)),
    domains,
  )
  const lead =
    best.source_kind === 'faq' && best.language === language
      ? ''
      : `${systemText.quoteLead(language, best.language)}\n\n`
  const tail = fault ? `\n\n${systemText.modelFailed(language)}` : ''
  return {
    ...base,
    content: `${lead}${quote} [1]${tail}`,
    sources: [toSource(best)],
    confidence: best.confidence,
    suggest_human: fault !== null,
    offered_human: false,
    model: 'extractive',
    status: 'complete',
    fault,
    chunk_ids: [best.chunk_id],
  }
}

const FIGURE = /\d|€|\$|£/

/**
 * The sentences of a passage that answer: those holding the most of the question's terms (up to
 * three, within 500 characters), in their order; when the question asks for a figure, the best
 * sentence holding one goes first.
 */
function bestSentences(text: string, terms: Term[], figureFirst: boolean): string {
  const sentences = text
    .split(/(?<=[.!?])\s+(?=\P{Ll})|\n+/u)
    .map((x) => x.trim())
    .filter(Boolean)
  if (sentences.length <= 1) return text.length > 700 ? text.slice(0, 697) + '...' : text
  const scored = sentences.map((s, i) => ({ s, i, score: coverageShare(terms, s) }))
  const ranked = [...scored].sort((a, b) => b.score - a.score || a.i - b.i)
  const top = ranked[0]!.score
  const chosen: typeof scored = []
  let length = 0
  for (const x of ranked) {
    if (chosen.length >= 3 || (chosen.length && x.score < Math.max(0.01, top * 0.5))) break
    if (chosen.length && length + x.s.length > 500) break
    chosen.push(x)
    length += x.s.length
  }
  chosen.sort((a, b) => a.i - b.i)
  if (figureFirst) {
    const f = chosen.findIndex((x) => FIGURE.test(x.s))
    if (f > 0) chosen.unshift(...chosen.splice(f, 1))
    else if (f < 0) {
      const withFigure = ranked.find((x) => FIGURE.test(x.s) && x.score > 0)
      if (withFigure) chosen.unshift(withFigure)
    }
  }
  const out = chosen.map((x) => x.s).join(' ')
  return out.length > 700 ? out.slice(0, 697) + '...' : out
}

const coverageShare = (terms: Term[], sentence: string) =>
  terms.length
    ? answerability(terms, [sentenceAsPassage(sentence)], { ...CALIBRATION, coverageWeight: 1 })[0]!.coverage
    : 0

const sentenceAsPassage = (content: string): Passage => ({
  chunk_id: '',
  source_id: '',
  source_kind: '',
  title: null,
  heading_path: [],
  content,
  url: null,
  page_number: null,
  language: '',
  scores: { text_rank: null, coverage: null, similarity: null, fused: 0 },
  confidence: 0,
})

/**
 * Retrieval judged for answerability. When nothing in the question's language answers and the
 * lexicon knows the question's concepts, the question is asked again in each language the knowledge
 * is written in ("Wie lange dauert die Lieferung?" finds "Délais de livraison").
 */
async function retrieveJudged(
  d: AnswerDeps,
  input: AnswerInput,
  query: string,
  terms: Term[],
  language: Lang,
  threshold: number,
): Promise<Judged[]> {
  const cal = d.calibration ?? CALIBRATION
  const r = { pool: d.pool, store: d.store, embedder: d.embedder }
  const o = { tenant_id: input.session.tenant_id, bot_id: input.session.bot_id, k: d.config.RETRIEVAL_K }
  // The question as written, and with the lexicon's words for its concepts in its own language added
  // ("the price of express delivery" finds "Express shipping costs €9.90"), in one round of searches.
  const expanded = expandedQuery(query, terms, language)
  const [asked, asExpanded] = await Promise.all([
    retrieve(r, { ...o, query, language }),
    expanded ? retrieve(r, { ...o, query: expanded, language }) : [],
  ])
  let judged = mergeJudged(answerability(terms, asked, cal), answerability(terms, asExpanded, cal))
  // A passage in the visitor's language that answers: no need to look further.
  if (judged.some((j) => j.score >= threshold && j.passage.language === language && j.coverage >= 0.5))
    return judged
  const langs = (await knowledgeLanguages(d.pool, input.session.tenant_id)).filter((l) => l !== language)
  for (const lang of langs) {
    const pivot = pivotQuery(terms, lang)
    if (!pivot) break
    judged = mergeJudged(
      judged,
      answerability(terms, await retrieve(r, { ...o, query: pivot, language: lang }), cal),
    )
  }
  return judged
}

/**
 * Two judged lists as one, each passage once with its better judgement (a passage the raw question
 * found only by its vector is found again, and judged on its text, by the pivot query), best first.
 */
function mergeJudged(a: Judged[], b: Judged[]): Judged[] {
  const best = new Map<string, Judged>()
  for (const j of [...a, ...b]) {
    const seen = best.get(j.passage.chunk_id)
    if (!seen || byAnswerability(j, seen) < 0) best.set(j.passage.chunk_id, j)
  }
  return [...best.values()].sort(byAnswerability)
}

/**
 * Among the judged passages in `language`, the one that restates `top` (holds the most of its terms,
 * at least RESTATES of them, and misses none of the question's specific words), or null. Whether it
 * answers the question as well is `top`'s to say: its own full-text match can be poor ("gratuite"
 * against "offerte") while the passage it translates matched well.
 */
function translationOf(top: Judged, judged: Judged[], language: Lang): Judged | null {
  let best: Judged | null = null
  let bestShare = RESTATES
  for (const j of judged) {
    if (j.passage.language !== language || j.missing.length) continue
    const share = restates(top.passage, j.passage)
    if (share >= bestShare) [best, bestShare] = [j, share]
  }
  return best
}

/**
 * How much of a passage another one must hold to count as its translation. Only the lexicon's concepts,
 * names and numbers cross languages: the demo shop's French and English FAQ pairs share 0.30 to 0.87
 * of their terms, and each pair more than either FAQ shares with any other.
 */
const RESTATES = 0.3

/**
 * The answerability a passage needs for the bot to answer: the bot's own min_confidence, else
 * RETRIEVAL_MIN_CONFIDENCE when the deployment sets it, else the calibrated default.
 */
export function answerThreshold(
  d: Pick<AnswerDeps, 'config' | 'calibration'>,
  bot: { min_confidence: number | null },
) {
  return (
    bot.min_confidence ??
    d.calibration?.threshold ??
    d.config.RETRIEVAL_MIN_CONFIDENCE ??
    CALIBRATION.threshold
  )
}

const languagesCache = new Map<string, { at: number; langs: Lang[] }>()

/** The languages a tenant's knowledge is written in, most passages first (cached a minute). */
async function knowledgeLanguages(pool: pg.Pool, tenantId: string): Promise<Lang[]> {
  const hit = languagesCache.get(tenantId)
  if (hit && Date.now() - hit.at < 60_000) return hit.langs
  const { rows } = await pool.query(
    `select language, count(*) n from knowledge_chunks where (tenant_id = $1 or tenant_id is null) and is_active
      group by language order by n desc limit 7`,
    [tenantId],
  )
  const langs = rows.map((r) => r.language).filter(isLang)
  languagesCache.set(tenantId, { at: Date.now(), langs })
  return langs
}

function improvementSource(m: ImprovementMatch): Source {
  const snippet = m.improved_response.replace(/\s+/g, ' ')
  return {
    id: m.id,
    kind: 'improvement',
    title: m.question.length > 120 ? m.question.slice(0, 117) + '...' : m.question,
    url: null,
    snippet: snippet.length > 200 ? snippet.slice(0, 197) + '...' : snippet,
  }
}

function toSource(p: Passage): Source {
  const heading = p.heading_path.length ? p.heading_path.at(-1) : null
  const title = [p.title ?? 'Source', heading && heading !== p.title ? heading : null]
    .filter(Boolean)
    .join(' — ')
  const snippet = p.content.replace(/\s+/g, ' ')
  return {
    id: p.source_id,
    chunk_id: p.chunk_id,
    title,
    url: p.url,
    page: p.page_number,
    snippet: snippet.length > 200 ? snippet.slice(0, 197) + '...' : snippet,
  }
}

/** Counts answers per chunk off the answer's path, many answers in one update (usage.ts). */
function countUsage(d: AnswerDeps, ids: string[]) {
  usageCounter(d.pool, d.log).add(ids)
}

interface BotRow extends Persona {
  name: string
  /** The bot's own answer threshold (bots.min_confidence), or null for the calibrated default. */
  min_confidence: number | null
  persona: string
  model: string | null
  temperature: number
  max_tokens: number
  prompts: Partial<Record<'principal' | 'think' | 'triagem', { content: string; version: number }>>
}

type HistoryRow = { message_type: string; content: string; ai_metadata: Record<string, unknown> | null }

/**
 * The bot (with its active prompts), the conversation before this message (oldest first), the
 * domains links may go to and the version of the bot's applied improvements: one round trip where
 * four queries were.
 */
async function loadTurn(
  pool: pg.Pool,
  session: { id: string; tenant_id: string; bot_id: string },
  beforeSeq: number,
): Promise<{ bot: BotRow; history: HistoryRow[]; domains: string[]; improvements: string }> {
  const { rows } = await pool.query(
    `select (select to_jsonb(x) from (
              select b.name, b.persona, b.persona_name, b.persona_objective, b.persona_personality, b.persona_style,
                     b.persona_target_audience, b.model, b.temperature, b.max_tokens, b.min_confidence,
                     coalesce((select jsonb_object_agg(p.prompt_type, jsonb_build_object('content', p.content, 'version', p.version))
                                 from prompt_versions p where p.bot_id = b.id and p.is_active), '{}'::jsonb) as prompts
                from bots b where b.id = $1) x) as bot,
            (select coalesce(jsonb_agg(h order by h.seq), '[]'::jsonb) from (
              select seq, message_type, content, ai_metadata from chatbot_conversations
               where session_id = $2 and seq < $3 and not private and message_type in ('user', 'ai', 'agent')
               order by seq desc limit 40) h) as history,
            ${linkSourcesSql('$4', '$1')} as links,
            ${appliedVersionSql('$1', '$4')} as improvements`,
    [session.bot_id, session.id, beforeSeq, session.tenant_id],
  )
  const bot = rows[0]?.bot as BotRow | null
  if (!bot) throw new Error(`bot ${session.bot_id} not found`)
  return {
    bot,
    history: rows[0].history as HistoryRow[],
    domains: domainsOf(rows[0].links),
    improvements: rows[0].improvements as string,
  }
}

/** Splits text into small pieces the way a model streams tokens (a few words each). */
function pieces(content: string): string[] {
  return (
    content.match(/\S+\s*/g)?.reduce<string[]>((acc, word, i) => {
      if (i % 3 === 0) acc.push(word)
      else acc[acc.length - 1] += word
      return acc
    }, []) ?? [content]
  )
}

/**
 * True when a visitor message says yes to the bot's offer of a person: the previous public reply (the
 * bot's or an agent's; its ai_metadata) offered one and the message is a yes in any of the seven
 * languages.
 */
export function acceptsHumanOffer(
  previous: Record<string, unknown> | null,
  message: { content: string },
): boolean {
  return previous?.offered_human === true && replyOf(message.content) === 'yes'
}
