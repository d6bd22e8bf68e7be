/**
 * Escalation rules: validation, compilation and evaluation, with no database. The routes store what
 * {@link parseRule} returns; the message pipeline compiles a tenant's active rules once
 * ({@link compileRules}) and runs {@link evaluateRules} on every visitor message. The same trace
 * answers POST .../escalation-rules/test and is stored on every real escalation.
 *
 * Semantics, in one place:
 * - A rule fires when (it has no keywords OR one keyword matched) AND (it has no conditions OR its
 *   condition tree passes). Keywords and conditions are therefore ANDed, keywords among themselves ORed.
 * - Priority 5 is the most urgent, 1 the least: active rules are tried by priority_level descending,
 *   then oldest first (created_at), then by id, and the first rule that fires wins. Seed 003 gives
 *   priority_level a default of 1, which only reads sensibly as "ordinary", so a higher number means
 *   more urgent; the escalation takes the winning rule's priority_level as its priority.
 * - Conditions use three-valued logic: true, false or unknown (null) when the input lacks what the
 *   condition needs (no triage, no business-hours schedule, no page URL...). `all` is false if any
 *   child is false, else unknown if any is unknown; `any` is true if any child is true, else unknown
 *   if any is unknown. Only a tree that is plainly true fires, so a rule that needs missing data
 *   does not fire and the trace says why.
 * - A group with both `all` and `any` needs both to pass.
 */
import safeRegex from 'safe-regex2'
import { z } from 'zod'
import { fold } from '../text/fold'
import type { ConditionGroupTrace, ConditionLeafTrace, ConditionTrace, RuleTrace } from '../../../contract'

/** Groups nest at most this deep (the top-level group is depth 1). */
export const MAX_GROUP_DEPTH = 3
/** Conditions per rule, counted over the whole tree: keeps one message's evaluation bounded. */
export const MAX_CONDITIONS = 100
/** Longest accepted regular-expression source. */
export const MAX_REGEX_LENGTH = 200
/** Regular expressions only ever see this many characters of a message or URL (defence in depth). */
export const REGEX_INPUT_CAP = 2000

const COMPARISONS = ['gte', 'lte', 'eq', 'gt', 'lt'] as const
const ATTRIBUTE_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'contains', 'exists', 'in'] as const
const SENTIMENTS = ['negative', 'neutral', 'positive'] as const
const CONDITION_TYPES = [
  'human_requested',
  'visitor_message_count',
  'low_confidence_streak',
  'sentiment',
  'intent',
  'outside_business_hours',
  'page_url',
  'attribute',
  'message_regex',
] as const

/**
 * Why a regular expression is refused, or null when it may run on visitor input. safe-regex2 refuses
 * nested repetition such as (a+)+; back-references are refused too because no static check bounds
 * their running time.
 */
export function regexProblem(source: string, flags = ''): string | null {
  if (source.length > MAX_REGEX_LENGTH) return `longer than ${MAX_REGEX_LENGTH} characters`
  try {
    new RegExp(source, flags)
  } catch (err) {
    return `not a valid regular expression (${(err as Error).message})`
  }
  if (/\\[1-9]|\\k</.test(source)) return 'back-references are not allowed'
  if (!safeRegex(source))
    return 'may take exponential time on some messages (nested repetition such as (a+)+ is refused)'
  return null
}

/** A page_url pattern in /regex/ form ("/checkout|cart/", "/^https:\/\/shop\./i"), or null for a glob. */
function pageRegexParts(pattern: string): { source: string; flags: string } | null {
  const m = /^\/(.+)\/(i?)$/s.exec(pattern)
  return m ? { source: m[1], flags: m[2] } : null
}

const scalar = z.union([z.string().max(500), z.number(), z.boolean(), z.null()])

const conditionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('human_requested') }),
    z.strictObject({
      type: z.literal('visitor_message_count'),
      op: z.enum(COMPARISONS),
      value: z.int().min(0).max(1_000_000),
    }),
    z.strictObject({
      type: z.literal('low_confidence_streak'),
      min: z.int().min(1).max(100),
      threshold: z.number().min(0).max(1).default(0.35),
    }),
    z.strictObject({ type: z.literal('sentiment'), in: z.array(z.enum(SENTIMENTS)).min(1).max(3) }),
    z.strictObject({
      type: z.literal('intent'),
      in: z.array(z.string().trim().min(1).max(100)).min(1).max(50),
    }),
    z.strictObject({ type: z.literal('outside_business_hours') }),
    z
      .strictObject({ type: z.literal('page_url'), pattern: z.string().trim().min(1).max(500) })
      .superRefine((c, ctx) => {
        const re = pageRegexParts(c.pattern)
        const problem = re && regexProblem(re.source, re.flags)
        if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem })
      }),
    z
      .strictObject({
        type: z.literal('attribute'),
        key: z.string().trim().min(1).max(100),
        op: z.enum(ATTRIBUTE_OPS),
        value: z.union([scalar, z.array(scalar).max(100)]).optional(),
      })
      .superRefine((c, ctx) => {
        const issue = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message })
        if (c.op === 'exists') {
          if (c.value !== undefined) issue('"exists" takes no value')
        } else if (c.op === 'in') {
          if (!Array.isArray(c.value) || c.value.length === 0) issue('"in" needs a non-empty array of values')
        } else if (c.op === 'gt' || c.op === 'gte' || c.op === 'lt' || c.op === 'lte') {
          if (typeof c.value !== 'number') issue(`"${c.op}" needs a number`)
        } else if (c.value === undefined || Array.isArray(c.value)) {
          issue(`"${c.op}" needs a single value`)
        }
      }),
    z
      .strictObject({
        type: z.literal('message_regex'),
        pattern: z.string().min(1),
        flags: z.enum(['i', 'u', 'iu']).optional(),
      })
      .superRefine((c, ctx) => {
        const problem = regexProblem(c.pattern, c.flags)
        if (problem) ctx.addIssue({ code: 'custom', path: ['pattern'], message: problem })
      }),
  ],
  { error: () => `unknown condition type; expected one of ${CONDITION_TYPES.join(', ')}` },
)

/** One leaf of a rule's condition tree, discriminated by `type`. */
export type Condition = z.output<typeof conditionSchema>
/** A child of a group: a condition or a nested group. */
export type ConditionNode = Condition | ConditionGroup
/** `all` children must all pass, `any` needs one; both present means both must hold. */
export interface ConditionGroup {
  all?: ConditionNode[]
  any?: ConditionNode[]
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** Group schemas per depth, built once; a group at MAX_GROUP_DEPTH holds conditions only. */
const groupSchemas: z.ZodType<ConditionGroup>[] = []
function nodeSchema(depth: number): z.ZodType<ConditionNode> {
  // Decide by shape instead of z.union, so an error names the real field ("...pattern") instead of
  // zod's "no union member matched".
  return z.unknown().transform((value, ctx): ConditionNode => {
    const forward = (issues: z.core.$ZodIssue[]) => {
      for (const i of issues) ctx.addIssue({ code: 'custom', message: issueMessage(i), path: issuePath(i) })
      return z.NEVER
    }
    if (!isObject(value))
      return forward([
        { code: 'custom', message: 'expected a condition object or a group', path: [], input: value },
      ])
    if ('type' in value) {
      const r = conditionSchema.safeParse(value)
      return r.success ? r.data : forward(r.error.issues)
    }
    if (!('all' in value) && !('any' in value)) {
      return forward([
        {
          code: 'custom',
          message: 'a condition needs a "type", a group needs "all" or "any"',
          path: [],
          input: value,
        },
      ])
    }
    if (depth >= MAX_GROUP_DEPTH) {
      return forward([
        {
          code: 'custom',
          message: `groups nest at most ${MAX_GROUP_DEPTH} levels deep`,
          path: [],
          input: value,
        },
      ])
    }
    const r = groupSchemas[depth].safeParse(value)
    return r.success ? r.data : forward(r.error.issues)
  })
}
for (let depth = 1; depth <= MAX_GROUP_DEPTH; depth++) {
  const children = z.array(nodeSchema(depth)).min(1, 'needs at least one condition').max(50)
  groupSchemas[depth - 1] = z.strictObject({ all: children.optional(), any: children.optional() })
}
const topGroupSchema = groupSchemas[0]

const assignmentSchema = z
  .strictObject({
    strategy: z.enum(['round_robin', 'least_busy', 'specific']),
    agent_ids: z.array(z.uuid()).max(100).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.strategy === 'specific' && !a.agent_ids?.length) {
      ctx.addIssue({ code: 'custom', path: ['agent_ids'], message: '"specific" needs at least one agent id' })
    }
  })

/** How an escalation from this rule picks its assignee (see assign.ts). */
export type AssignmentLogic = z.output<typeof assignmentSchema>

function countConditions(group: ConditionGroup): number {
  let n = 0
  for (const child of [...(group.all ?? []), ...(group.any ?? [])])
    n += 'type' in child ? 1 : countConditions(child)
  return n
}

