/**
 * The answer a bot would give to one question, with nothing stored: no session, no message, no usage
 * count (a model call still counts against the tenant's token budget: its tokens are spent). The
 * owner's playground and answer tests use it to see what a threshold does before saving it.
 */
import type { Source } from '../conversations/messages'
import { answerThreshold, generateAnswer, type AnswerDeps } from './pipeline'

/** The nil uuid: a session that does not exist has no history. */
const NO_SESSION = '00000000-0000-0000-0000-000000000000'

export interface DryRunPassage {
  chunk_id: string
  source: { id: string; kind: string; title: string | null; url: string | null }
  language: string
  snippet: string
  /** 0..1 answerability: the bot answers from passages at or above the threshold. */
  score: number
  coverage: number
  retrieval: number
  /** The question's specific words (countries, numbers, names) the passage does not hold. */
  missing: number
  /** True when the answer cites this passage. */
  cited: boolean
}

export interface DryRun {
  answer: string
  declined: boolean
  /** The best passage's answerability (what the threshold is compared with). */
  confidence: number
  threshold: number
  language: string
  model: string
  sources: Source[]
  passages: DryRunPassage[]
}

/**
 * Answers `question` as the bot would in a new conversation, at `minConfidence` when given (else the
 * bot's own threshold), and says which passages it weighed. The bot must belong to `tenantId` (the
 * caller checks membership).
 */
export async function dryRunAnswer(
  deps: AnswerDeps,
  o: { tenantId: string; botId: string; question: string; minConfidence?: number },
): Promise<DryRun> {
  const d: AnswerDeps = { ...deps, dryRun: true }
  const answer = await generateAnswer(d, {
    session: { id: NO_SESSION, tenant_id: o.tenantId, bot_id: o.botId },
    message: { id: NO_SESSION, seq: 1, content: o.question },
    fallbackLanguage: 'en',
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
    declined: answer.model === 'none' && answer.suggest_human,
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
