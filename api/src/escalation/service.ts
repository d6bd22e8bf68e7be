import type pg from 'pg'
import type { Llm } from '../answers/llm'
import { DEFAULT_PROMPTS } from '../answers/prompt'
import { confidentLanguage } from '../text/language'
import type { Queryable } from '../db/tx'
import type { Logger } from '../logger'
import { openingState } from './hours'
import { sentimentOf } from './lexicon'
import { findHumanRequest } from './human-request'
import { compileRules, type CompiledRules } from './rule-compile'
import type { Rule } from './rule-schema'
import { evaluateRules, type EvalInput, type FiredRule, type RuleTrace } from './rules'

export interface HandoffDeps {
  pool: pg.Pool
  llm: Llm | null
  log: Logger
}

/** Columns of a rule row as the rules engine reads it. */
export const RULE_COLUMNS = `id, rule_name as name, description, trigger_keywords, trigger_conditions, agent_assignment_logic,
  priority_level, is_active, created_at, updated_at`

export function toRule(row: any): Rule {
  return {
    id: row.id,
    name: row.name,
    description: row.description ?? undefined,
    trigger_keywords: row.trigger_keywords ?? [],
    trigger_conditions: row.trigger_conditions ?? {},
    agent_assignment_logic: row.agent_assignment_logic?.strategy
      ? row.agent_assignment_logic
      : { strategy: 'least_busy' },
    priority_level: row.priority_level,
    is_active: row.is_active,
    created_at: row.created_at,
  } as Rule
}

/** Compiled rules per tenant, rebuilt when a rule changes (the version is read per message: one cheap query). */
const compiled = new Map<string, { version: string; rules: CompiledRules; needsTriage: boolean }>()

/** The version of a tenant's rules, as SQL (how many, the latest change): a rule edited moves it. */
const rulesVersionSql = (tenantParam: string) =>
  `(select count(*)::int || ':' || coalesce(max(updated_at)::text, '') from escalation_rules where tenant_id = ${tenantParam})`

/** The tenant's compiled rules; `known` is their version when the caller read it (rulesVersionSql). */
export async function tenantRules(db: Queryable, tenantId: string, known?: string) {
  const version =
    known ?? ((await db.query(`select ${rulesVersionSql('$1')} as v`, [tenantId])).rows[0].v as string)
  const cached = compiled.get(tenantId)
  if (cached && cached.version === version) return cached
  const { rows } = await db.query(`select ${RULE_COLUMNS} from escalation_rules where tenant_id = $1`, [
    tenantId,
  ])
  const rules = rows.map(toRule)
  const entry = {
    version,
    rules: compileRules(rules),
    needsTriage: /"type":"(sentiment|intent)"/.test(JSON.stringify(rules.filter((r) => r.is_active))),
  }
  compiled.set(tenantId, entry)
  return entry
}

export interface Triage {
  sentiment: string
  intent?: string
  language?: string
  source: 'llm' | 'lexicon'
}

/**
 * Classifies a visitor message. With a model (and a rule that needs intent or sentiment) the bot's
 * active triagem prompt does it; otherwise the multilingual lexicon gives sentiment only and intent
 * stays unknown, so rules that need it do not fire (their trace says so).
 */
export async function triage(
  d: HandoffDeps,
  botId: string,
  message: string,
  useModel: boolean,
): Promise<Triage> {
  const lexicon = lexiconTriage(message)
  if (!d.llm || !useModel) return lexicon
  try {
    const prompt = await d.pool.query(
      `select b.model, (select content from prompt_versions p where p.bot_id = b.id and p.prompt_type = 'triagem' and p.is_active) as content
         from bots b where b.id = $1`,
      [botId],
    )
    const res = await d.llm.complete({
      model: prompt.rows[0]?.model ?? d.llm.defaultModel,
      temperature: 0,
      max_tokens: 80,
      messages: [
        { role: 'system', content: prompt.rows[0]?.content ?? DEFAULT_PROMPTS.triagem },
        { role: 'user', content: message.slice(0, 4000) },
      ],
    })
    const json = JSON.parse(res.content.slice(res.content.indexOf('{'), res.content.lastIndexOf('}') + 1))
    const sentiment = ['negative', 'neutral', 'positive'].includes(json.sentiment)
      ? json.sentiment
      : lexicon.sentiment
    const intent =
      typeof json.intent === 'string' && /^[a-z0-9_]{1,60}$/.test(json.intent) ? json.intent : undefined
    // The model's guess counts only on text long enough for the detector to be sure of a language too.
    const language =
      lexicon.language && typeof json.language === 'string' && /^[a-z]{2}$/.test(json.language)
        ? json.language
        : lexicon.language
    return { sentiment, intent, language, source: 'llm' }
  } catch (err) {
    d.log.warn('triage by model failed; lexicon used', { err: String(err) })
    return lexicon
  }
}