/**
 * Body of a rule create or update. Keywords are trimmed and de-duplicated by their folded form;
 * `agent_assignment_logic` defaults to least_busy, `priority_level` to 3 (the database default).
 */
export const ruleInputSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2000).optional(),
    trigger_keywords: z
      .array(
        z
          .string()
          .trim()
          .min(1, 'a keyword cannot be empty')
          .max(100)
          .refine((k) => fold(k).length > 0, 'a keyword cannot be empty'),
      )
      .max(200)
      .default([])
      .transform((list) => {
        const seen = new Set<string>()
        return list.filter((k) => !seen.has(fold(k)) && !!seen.add(fold(k)))
      }),
    trigger_conditions: topGroupSchema.default({}),
    priority_level: z.int().min(1).max(5).default(3),
    agent_assignment_logic: assignmentSchema.default({ strategy: 'least_busy' }),
    is_active: z.boolean().default(true),
  })
  .superRefine((r, ctx) => {
    const conditions = countConditions(r.trigger_conditions)
    if (r.trigger_keywords.length === 0 && conditions === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['trigger_keywords'],
        message: 'a rule needs at least one keyword or one condition',
      })
    }
    if (conditions > MAX_CONDITIONS) {
      ctx.addIssue({
        code: 'custom',
        path: ['trigger_conditions'],
        message: `at most ${MAX_CONDITIONS} conditions per rule`,
      })
    }
  })

/** A validated, normalised rule body. */
export type RuleInput = z.output<typeof ruleInputSchema>
/** A stored rule: the body plus its id (and creation time, which breaks priority ties). */
export type Rule = RuleInput & { id: string; created_at?: string | Date | null }

/** One problem with a rule body, `field` being a path such as "trigger_conditions.all[1].pattern". */
export interface RuleFieldError {
  field: string
  message: string
}

/** Thrown by {@link parseRule}; `message` reads "field: problem" for the first problem. */
export class RuleValidationError extends Error {
  readonly field: string
  constructor(readonly issues: RuleFieldError[]) {
    super(`${issues[0].field || 'rule'}: ${issues[0].message}`)
    this.name = 'RuleValidationError'
    this.field = issues[0].field
  }
}

function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  // zod reports an unknown key on its parent object; naming the key itself points at the typo.
  return issue.code === 'unrecognized_keys' && issue.keys.length ? [...issue.path, issue.keys[0]] : issue.path
}
function issueMessage(issue: z.core.$ZodIssue): string {
  return issue.code === 'unrecognized_keys' ? 'unknown field' : issue.message
}

/** "trigger_conditions.all[1].pattern" from zod's ['trigger_conditions', 'all', 1, 'pattern']. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, seg) => (typeof seg === 'number' ? `${out}[${seg}]` : out ? `${out}.${String(seg)}` : String(seg)),
    '',
  )
}

/**
 * Validates and normalises a rule body. Throws {@link RuleValidationError} naming the field of each
 * problem; the route turns it into a 400 with the first problem's sentence.
 */
export function parseRule(input: unknown): RuleInput {
  const r = ruleInputSchema.safeParse(input)
  if (r.success) return r.data
  throw new RuleValidationError(
    r.error.issues.map((i) => ({ field: formatFieldPath(issuePath(i)), message: issueMessage(i) })),
  )
}

// ---------------------------------------------------------------------------------------------------
// Asking for a human

