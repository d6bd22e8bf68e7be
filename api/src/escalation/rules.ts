/**
 * Escalation rules, evaluated: {@link evaluateRules} runs a tenant's compiled rules (rule-compile.ts)
 * on every visitor message. The schema of a rule is in rule-schema.ts, the words that ask for a person
 * in human-request.ts. The same trace answers POST .../escalation-rules/test and is stored on every
 * real escalation.
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
import type { ConditionGroupTrace, ConditionLeafTrace, ConditionTrace, RuleTrace } from '../../../contract'
import { fold } from '../text/fold'
import { findHumanRequest } from './human-request'
import {
  compileRules,
  isCompiled,
  WORD_RUNS,
  type CompiledNode,
  type CompiledRule,
  type CompiledRules,
} from './rule-compile'
import { isObject, REGEX_INPUT_CAP, type AssignmentLogic, type Condition, type Rule } from './rule-schema'

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
  /**
   * Wall-clock budget of one evaluation, in ms (default {@link EVAL_BUDGET_MS}). Tenant patterns run in
   * linear time on capped input, so each costs little; the budget bounds the sum whatever the rules:
   * past it, the remaining pattern conditions are unknown (their trace says so).
   */
  budgetMs?: number
}

/** Default time budget of one evaluation of a tenant's rules on one message. */
export const EVAL_BUDGET_MS = 100

interface EvalContext {
  input: EvalInput
  folded: string
  /** The folded message's words, built on first use. */
  words?: Set<string>
  capped: string
  humanPhrase: string | null | undefined
  /** performance.now() past which no more tenant pattern runs. */
  deadline: number
  budgetMs: number
}

const overBudget = (ctx: EvalContext) => performance.now() > ctx.deadline
const budgetDetail = (ctx: EvalContext) =>
  `not evaluated: the rules used up their ${ctx.budgetMs} ms time budget on this message`

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
      if (overBudget(ctx)) return leaf(null, budgetDetail(ctx))
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
      if (overBudget(ctx)) return leaf(null, budgetDetail(ctx))
      const m = c.re!.exec(ctx.capped)
      return m !== null
        ? leaf(true, `message matches /${cond.pattern}/${cond.flags ?? ''} at ${quote(m, 40)}`)
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
  const compiled = isCompiled(rules) ? rules : compileRules(rules)
  const message = input.message ?? ''
  const ctx: EvalContext = {
    input,
    folded: fold(message),
    capped: message.slice(0, REGEX_INPUT_CAP),
    humanPhrase: undefined,
    budgetMs: options.budgetMs ?? EVAL_BUDGET_MS,
    deadline: performance.now() + (options.budgetMs ?? EVAL_BUDGET_MS),
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