/** The multilingual lexicon's triage: sentiment, and the language when the detection is sure. */
export function lexiconTriage(message: string): Triage {
  return {
    sentiment: sentimentOf(message).sentiment,
    // Only a sure detection: "ok" or a product name must not switch the session's language.
    language: confidentLanguage(message) ?? undefined,
    source: 'lexicon',
  }
}

/** What a triage keeps in the session's ai_context. */
export const triageContext = (t: Triage) => ({
  sentiment: t.sentiment,
  ...(t.intent ? { intent: t.intent } : {}),
  ...(t.language ? { language: t.language } : {}),
  triage_source: t.source,
})

/** What of a triage the rules look at. */
const ruleTriage = (t: Triage): EvalInput['triage'] => ({
  sentiment: t.sentiment,
  intent: t.intent,
  language: t.language,
})

/** Everything a rule can look at for this message, read from the session, with the version of the tenant's rules. */
async function evalInput(
  db: Queryable,
  session: { id: string; tenant_id: string; bot_id: string },
  message: string,
  t: Triage,
  humanRequested: boolean,
): Promise<{ input: EvalInput; rulesVersion: string }> {
  const s = await db.query(
    `select s.customer_context, ${rulesVersionSql('$2')} as rules_version,
            (select count(*)::int from chatbot_conversations m where m.session_id = s.id and m.message_type = 'user') as visitor_messages,
            (select coalesce(array_agg(c order by seq), '{}') from (
               select (m.ai_metadata->>'confidence')::real as c, m.seq from chatbot_conversations m
                where m.session_id = s.id and m.message_type = 'ai' order by m.seq desc limit 10) x) as confidences,
            coalesce(w.business_hours, t.settings->'business_hours') as hours
       from chatbot_sessions s
       join tenants t on t.id = s.tenant_id
       left join widget_configs w on w.bot_id = s.bot_id
      where s.id = $1`,
    [session.id, session.tenant_id],
  )
  const row = s.rows[0]
  const ctx = (row?.customer_context ?? {}) as Record<string, unknown>
  const input: EvalInput = {
    message,
    human_requested: humanRequested,
    visitor_message_count: row?.visitor_messages ?? 1,
    recent_confidences: (row?.confidences ?? []).filter((c: unknown) => typeof c === 'number'),
    triage: ruleTriage(t),
    business_hours_open: row?.hours ? openingState(row.hours).open : null,
    page_url: typeof ctx.page_url === 'string' ? ctx.page_url : typeof ctx.url === 'string' ? ctx.url : null,
    attributes: { ...((ctx.attributes as object) ?? {}), ...ctx },
  }
  return { input, rulesVersion: row?.rules_version ?? '' }
}

/**
 * What the rules decided about one visitor message: a rule fired, or the visitor asked for a person
 * in words (the built-in rule every tenant has, after the tenant's own). `trace` holds the tenant's
 * rules tried; `language` is the triage's.
 */
export type HandoffDecision =
  | { by: 'rule'; fired: FiredRule; trace: RuleTrace[]; language?: string }
  | { by: 'words'; words: string; trace: RuleTrace[]; language?: string }

/**
 * After a visitor message is stored with the lexicon's triage (`lexicon`, kept in the session's
 * ai_context by the message's own write: conversations/receive.ts): the tenant's rules (highest
 * priority first), then words asking for a person. Returns null when the bot should answer;
 * conversations/status.ts turns a decision into the escalation.
 */
export async function checkHandoff(
  d: HandoffDeps,
  session: { id: string; tenant_id: string; bot_id: string },
  message: { content: string },
  lexicon: Triage,
): Promise<HandoffDecision | null> {
  // One statement in the usual case: what the rules look at and their version. A model triages (and
  // its triage is kept over the lexicon's) only when a rule needs intent or sentiment from it.
  const humanWords = findHumanRequest(message.content)
  const read = await evalInput(d.pool, session, message.content, lexicon, humanWords !== null)
  const rules = await tenantRules(d.pool, session.tenant_id, read.rulesVersion)
  let t = lexicon
  let input = read.input
  if (d.llm && rules.needsTriage) {
    t = await triage(d, session.bot_id, message.content, true)
    if (t.source === 'llm') {
      await d.pool.query(`update chatbot_sessions set ai_context = ai_context || $2::jsonb where id = $1`, [
        session.id,
        JSON.stringify(triageContext(t)),
      ])
      input = { ...input, triage: ruleTriage(t) }
    }
  }
  const result = evaluateRules(rules.rules, input)
  if (result.fired) return { by: 'rule', fired: result.fired, trace: result.trace, language: t.language }
  if (humanWords) return { by: 'words', words: humanWords, trace: result.trace, language: t.language }
  return null
}