const FILLER_EN = '(?:(?:a|an|the|some|your|one|of|real|live|actual|human) )*'
const FILLER_FR = "(?:(?:un|une|le|la|l'|des|de|du|votre|vrai|vraie|veritable|membre|quelqu'un|avec|a) ?)*"
const FILLER_ES = '(?:(?:un|una|el|la|alguien|algun|alguna|de|su|vuestro|con|a) )*'
const FILLER_PT = '(?:(?:um|uma|o|a|alguem|algum|alguma|de|com|para|pra|seu|sua) )*'
const HUMAN_PATTERNS = [
  // English
  `(?:talk|speak|chat|connect me|transfer me|put me through|get me through) (?:to|with) ${FILLER_EN}(?:human|person|agent|representative|rep|operator|someone|somebody|staff|people|team|support agent|customer service)`,
  `(?:want|need|get me|give me|request|have|get) ${FILLER_EN}(?:human|real person|live person|agent|live agent|representative|operator)`,
  `(?:real|live|actual) (?:person|human|agent)`,
  "(?:don't|do not|dont) want (?:to (?:talk|speak|chat) (?:to|with) )?(?:a |the |your )?(?:bot|robot|machine|ai)",
  // French (folded, so "à" is "a" and "conseillère" is "conseillere")
  `(?:parler|discuter|echanger) (?:a|avec) ${FILLER_FR}(?:humain|humaine|conseiller|conseillere|agent|personne|operateur|operatrice|quelqu'un|service client|interlocuteur|interlocutrice|responsable)`,
  `(?:joindre|contacter|avoir|veux|voudrais|souhaite|besoin d'|besoin de|passez-moi|mettez-moi en relation avec|mise en relation avec|mettre en relation avec) ${FILLER_FR}(?:humain|conseiller|conseillere|agent|operateur|operatrice|vraie personne|vrai personne)`,
  `(?:une|un) (?:vraie|vrai|veritable) (?:personne|humain|conseiller|conseillere)`,
  // Spanish
  `(?:hablar|chatear|comunicarme) (?:con|a) ${FILLER_ES}(?:persona|agente|humano|humana|asesor|asesora|operador|operadora|alguien|representante|ejecutivo|ejecutiva)`,
  `(?:quiero|necesito|pasame|paseme|comuniqueme con|comunicame con|atiendame|contactar) ${FILLER_ES}(?:agente|humano|humana|asesor|asesora|operador|operadora|persona real|representante)`,
  '(?:atencion humana|persona real|agente humano)',
  // Portuguese
  `(?:falar|conversar) (?:com|a|para) ${FILLER_PT}(?:atendente|humano|humana|pessoa|agente|operador|operadora|consultor|consultora|alguem|representante)`,
  `(?:quero|preciso de|preciso|me passa|me transfere|transferir|chamar) ${FILLER_PT}(?:atendente|humano|agente|operador|operadora|consultor|consultora|pessoa real|pessoa de verdade)`,
  '(?:atendimento humano|pessoa de verdade|atendente humano)',
]
const HUMAN_RE = new RegExp(`(?<![\\p{L}\\p{N}])(?:${HUMAN_PATTERNS.join('|')})(?![\\p{L}\\p{N}])`, 'u')
// A message that is only the word ("Human!", "un humain svp", "atendente por favor").
const HUMAN_ALONE_RE =
  /^(?:(?:an?|un|une|una|um|uma) )?(?:human|humain|humano|agent|agente|atendente|operator|operateur|operador|conseiller|asesor|representative|person|personne|persona|pessoa)(?: (?:please|pls|svp|s'il vous plait|stp|por favor|porfa))?[\s.!?]*$/u

/**
 * The phrase by which a message asks for a human (folded: lower case, no accents), or null. Covers
 * en/fr/es/pt ("talk to a human", "parler à un conseiller", "hablar con una persona", "falar com um
 * atendente", a bare "humain svp"...). Only the start of a long message is read.
 */
export function findHumanRequest(message: string): string | null {
  const text = fold(message.slice(0, REGEX_INPUT_CAP))
  const m = HUMAN_RE.exec(text) ?? HUMAN_ALONE_RE.exec(text)
  return m ? m[0].trim() : null
}

/** True when the visitor asks, in words, to talk to a person. */
export function asksForHuman(message: string): boolean {
  return findHumanRequest(message) !== null
}

// ---------------------------------------------------------------------------------------------------
// Compilation

// Scripts written without spaces between words: a whole-word test would never match there, so
// keywords in them match as substrings.
const NO_SPACE_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u
// Syntax characters only: in unicode mode escaping anything else (a hyphen, say) is an error.
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

const WORD_RUNS = /[\p{L}\p{N}\p{M}]+/gu
const SINGLE_WORD = /^[\p{L}\p{N}\p{M}]+$/u

function compileKeyword(keyword: string): CompiledKeyword {
  const k = fold(keyword)
  const spaced = !NO_SPACE_SCRIPT.test(k)
  return {
    keyword,
    word: spaced && SINGLE_WORD.test(k) ? k : null,
    // Runs in a script without spaces can sit inside a longer "word" of the message: no pre-check.
    words: (k.match(WORD_RUNS) ?? []).filter((w) => !NO_SPACE_SCRIPT.test(w)),
    re: new RegExp(keywordSource(keyword), 'u'),
  }
}

/** Regex source matching a folded keyword as a whole word or phrase. */
function keywordSource(keyword: string): string {
  const k = fold(keyword)
  const first = k[0]
  const last = k[k.length - 1]
  const before = WORD_CHAR.test(first) && !NO_SPACE_SCRIPT.test(first) ? '(?<![\\p{L}\\p{N}\\p{M}])' : ''
  const after = WORD_CHAR.test(last) && !NO_SPACE_SCRIPT.test(last) ? '(?![\\p{L}\\p{N}\\p{M}])' : ''
  return `${before}${escapeRe(k)}${after}`
}

type CompiledNode =
  | { kind: 'group'; all?: CompiledNode[]; any?: CompiledNode[] }
  | {
      kind: 'condition'
      condition: Condition
      re?: RegExp
      glob?: { re: RegExp; pathOnly: boolean }
      /** The condition's values folded once at compile time (intent, sentiment, attribute eq/in...). */
      folded?: Set<string>
    }

/**
 * A keyword ready to test. Most keywords are one word: they are looked up in the set of the message's
 * words, which costs the same for 1 or 100 rules. Phrases and other keywords run their regex, but only
 * once every word they contain is in that set.
 */
interface CompiledKeyword {
  keyword: string
  /** The folded keyword when it is a single word of a spaced script. */
  word: string | null
  /** Words that must all be in the message before the regex is worth running. */
  words: string[]
  re: RegExp
}

interface CompiledRule {
  rule: Rule
  /** Set when a stored rule no longer validates: it never fires and its trace says why. */
  invalid?: string
  keywords: CompiledKeyword[]
  conditions: CompiledNode | null
}

const COMPILED = Symbol('compiled escalation rules')
/** A tenant's active rules, validated, ordered and with their regular expressions built. */
export interface CompiledRules {
  readonly [COMPILED]: true
  readonly rules: readonly CompiledRule[]
}

function compileNode(node: ConditionNode): CompiledNode {
  if (!('type' in node)) {
    return { kind: 'group', all: node.all?.map(compileNode), any: node.any?.map(compileNode) }
  }
  if (node.type === 'message_regex')
    return { kind: 'condition', condition: node, re: new RegExp(node.pattern, node.flags ?? '') }
  if (node.type === 'page_url') {
    const parts = pageRegexParts(node.pattern)
    if (parts) return { kind: 'condition', condition: node, re: new RegExp(parts.source, parts.flags) }
    const source = node.pattern.split('*').map(escapeRe).join('.*')
    return {
      kind: 'condition',
      condition: node,
      glob: { re: new RegExp(`^${source}$`, 'is'), pathOnly: node.pattern.startsWith('/') },
    }
  }
  if (node.type === 'sentiment' || node.type === 'intent')
    return { kind: 'condition', condition: node, folded: new Set(node.in.map(fold)) }
  if (node.type === 'attribute' && node.value !== undefined) {
    const values = Array.isArray(node.value) ? node.value : [node.value]
    return { kind: 'condition', condition: node, folded: new Set(values.map((v) => fold(String(v)))) }
  }
  return { kind: 'condition', condition: node }
}

function createdAt(rule: Rule): number {
  const t = rule.created_at ? new Date(rule.created_at).getTime() : NaN
  return Number.isNaN(t) ? Number.POSITIVE_INFINITY : t
}

/**
 * Validates, orders (priority_level descending, then oldest, then id) and precompiles the active
 * rules, so a message is evaluated without building any regular expression. Inactive rules are left
 * out. A stored rule that no longer validates (edited by hand in SQL, say) is kept, never fires, and
 * its trace names the problem: an unsafe regex saved behind the API's back still never runs.
 */
export function compileRules(rules: readonly Rule[]): CompiledRules {
  const active = rules.filter((r) => r.is_active !== false)
  active.sort(
    (a, b) =>
      (b.priority_level ?? 3) - (a.priority_level ?? 3) ||
      createdAt(a) - createdAt(b) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  )
  const compiled = active.map((raw): CompiledRule => {
    const parsed = ruleInputSchema.safeParse(raw)
    if (!parsed.success) {
      const i = parsed.error.issues[0]
      return {
        rule: raw,
        invalid: `${formatFieldPath(issuePath(i))}: ${issueMessage(i)}`,
        keywords: [],
        conditions: null,
      }
    }
    const rule: Rule = { ...parsed.data, id: raw.id, created_at: raw.created_at }
    const tree = rule.trigger_conditions
    return {
      rule,
      keywords: rule.trigger_keywords.map(compileKeyword),
      conditions: tree.all || tree.any ? compileNode(tree) : null,
    }
  })
  return { [COMPILED]: true, rules: compiled }
}

// ---------------------------------------------------------------------------------------------------
// Evaluation

/** What a message is evaluated against; anything left out is "unknown" to the conditions that need it. */
export interface EvalInput {
  message: string
  /** The visitor pressed the "talk to a human" button (words are detected from `message`). */
  human_requested?: boolean
  /** Visitor messages in the session, this one included. */
  visitor_message_count?: number
  /** Confidence of the bot's recent answers, newest last. */
  recent_confidences?: number[]
  /** The session's triage (LLM or lexicon); null when there is none. */
  triage?: { sentiment?: string; intent?: string; language?: string } | null
  /** Whether the tenant is open now; null when it has no schedule. */
  business_hours_open?: boolean | null
  page_url?: string | null
  /** The session's customer_context. */
  attributes?: Record<string, unknown>
}

/** The trace's shapes are the wire contract's (the console shows them). */
export type { ConditionGroupTrace, ConditionLeafTrace, ConditionTrace, RuleTrace }

export interface FiredRule {
  rule_id: string
  name: string
  priority: number
  assignment: AssignmentLogic
  /** A sentence for escalations.reason. */
  reason: string
}

export interface EvalResult {
  fired: FiredRule | null
  trace: RuleTrace[]
}

export interface EvalOptions {
  /**
   * Keep evaluating the rules after the winner, for a full picture in the rule tester. Off by
   * default: the trace then holds every rule tried, up to and including the winner.
   */
  traceAll?: boolean
}

interface EvalContext {
  input: EvalInput
  folded: string
  /** The folded message's words, built on first use. */
  words?: Set<string>
  capped: string
  humanPhrase: string | null | undefined
}

const OP_SYMBOL: Record<string, string> = { gte: '>=', lte: '<=', eq: '=', gt: '>', lt: '<', neq: '!=' }
const quote = (s: string, max = 60) => `"${s.length > max ? s.slice(0, max - 1) + '…' : s}"`

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case 'gte':
      return a >= b
    case 'lte':
      return a <= b
    case 'gt':
      return a > b
    case 'lt':
      return a < b
    default:
      return a === b
  }
}

