/**
 * Compiles a tenant's rules once: validated, ordered by urgency, with every regular expression built,
 * so evaluating a message (rules.ts) builds none.
 */
import { fold } from '../text/fold'
import { compileGlob, compileLinear, type LinearRegex } from './linear-regex'
import {
  formatFieldPath,
  issueMessage,
  issuePath,
  pageRegexParts,
  ruleInputSchema,
  type Condition,
  type ConditionNode,
  type Rule,
} from './rule-schema'

// Scripts written without spaces between words: a whole-word test would never match there, so
// keywords in them match as substrings.
const NO_SPACE_SCRIPT =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u
const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u
// Syntax characters only: in unicode mode escaping anything else (a hyphen, say) is an error.
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

export const WORD_RUNS = /[\p{L}\p{N}\p{M}]+/gu
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

export type CompiledNode =
  | { kind: 'group'; all?: CompiledNode[]; any?: CompiledNode[] }
  | {
      kind: 'condition'
      condition: Condition
      /** message_regex and /regex/ page_url: the linear engine, never a V8 RegExp. */
      re?: LinearRegex
      glob?: { re: LinearRegex; pathOnly: boolean }
      /** The condition's values folded once at compile time (intent, sentiment, attribute eq/in...). */
      folded?: Set<string>
    }

/**
 * A keyword ready to test. Most keywords are one word: they are looked up in the set of the message's
 * words, which costs the same for 1 or 100 rules. Phrases and other keywords run their regex, but only
 * once every word they contain is in that set.
 */
export interface CompiledKeyword {
  keyword: string
  /** The folded keyword when it is a single word of a spaced script. */
  word: string | null
  /** Words that must all be in the message before the regex is worth running. */
  words: string[]
  re: RegExp
}

export interface CompiledRule {
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
    return { kind: 'condition', condition: node, re: compileLinear(node.pattern, node.flags ?? '') }
  if (node.type === 'page_url') {
    const parts = pageRegexParts(node.pattern)
    if (parts) return { kind: 'condition', condition: node, re: compileLinear(parts.source, parts.flags) }
    return {
      kind: 'condition',
      condition: node,
      glob: { re: compileGlob(node.pattern), pathOnly: node.pattern.startsWith('/') },
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

/** True for what {@link compileRules} returned (rather than a plain array of rules). */
export function isCompiled(rules: readonly Rule[] | CompiledRules): rules is CompiledRules {
  return COMPILED in rules
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
    try {
      return {
        rule,
        keywords: rule.trigger_keywords.map(compileKeyword),
        conditions: tree.all || tree.any ? compileNode(tree) : null,
      }
    } catch (err) {
      // Defence in depth: whatever validated but still fails to compile never fires, and says why.
      return { rule: raw, invalid: (err as Error).message, keywords: [], conditions: null }
    }
  })
  return { [COMPILED]: true, rules: compiled }
}
