/** Sessions: the widget's view and the inbox's. */
import type { MessageType, Message, Person } from './message'
import type { RuleTrace } from './rules'

export type SessionStatus = 'active' | 'escalated' | 'resolved'
export type EscalationStatus = 'pending' | 'in_progress' | 'resolved'

/** A session as the widget side sees it (`GET /v1/sessions/:id`, `POST /v1/sessions`). */
export interface Session {
  id: string
  bot_id: string
  status: SessionStatus
  visitor_id: string
  assignee: Person | null
  created_at: string
  last_message_at: string | null
  csat: number | null
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

/** The console sees a little more: priority, context and the AI's notes. */
export interface InboxSession extends Session {
  tenant_id?: string
  /** 1 (least urgent) to 5 (most urgent); null when never escalated. */
  priority?: number | null
  customer_context?: CustomerContext | null
  ai_context?: AiContext | null
  /** Where the conversation happens: `widget`, or a messaging platform. */
  channel?: SessionChannel
  /** Messaging channels: the channel account (social_accounts id), else null. */
  channel_account_id?: string | null
  /** Messaging channels: the platform user (their name, phone or handle when the platform gives one). */
  external_user?: ExternalUser | null
}

export type SessionChannel = 'widget' | 'api' | 'email' | 'telegram' | 'whatsapp' | 'messenger' | 'instagram'

/** A messaging platform's user, as the inbox shows them. */
export interface ExternalUser {
  id: string
  name: string | null
  phone: string | null
  handle: string | null
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

/** The escalation as the session detail carries it. */
export interface Escalation extends EscalationSummary {
  rule_id: string | null
  rule_name: string | null
  trace: RuleTrace[] | null
  ai_summary: string | null
  resolved_at: string | null
}

/** One row of the inbox list (`GET /v1/tenants/:t/sessions`). */
export interface SessionSummary extends InboxSession {
  last_message: { message_type: MessageType; content: string; created_at: string } | null
  message_count: number
  escalation?: EscalationSummary | null
}

/** `GET /v1/tenants/:t/sessions/:id`. */
export interface SessionDetail {
  session: InboxSession
  messages: Message[]
  escalation?: Escalation | null
  /** The tenant's own domains (as in WidgetConfig): the visitor's page_url is a link only to one of them. */
  link_domains?: string[]
}

/** The identity a site passes for a signed-in visitor (`POST /v1/sessions` `identity`). */
export interface Identity {
  user_id: string
  user_hash?: string
  user_jwt?: string
  name?: string
  email?: string
  attributes?: Record<string, string | number | boolean | null>
}

/** `POST /v1/sessions` body. */
export interface CreateSessionRequest {
  key: string
  visitor_id?: string
  context?: Record<string, unknown>
  identity?: Identity
}

/** `POST /v1/sessions` answer (201). */
export interface CreateSessionResult {
  session: Session
  token: string
}