function attributeValue(attributes: Record<string, unknown> | undefined, key: string): unknown {
  if (!attributes) return undefined
  if (Object.hasOwn(attributes, key)) return attributes[key]
  // "plan.tier" reads nested customer_context objects.
  let v: unknown = attributes
  for (const part of key.split('.')) {
    if (!isObject(v) || !Object.hasOwn(v, part)) return undefined
    v = v[part]
  }
  return v
}

/** Scalars compare as folded text, so "Premium" = "premium" and 10 = "10". */
const same = (a: unknown, b: unknown) =>
  typeof a !== 'object' && typeof b !== 'object' ? fold(String(a)) === fold(String(b)) : a === b
const show = (v: unknown) => (typeof v === 'string' ? quote(v, 40) : JSON.stringify(v))

function evalAttribute(
  c: Extract<Condition, { type: 'attribute' }>,
  expectedFolded: Set<string>,
  input: EvalInput,
): { passed: boolean | null; detail: string } {
  const actual = attributeValue(input.attributes, c.key)
  const missing = actual === undefined || actual === null
  if (c.op === 'exists')
    return {
      passed: !missing,
      detail: missing ? `attribute ${c.key} is not set` : `attribute ${c.key} is set`,
    }
  if (missing) return { passed: null, detail: `attribute ${c.key} unknown: not in the customer context` }
  const expected = c.value
  switch (c.op) {
    case 'eq':
    case 'neq': {
      const eq = typeof actual === 'object' ? false : expectedFolded.has(fold(String(actual)))
      return {
        passed: c.op === 'eq' ? eq : !eq,
        detail: `${c.key} ${show(actual)} ${eq ? '=' : '!='} ${show(expected)}`,
      }
    }
    case 'contains': {
      const hit = Array.isArray(actual)
        ? actual.some((v) => same(v, expected))
        : typeof actual === 'string' && fold(actual).includes(fold(String(expected)))
      return {
        passed: hit,
        detail: `${c.key} ${show(actual)} ${hit ? 'contains' : 'does not contain'} ${show(expected)}`,
      }
    }
    case 'in': {
      const list = expected as unknown[]
      const hit = typeof actual !== 'object' && expectedFolded.has(fold(String(actual)))
      return {
        passed: hit,
        detail: `${c.key} ${show(actual)} ${hit ? 'is' : 'is not'} in ${JSON.stringify(list)}`,
      }
    }
    default: {
      const n =
        typeof actual === 'number'
          ? actual
          : typeof actual === 'string' && actual.trim() !== ''
            ? Number(actual)
            : NaN
      if (!Number.isFinite(n)) return { passed: false, detail: `${c.key} ${show(actual)} is not a number` }
      const ok = compare(n, c.op, expected as number)
      return { passed: ok, detail: `${c.key} ${n} ${ok ? '' : 'not '}${OP_SYMBOL[c.op]} ${expected}` }
    }
  }
}

