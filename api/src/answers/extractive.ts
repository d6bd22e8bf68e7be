import type { Queryable } from '../db/tx'
import type { Source } from '../sessions/messages'
import { detectLanguage, type Lang } from './language'

export interface Answer {
  content: string
  sources: Source[]
  confidence: number
  language: Lang
  /** True when the knowledge did not cover the question and a human is offered instead. */
  suggest_human: boolean
  model: string
}

/** A passage counts as an answer only when it shares this share of the question's words. */
export const MIN_COVERAGE = 0.25

const NO_ANSWER: Record<Lang, string> = {
  fr: "Je n'ai pas trouvé de réponse fiable à cette question dans notre base de connaissances. Voulez-vous parler à un membre de l'équipe ?",
  en: "I couldn't find a reliable answer to that in our knowledge base. Would you like to talk to a member of the team?",
  es: 'No he encontrado una respuesta fiable a esa pregunta en nuestra base de conocimientos. ¿Quiere hablar con una persona del equipo?',
  pt: 'Não encontrei uma resposta confiável para essa pergunta na nossa base de conhecimento. Quer falar com alguém da equipe?',
}

/**
 * Answers from the tenant's FAQs without a language model: the best full-text match, quoted as it is
 * and cited. An answer is only given when the passage covers enough of the question; otherwise the
 * bot says so plainly and offers a human, rather than guessing.
 */
export async function answerExtractive(db: Queryable, tenantId: string, question: string, fallback: Lang = 'en'): Promise<Answer> {
  const language = detectLanguage(question, fallback)
  const { rows } = await db.query(
    `select chunk_id, source_id, title, content, url, language, rank, coverage
       from search_chunks_fts($1, $2, 5, 'faq')`,
    [tenantId, question],
  )
  // Prefer passages in the visitor's language when they are as good as the best one.
  const scored = rows
    .map((r) => ({ ...r, score: r.coverage * 0.7 + r.rank * 0.3 + (r.language === language ? 0.05 : 0) }))
    .sort((a, b) => b.score - a.score)
  const best = scored[0]
  if (!best || best.coverage < MIN_COVERAGE) {
    return { content: NO_ANSWER[language], sources: [], confidence: best ? Math.min(best.score, 0.2) : 0, language, suggest_human: true, model: 'extractive' }
  }
  const source: Source = {
    id: best.source_id,
    title: best.title,
    url: best.url,
    snippet: best.content.length > 200 ? best.content.slice(0, 197) + '...' : best.content,
  }
  await db.query('update knowledge_chunks set usage_count = usage_count + 1 where id = $1', [best.chunk_id])
  return {
    content: `${best.content} [1]`,
    sources: [source],
    confidence: Math.min(1, Number(best.score.toFixed(3))),
    language,
    suggest_human: false,
    model: 'extractive',
  }
}
