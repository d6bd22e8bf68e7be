/**
 * The shape of an escalation rule: the zod schema of a rule body (keywords, an all/any tree of
 * conditions, the assignment), its limits, and parseRule, which the routes use before storing one.
 * What the conditions mean is written once, in rules.ts, beside their evaluation.
 */
import { z } from 'zod'
import { fold } from '../text/fold'
import { compileGlob, compileLinear } from './linear-regex'

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
 * Why a regular expression is refused, or null when it may run on visitor input. Tenant patterns run
 * on re2js (linear-regex.ts): linear in the input whatever the pattern, so nothing that backtracks is
 * even possible; what RE2 cannot express (back-references, lookaround) and programs too large to
 * run cheaply are refused.
 */
export function regexProblem(source: string, flags = ''): string | null {
  if (source.length > MAX_REGEX_LENGTH) return `longer than ${MAX_REGEX_LENGTH} characters`
  try {
    compileLinear(source, flags)
  } catch (err) {
    return (err as Error).message
  }
  return null
}

/** Why a page_url pattern (a /regex/ or a glob) is refused, or null. */
export function pagePatternProblem(pattern: string): string | null {
  const re = pageRegexParts(pattern)
  if (re) return regexProblem(re.source, re.flags)
  if ((pattern.match(/\*/g)?.length ?? 0) > 20) return 'at most 20 wildcards (*)'
  try {
    compileGlob(pattern)
  } catch (err) {
    return (err as Error).message
  }
  return null
}

/** A page_url pattern in /regex/ form ("/checkout|cart/", "/^https:\/\/shop\./i"), or null for a glob. */
export function pageRegexParts(pattern: string): { source: string; flags: string } | null {
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
        const problem = pagePatternProblem(c.pattern)
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

export const isObject = (v: unknown): v is Record<string, unknown> =>
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

export function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  // zod reports an unknown key on its parent object; naming the key itself points at the typo.
  return issue.code === 'unrecognized_keys' && issue.keys.length ? [...issue.path, issue.keys[0]] : issue.path
}
export function issueMessage(issue: z.core.$ZodIssue): string {
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