function evalCondition(c: CompiledNode & { kind: 'condition' }, ctx: EvalContext): ConditionLeafTrace {
  const cond = c.condition
  const { input } = ctx
  const leaf = (passed: boolean | null, detail: string): ConditionLeafTrace => ({
    type: cond.type,
    passed,
    detail,
  })
  switch (cond.type) {
    case 'human_requested': {
      if (input.human_requested) return leaf(true, 'visitor pressed "talk to a human"')
      if (ctx.humanPhrase === undefined) ctx.humanPhrase = findHumanRequest(input.message)
      return ctx.humanPhrase
        ? leaf(true, `message asks for a human (${quote(ctx.humanPhrase)})`)
        : leaf(false, 'visitor did not ask for a human')
    }
    case 'visitor_message_count': {
      const n = input.visitor_message_count
      if (n === undefined || n === null) return leaf(null, 'visitor message count unknown')
      const ok = compare(n, cond.op, cond.value)
      return leaf(ok, `visitor messages ${n} ${ok ? '' : 'not '}${OP_SYMBOL[cond.op]} ${cond.value}`)
    }
    case 'low_confidence_streak': {
      const list = input.recent_confidences
      if (!list) return leaf(null, 'answer confidences unknown')
      let streak = 0
      for (let i = list.length - 1; i >= 0 && list[i] < cond.threshold; i--) streak++
      return leaf(
        streak >= cond.min,
        `${streak} consecutive low-confidence answer(s) (< ${cond.threshold}), ${streak >= cond.min ? 'at least' : 'need'} ${cond.min}`,
      )
    }
    case 'sentiment':
    case 'intent': {
      const value = input.triage?.[cond.type]
      if (!input.triage) return leaf(null, `${cond.type} unknown: no triage`)
      if (!value) return leaf(null, `${cond.type} unknown: triage did not classify it`)
      const ok = c.folded!.has(fold(value))
      return leaf(ok, `${cond.type} ${quote(value, 40)} ${ok ? 'is' : 'is not'} in [${cond.in.join(', ')}]`)
    }
    case 'outside_business_hours': {
      const open = input.business_hours_open
      if (open === undefined || open === null)
        return leaf(null, 'business hours unknown: no schedule configured')
      return leaf(!open, open ? 'within business hours' : 'outside business hours')
    }
    case 'page_url': {
      const url = input.page_url
      if (!url) return leaf(null, 'page URL unknown')
      const capped = url.slice(0, REGEX_INPUT_CAP)
      let target = capped
      if (c.glob?.pathOnly) {
        try {
          const u = new URL(capped)
          target = u.pathname + u.search + u.hash
        } catch {
          // Not an absolute URL: the widget sent a path already.
        }
      }
      const ok = (c.glob?.re ?? c.re!).test(target)
      return leaf(
        ok,
        `page ${quote(target, 80)} ${ok ? 'matches' : 'does not match'} ${quote(cond.pattern, 80)}`,
      )
    }
    case 'attribute': {
      const r = evalAttribute(cond, c.folded ?? new Set(), input)
      return leaf(r.passed, r.detail)
    }
    case 'message_regex': {
      const m = c.re!.exec(ctx.capped)
      return m
        ? leaf(true, `message matches /${cond.pattern}/${cond.flags ?? ''} at ${quote(m[0], 40)}`)
        : leaf(false, `message does not match /${cond.pattern}/${cond.flags ?? ''}`)
    }
  }
}

