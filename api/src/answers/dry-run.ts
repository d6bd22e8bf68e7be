/**
 * The answer a bot would give to one question, with nothing stored: no session, no message, no usage
 * count (a model call still counts against the tenant's token budget: its tokens are spent). Answer
 * tests judge it; the owner's playground shows it with the passages it weighed, at the bot's threshold
 * or one the owner is trying.
 */
import { randomUUID } from 'node:crypto'
import type { PlaygroundResult } from '../../../contract'
import { findHumanRequest } from '../escalation/human-request'
import { sentimentOf } from '../escalation/lexicon'
import { evaluateRules } from '../escalation/rules'
import { tenantRules } from '../escalation/service'
import { detectLanguage, type Lang } from '../text/language'
import { answerThreshold, generateAnswer, type Answer, type AnswerDeps } from './pipeline'

export interface DryRun {
  answer: Answer
  /** The tenant's escalation rules (or the visitor's words asking for a person) would hand it over. */
  escalates: boolean
  /** The bot said it does not know (no passage answered) and offered a person. */
  declines: boolean
}

/**
 * The bot's answer to a question as the first message of a new conversation, stored nowhere.
 * Escalation rules are evaluated, not acted on. `minConfidence` replaces the bot's threshold.
 */
export async function dryRunAnswer(
  deps: AnswerDeps,
  o: {
    tenant_id: string
    bot_id: string
    question: string
    model?: string
    language?: Lang
    minConfidence?: number
  },
): Promise<DryRun> {
  const rules = await tenantRules(deps.pool, o.tenant_id)
  const human = findHumanRequest(o.question)
  const fired = evaluateRules(rules.rules, {
    message: o.question,
    human_requested: human !== null,
    visitor_message_count: 1,
    recent_confidences: [],
    triage: { sentiment: sentimentOf(o.question).sentiment },
    business_hours_open: null,
    page_url: null,
    attributes: {},
  }).fired
  const answer = await generateAnswer(deps, {
    session: { id: randomUUID(), tenant_id: o.tenant_id, bot_id: o.bot_id },
    message: { id: randomUUID(), seq: 1, content: o.question },
    fallbackLanguage: o.language ?? detectLanguage(o.question, 'en'),
    dryRun: true,
    model: o.model,
    minConfidence: o.minConfidence,
  })
  return {
    answer,
    escalates: fired !== null || human !== null,
    declines: answer.suggest_human && answer.sources.length === 0,
  }
}

/**
 * The playground's view of a dry run: the answer, whether it declined, the threshold used and every
 * passage weighed with its scores. The bot must belong to `tenantId` (the caller checks membership).
 */
export async function playgroundAnswer(
  deps: AnswerDeps,
  o: { tenantId: string; botId: string; question: string; minConfidence?: number },
): Promise<PlaygroundResult> {
  const { answer, declines } = await dryRunAnswer(deps, {
    tenant_id: o.tenantId,
    bot_id: o.botId,
    question: o.question,
    minConfidence: o.minConfidence,
  })
  const { rows: bot } = await deps.pool.query(`select min_confidence from bots where id = $1`, [o.botId])
  const threshold =
    o.minConfidence ?? answerThreshold(deps, { min_confidence: bot[0]?.min_confidence ?? null })
  const signals = answer.signals ?? []
  const { rows } = await deps.pool.query(
    `select c.id, c.source_id, s.kind, coalesce(c.title, s.title) as title, coalesce(c.url, s.url) as url,
            c.language, left(c.content, 300) as snippet
       from knowledge_chunks c join knowledge_sources s on s.id = c.source_id
      where c.id = any($1::uuid[]) and (c.tenant_id = $2 or c.tenant_id is null)`,
    [signals.map((x) => x.chunk_id), o.tenantId],
  )
  const byId = new Map(rows.map((r) => [r.id as string, r]))
  const cited = new Set(answer.chunk_ids)
  return {
    answer: answer.content,
    declined: declines,
    confidence: answer.confidence,
    threshold,
    language: answer.language,
    model: answer.model,
    sources: answer.sources,
    passages: signals.flatMap((x) => {
      const r = byId.get(x.chunk_id)
      if (!r) return []
      return [
        {
          chunk_id: x.chunk_id,
          source: { id: r.source_id, kind: r.kind, title: r.title, url: r.url },
          language: r.language,
          snippet: (r.snippet as string).replace(/\s+/g, ' '),
          score: x.score,
          coverage: x.coverage,
          retrieval: x.retrieval,
          missing: x.missing,
          cited: cited.has(x.chunk_id),
        },
      ]
    }),
  }
}
