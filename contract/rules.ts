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

/** A rule condition, as `POST|PATCH /v1/tenants/:t/escalation-rules` accept it (api/src/escalation/rules.ts). */
export type Comparison = 'gte' | 'lte' | 'eq' | 'gt' | 'lt'
export type AttributeOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'exists' | 'in'
export type Sentiment = 'negative' | 'neutral' | 'positive'
export type AttributeValue = string | number | boolean | null

export type Condition =
  | { type: 'human_requested' }
  | { type: 'visitor_message_count'; op: Comparison; value: number }
  | { type: 'low_confidence_streak'; min: number; threshold?: number }
  | { type: 'sentiment'; in: Sentiment[] }
  | { type: 'intent'; in: string[] }
  | { type: 'outside_business_hours' }
  | { type: 'page_url'; pattern: string }
  | { type: 'attribute'; key: string; op: AttributeOp; value?: AttributeValue | AttributeValue[] }
  | { type: 'message_regex'; pattern: string; flags?: 'i' | 'u' | 'iu' }

export type ConditionType = Condition['type']

/** all / any of conditions or nested groups (at most 3 levels). */
export interface ConditionGroup {
  all?: (Condition | ConditionGroup)[]
  any?: (Condition | ConditionGroup)[]
}

export interface AssignmentLogic {
  strategy: 'round_robin' | 'least_busy' | 'specific'
  agent_ids?: string[]
}

/** The body of a rule create (and, partly, a patch). */
export interface EscalationRuleInput {
  name: string
  description?: string
  trigger_keywords: string[]
  trigger_conditions: ConditionGroup
  /** 1-5, 5 most urgent (evaluated first). */
  priority_level: number
  agent_assignment_logic: AssignmentLogic
  is_active: boolean
}

export interface EscalationRule extends EscalationRuleInput {
  id: string
  created_at?: string
  updated_at?: string
}

/** What the simulator's context may say (`POST .../escalation-rules/test`). */
export interface RuleTestContext {
  human_requested?: boolean
  visitor_message_count?: number
  recent_confidences?: number[]
  sentiment?: Sentiment
  intent?: string
  language?: string
  business_hours_open?: boolean | null
  page_url?: string | null
  attributes?: Record<string, unknown>
}

export interface RuleTestResult {
  fired: {
    rule_id: string
    name: string
    priority: number
    assignment: AssignmentLogic
    reason: string
  } | null
  /** The phrase by which the message asks for a person, or null. */
  human_request: string | null
  escalates: boolean
  trace: RuleTrace[]
}