/** Kleene conjunction / disjunction: null is "unknown". */
function combine(op: 'all' | 'any', values: (boolean | null)[]): boolean | null {
  if (op === 'all') return values.includes(false) ? false : values.includes(null) ? null : true
  return values.includes(true) ? true : values.includes(null) ? null : false
}

function describe(op: 'all' | 'any', values: (boolean | null)[]): string {
  let passed = 0
  let unknown = 0
  for (const v of values) {
    if (v === true) passed++
    else if (v === null) unknown++
  }
  return `${op} of ${values.length}: ${passed} passed${unknown ? `, ${unknown} unknown` : ''}`
}

function evalNode(node: CompiledNode, ctx: EvalContext): ConditionTrace {
  if (node.kind === 'condition') return evalCondition(node, ctx)
  const trace: ConditionGroupTrace = { passed: null, detail: '' }
  const verdicts: (boolean | null)[] = []
  const details: string[] = []
  for (const op of ['all', 'any'] as const) {
    const children = node[op]
    if (!children) continue
    const traces = children.map((child) => evalNode(child, ctx))
    const values = traces.map((t) => t.passed)
    trace[op] = traces
    verdicts.push(combine(op, values))
    details.push(describe(op, values))
  }
  trace.passed = combine('all', verdicts)
  trace.detail = details.join('; ')
  return trace
}

