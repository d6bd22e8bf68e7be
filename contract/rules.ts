/** The escalation rule trace (api/src/escalation/rules.ts evaluates; the console shows it). */

/** One condition: its verdict (null = unknown: the input lacked what it needs) and why. */
export interface ConditionLeafTrace {
  type: string
  passed: boolean | null
  detail: string
}

/** A group mirroring the rule's all/any tree. */
export interface ConditionGroupTrace {
  all?: ConditionTrace[]
  any?: ConditionTrace[]
  passed: boolean | null
  detail: string
}

export type ConditionTrace = ConditionLeafTrace | ConditionGroupTrace

/** How one rule fared on one message. */
export interface RuleTrace {
  /** null for a built-in rule (the visitor asked for a person) or an agent's takeover. */
  rule_id: string | null
  name: string
  priority: number
  fired: boolean
  /** One sentence: why it fired or what stopped it. */
  detail: string
  /** null when the rule has no keywords. */
  keywords: { matched: string[] } | null
  /** null when the rule has no conditions (or does not validate). */
  conditions: ConditionTrace | null
}
