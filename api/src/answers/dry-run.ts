import { randomUUID } from 'node:crypto'
import { findHumanRequest } from '../escalation/human-request'
import { sentimentOf } from '../escalation/lexicon'
import { evaluateRules } from '../escalation/rules'
import { tenantRules } from '../escalation/service'
import { detectLanguage, type Lang } from '../text/language'
import { generateAnswer, type Answer, type AnswerDeps } from './pipeline'

export interface DryRun {
  answer: Answer
  /** The tenant's escalation rules (or the visitor's words asking for a person) would hand it over. */
  escalates: boolean
  /** The bot said it does not know (no passage answered) and offered a person. */
  declines: boolean
}

/**
 * The bot's answer to a question as a first message of a new conversation, stored nowhere: no session,
 * no message, no usage counted (answer tests, previews). Escalation rules are evaluated, not acted on.
 */
export async function dryRunAnswer(
  deps: AnswerDeps,
  o: { tenant_id: string; bot_id: string; question: string; model?: string; language?: Lang },
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
  })
  return {
    answer,
    escalates: fired !== null || human !== null,
    declines: answer.suggest_human && answer.sources.length === 0,
  }
}
