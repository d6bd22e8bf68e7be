import type pg from 'pg'
import type { Config } from '../config'
import type { Logger } from '../logger'
import type { Embedder } from '../knowledge/embedder'
import { retrieve, type Passage } from '../knowledge/search'
import { stageEnd, stageStart } from '../conversations/stages'
import type { VectorStore } from '../knowledge/vector-store'
import type { TokenBudget } from './token-budget'
import type { Source } from '../conversations/messages'
import { fold, words } from '../text/fold'
import { detectLanguage, type Lang } from '../text/language'
import { LlmError, type ChatMessage, type Llm, type LlmFault } from './llm'
import {
  citedNumbers,
  DEFAULT_PROMPTS,
  historyWithin,
  sanitizeModelText,
  streamSanitizer,
  systemPrompt,
} from './prompt'

export interface Answer {
  content: string
  sources: Source[]
  confidence: number
  language: Lang
  /** True when the knowledge did not cover the question (or the model failed) and a human is offered. */
  suggest_human: boolean
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
}

export interface AnswerDeps {
  pool: pg.Pool
  config: Config
  llm: Llm | null
  embedder: Embedder
  store: VectorStore
  log: Logger
  /** The tenant's daily LLM token budget; when spent, answers are extractive until midnight UTC. */
  tokenBudget?: TokenBudget
}

export interface AnswerInput {
  session: { id: string; tenant_id: string; bot_id: string }
  message: { id: string; seq: number; content: string }
  fallbackLanguage: Lang
  /** Each piece of answer text as it is produced. */
  onDelta?: (text: string) => void | Promise<void>
  /** Aborted when the visitor disconnects: the model call stops and what streamed is kept. */
  signal?: AbortSignal
}

const NO_ANSWER: Record<Lang, string> = {
  fr: "Je n'ai pas trouvé de réponse fiable à cette question dans notre base de connaissances. Voulez-vous parler à un membre de l'équipe ?",
  en: "I couldn't find a reliable answer to that in our knowledge base. Would you like to talk to a member of the team?",
  es: 'No he encontrado una respuesta fiable a esa pregunta en nuestra base de conocimientos. ¿Quiere hablar con una persona del equipo?',
  pt: 'Não encontrei uma resposta confiável para essa pergunta na nossa base de conhecimento. Quer falar com alguém da equipe?',
}

const OFFER_HUMAN: Record<Lang, string> = {
  fr: "Notre assistant a eu un problème pour terminer sa réponse. Un membre de l'équipe peut prendre le relais si vous le souhaitez.",
  en: 'Our assistant had trouble finishing this answer. A member of the team can take over if you like.',
  es: 'Nuestro asistente tuvo un problema al terminar la respuesta. Una persona del equipo puede ayudarle si lo desea.',
  pt: 'O nosso assistente teve um problema ao terminar a resposta. Alguém da equipe pode ajudar, se quiser.',
}

const FROM_KNOWLEDGE: Record<Lang, string> = {
  fr: 'Voici ce que dit notre base de connaissances :',
  en: 'Here is what our knowledge base says:',
  es: 'Esto es lo que dice nuestra base de conocimientos:',
  pt: 'Eis o que diz a nossa base de conhecimento:',
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
  const language = detectLanguage(question, input.fallbackLanguage)
  const bot = await loadBot(d.pool, input.session.bot_id)
  const history = await loadHistory(d.pool, input.session.id, input.message.seq)
  const tokens = { prompt: 0, completion: 0 }
  const promptVersions: Record<string, number> = {}
  const emit = async (text: string) => {
    if (input.onDelta) for (const piece of pieces(text)) await input.onDelta(piece)
  }

  // Standalone query: "and to Spain?" means nothing to a search engine without the turn before it.
  let query = question
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
  } else if (earlierVisitor.length && question.split(/\s+/).length <= 4) {
    // Without a model, a very short follow-up borrows the previous question's words.
    query = `${earlierVisitor.at(-1)!.content} ${question}`
  }

  const searching = stageStart()
  const passages = await retrieve(
    { pool: d.pool, store: d.store, embedder: d.embedder },
    {
      tenant_id: input.session.tenant_id,
      bot_id: input.session.bot_id,
      query,
      k: d.config.RETRIEVAL_K,
    },
  )
  stageEnd('retrieval', searching)
  const best = Math.max(0, ...passages.map((p) => p.confidence))
  const base = { language, tokens, query, prompt_versions: promptVersions }

  if (best < d.config.RETRIEVAL_MIN_CONFIDENCE) {
    const content = NO_ANSWER[language]
    await emit(content)
    return {
      ...base,
      content,
      sources: [],
      confidence: best,
      suggest_human: true,
      model: 'none',
      status: 'complete',
      fault: null,
      chunk_ids: [],
    }
  }

  if (!d.llm) {
    const answer = extractive(passages, question, language, null, base)
    await emit(answer.content)
    await countUsage(d.pool, answer.chunk_ids)
    return answer
  }

  const principal = bot.prompts.principal
  if (principal) promptVersions.principal = principal.version
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content: systemPrompt({
        persona: bot.persona,
        botName: bot.name,
        principal: principal?.content ?? DEFAULT_PROMPTS.principal,
        passages,
        language,
      }),
    },
    ...historyWithin(history, d.config.LLM_HISTORY_TOKENS),
    { role: 'user', content: question },
  ]
  const model = bot.model ?? d.llm.defaultModel
  let streamed = ''
  // What reaches the visitor is sanitised as it streams (no image or tag, even half-written).
  const out = streamSanitizer((text) => void input.onDelta?.(text))
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
      return finishModelAnswer(
        d,
        passages,
        res.content,
        model,
        base,
        res.finish_reason === 'length' ? 'partial' : 'complete',
        null,
      )
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
        const tail = fault === 'aborted' ? '' : `\n\n${OFFER_HUMAN[language]}`
        if (tail) await input.onDelta?.(tail)
        const answer = await finishModelAnswer(d, passages, streamed, model, base, 'partial', fault)
        return {
          ...answer,
          content: sanitizeModelText(streamed) + tail,
          suggest_human: answer.suggest_human || fault !== 'aborted',
        }
      }
      const answer = extractive(passages, question, language, fault, base)
      await emit(answer.content)
      await countUsage(d.pool, answer.chunk_ids)
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
): Promise<Answer> {
  const content = sanitizeModelText(raw)
  const cited = citedNumbers(content, passages.length).map((n) => passages[n - 1]!)
  await countUsage(
    d.pool,
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
    model,
    status,
    fault,
    chunk_ids: cited.map((p) => p.chunk_id),
  }
}