/** The details of the leaves that made a tree unknown, for the rule's one-line verdict. */
function unknownLeaves(t: ConditionTrace, out: string[] = []): string[] {
  if ('type' in t) {
    if (t.passed === null) out.push(t.detail)
  } else if (t.passed === null) {
    for (const child of [...(t.all ?? []), ...(t.any ?? [])]) unknownLeaves(child, out)
  }
  return out
}

function evalRule(c: CompiledRule, ctx: EvalContext): RuleTrace {
  const { rule } = c
  const base = { rule_id: rule.id, name: rule.name, priority: rule.priority_level }
  if (c.invalid) {
    return {
      ...base,
      fired: false,
      detail: `rule is invalid and never fires (${c.invalid})`,
      keywords: null,
      conditions: null,
    }
  }
  let keywords: RuleTrace['keywords'] = null
  if (c.keywords.length) {
    const words = (ctx.words ??= new Set(ctx.folded.match(WORD_RUNS)))
    const matched: string[] = []
    for (const k of c.keywords) {
      const hit =
        k.word !== null ? words.has(k.word) : k.words.every((w) => words.has(w)) && k.re.test(ctx.folded)
      if (hit) matched.push(k.keyword)
    }
    keywords = { matched }
  }
  const conditions = c.conditions ? evalNode(c.conditions, ctx) : null
  const keywordsOk = !keywords || keywords.matched.length > 0
  const conditionsOk = !conditions || conditions.passed === true
  const fired = keywordsOk && conditionsOk
  let detail: string
  if (fired) {
    const why = [
      keywords && `keyword ${keywords.matched.map((k) => quote(k, 40)).join(', ')}`,
      conditions && 'conditions passed',
    ]
    detail = `fired: ${why.filter(Boolean).join(' and ')}`
  } else {
    const why = [
      !keywordsOk && 'no keyword matched',
      conditions && conditions.passed === false && 'conditions failed',
      conditions &&
        conditions.passed === null &&
        `conditions unknown (${unknownLeaves(conditions).join('; ')})`,
    ]
    detail = `did not fire: ${why.filter(Boolean).join(', ')}`
  }
  // Fields written out rather than spread from `base`: V8 ran this hot path ten times slower with the spread.
  return {
    rule_id: rule.id,
    name: rule.name,
    priority: rule.priority_level,
    fired,
    detail,
    keywords,
    conditions,
  }
}

/**
 * Tries the rules on one message, most urgent first, and returns the first that fires with a trace
 * condition by condition. Pass what {@link compileRules} returned on the hot path; a plain array is
 * compiled on every call (fine for the rule tester).
 */
export function evaluateRules(
  rules: readonly Rule[] | CompiledRules,
  input: EvalInput,
  options: EvalOptions = {},
): EvalResult {
  const compiled = COMPILED in rules ? (rules as CompiledRules) : compileRules(rules as readonly Rule[])
  const message = input.message ?? ''
  const ctx: EvalContext = {
    input,
    folded: fold(message),
    capped: message.slice(0, REGEX_INPUT_CAP),
    humanPhrase: undefined,
  }
  const trace: RuleTrace[] = []
  let fired: FiredRule | null = null
  for (const c of compiled.rules) {
    const t = evalRule(c, ctx)
    trace.push(t)
    if (t.fired && !fired) {
      fired = {
        rule_id: c.rule.id,
        name: c.rule.name,
        priority: c.rule.priority_level,
        assignment: c.rule.agent_assignment_logic,
        reason: `Rule ${quote(c.rule.name, 80)} (priority ${c.rule.priority_level}) ${t.detail}`,
      }
      if (!options.traceAll) break
    }
  }
  return { fired, trace }
}
