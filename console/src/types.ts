/** Shapes of the console side of API v1 (docs/api.md). */

export type SessionStatus = 'active' | 'escalated' | 'resolved'
export type MessageType = 'user' | 'ai' | 'agent' | 'system'
export type Availability = 'online' | 'away' | 'offline'
export type EscalationStatus = 'pending' | 'in_progress' | 'resolved'

export interface Person {
  id: string
  name: string
}

export interface Source {
  id: string
  title: string
  url: string | null
  snippet?: string
}

export interface Message {
  id: string
  session_id: string
  seq: number
  message_type: MessageType
  content: string
  client_message_id?: string | null
  sources: Source[]
  agent: Person | null
  status?: 'complete' | 'partial' | 'failed'
  confidence?: number | null
  private: boolean
  created_at: string
}

/** What the widget told the API about the visitor (all optional, free-form attributes included). */
export interface CustomerContext {
  page_url?: string
  referrer?: string
  locale?: string
  email?: string
  name?: string
  attributes?: Record<string, unknown>
  [key: string]: unknown
}

/** The AI's triage of the conversation. */
export interface AiContext {
  language?: string | null
  sentiment?: string | null
  intent?: string | null
  summary?: string | null
}

export interface Session {
  id: string
  bot_id: string
  status: SessionStatus
  visitor_id: string
  assignee: Person | null
  created_at: string
  last_message_at: string | null
  csat?: number | null
  /** 1 (least urgent) to 5 (most urgent); null when never escalated. */
  priority?: number | null
  customer_context?: CustomerContext | null
  ai_context?: AiContext | null
}

/** The escalation as the inbox list carries it. */
export interface EscalationSummary {
  id: string
  reason: string | null
  status: EscalationStatus
  priority: number | null
  assignee_id: string | null
  created_at: string
  first_response_at: string | null
}

/*
 * The rule trace, mirrored from api/src/escalation/rules.ts (RuleTrace, ConditionTrace): the console
 * keeps its own copy so its build never reaches into the API's sources.
 */

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

/** How one rule fared on the message that escalated. */
export interface RuleTrace {
  /** null for a built-in rule or an agent's takeover. */
  rule_id: string | null
  name: string
  priority?: number | null
  fired: boolean
  detail: string
  keywords: { matched: string[] } | null
  conditions: ConditionTrace | null
}

/** The escalation as the session detail carries it. */
export interface Escalation extends EscalationSummary {
  rule_id: string | null
  rule_name: string | null
  trace: RuleTrace[] | null
  ai_summary: string | null
  resolved_at: string | null
}

export interface SessionSummary extends Session {
  last_message: { message_type: MessageType; content: string; created_at: string } | null
  message_count: number
  escalation?: EscalationSummary | null
}

export interface SessionDetail {
  session: Session
  messages: Message[]
  escalation?: Escalation | null
}

export interface User {
  id: string
  email: string
  name?: string | null
}

export interface Membership {
  tenant_id: string
  role: 'owner' | 'admin' | 'agent'
  tenant: { id: string; name: string; slug: string }
}

export interface Me {
  user: User
  memberships: Membership[]
}

/** A tenant member (GET .../members says `name`, PATCH .../members/me says `display_name`). */
export interface Member {
  user_id: string
  name?: string | null
  display_name?: string | null
  email?: string | null
  role: 'owner' | 'admin' | 'agent'
  availability: Availability
  capacity?: number | null
}

export interface Bot {
  id: string
  name: string
  status: string
}

export interface WidgetConfig {
  publishable_key: string
  allowed_origins: string[]
}

export interface CannedReply {
  id: string
  shortcut: string
  title: string
  content: string
}

/** The payload of a tenant `session` event. */
export interface TenantEvent {
  session_id: string
  reason: string
  session?: Partial<SessionSummary> & { id: string }
}

/** The payload of a tenant `typing` event. */
export interface TypingEvent {
  session_id: string
  from: 'visitor' | 'agent'
  typing: boolean
}

/** The inbox list's filters; undefined means "any". */
export interface QueueFilters {
  status?: SessionStatus
  priority?: number
  /** `me`, `none` (unassigned) or a member's user id. */
  assignee?: string
}