/** The best passage, quoted (the sentences that match the question when it is long) and cited. */
function extractive(
  passages: Passage[],
  question: string,
  language: Lang,
  fault: LlmFault | null,
  base: Pick<Answer, 'language' | 'tokens' | 'query' | 'prompt_versions'>,
): Answer {
  // The most confident passage; one in the visitor's language nearly as good reads better than a quote they cannot read.
  const top = passages.reduce((a, b) => (b.confidence > a.confidence ? b : a))
  const best = passages.find((p) => p.language === language && p.confidence >= top.confidence - 0.1) ?? top
  // Passages come from uploaded and crawled text: quoted, they get the same cleaning as model output.
  const quote = sanitizeModelText(
    best.content.length <= 600 ? best.content : bestSentences(best.content, question, 3),
  )
  const lead = best.source_kind === 'faq' ? '' : `${FROM_KNOWLEDGE[language]}\n\n`
  const tail = fault ? `\n\n${OFFER_HUMAN[language]}` : ''
  return {
    ...base,
    content: `${lead}${quote} [1]${tail}`,
    sources: [toSource(best)],
    confidence: best.confidence,
    suggest_human: fault !== null,
    model: 'extractive',
    status: 'complete',
    fault,
    chunk_ids: [best.chunk_id],
  }
}

const stems = (s: string) => new Set(words(fold(s)).flatMap((w) => (w.length > 2 ? [w.slice(0, 6)] : [])))

/** The n sentences sharing the most (prefix-stemmed) words with the question, in their original order. */
function bestSentences(text: string, question: string, n: number): string {
  const q = stems(question)
  const sentences = text.match(/[^.!?\n]+[.!?]*\s*/g) ?? [text]
  const scored = sentences.map((s, i) => ({
    s: s.trim(),
    i,
    score: [...stems(s)].filter((w) => q.has(w)).length,
  }))
  const chosen = scored
    .filter((x) => x.s)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, n)
    .sort((a, b) => a.i - b.i)
  const out = chosen.map((x) => x.s).join(' ')
  return out.length > 700 ? out.slice(0, 697) + '...' : out
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

async function countUsage(pool: pg.Pool, ids: string[]) {
  if (ids.length)
    await pool.query('update knowledge_chunks set usage_count = usage_count + 1 where id = any($1::uuid[])', [
      ids,
    ])
}

interface BotRow {
  name: string
  persona: string
  model: string | null
  temperature: number
  max_tokens: number
  prompts: Partial<Record<'principal' | 'think' | 'triagem', { content: string; version: number }>>
}

async function loadBot(pool: pg.Pool, botId: string): Promise<BotRow> {
  const { rows } = await pool.query(
    `select b.name, b.persona, b.model, b.temperature, b.max_tokens,
            coalesce((select jsonb_object_agg(p.prompt_type, jsonb_build_object('content', p.content, 'version', p.version))
                        from prompt_versions p where p.bot_id = b.id and p.is_active), '{}'::jsonb) as prompts
       from bots b where b.id = $1`,
    [botId],
  )
  if (!rows[0]) throw new Error(`bot ${botId} not found`)
  return rows[0]
}

async function loadHistory(pool: pg.Pool, sessionId: string, beforeSeq: number) {
  const { rows } = await pool.query(
    `select message_type, content from chatbot_conversations
      where session_id = $1 and seq < $2 and not private and message_type in ('user', 'ai', 'agent')
      order by seq desc limit 40`,
    [sessionId, beforeSeq],
  )
  return (rows as { message_type: string; content: string }[]).reverse()
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
