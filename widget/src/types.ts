/** Shapes of the widget side of API v1 (docs/api.md), with the fields the widget reads optionally. */

export type MessageType = 'user' | 'ai' | 'agent' | 'system'
export type SessionStatus = 'active' | 'escalated' | 'resolved'

export interface Source {
  id: string
  title: string
  url: string | null
  snippet?: string
}

export interface Assignee {
  id: string
  name: string
  /** An https image URL, or null (API addition: `assignee.avatar_url`). */
  avatar_url?: string | null
}

export interface Message {
  id: string
  session_id: string
  seq: number
  message_type: MessageType
  content: string
  client_message_id: string | null
  sources: Source[]
  agent: Assignee | null
  status: 'complete' | 'partial' | 'failed'
  confidence: number | null
  private?: boolean
  created_at: string
}

export interface Session {
  id: string
  bot_id: string
  status: SessionStatus
  visitor_id: string
  assignee: Assignee | null
  created_at: string
  last_message_at: string | null
  csat: number | null
}

export interface PrechatField {
  name: string
  label: string
  type: 'text' | 'email'
  required: boolean
}

export interface WidgetConfig {
  bot: { id: string; name: string; avatar_url: string | null }
  greeting: string
  suggestions: string[]
  language: string
  theme: { primary_color: string; position?: 'right' | 'left' }
  /** Within business hours (missing: open). */
  open?: boolean
  /** When the team is back, ISO, while closed. */
  next_open_at?: string | null
  /** The pre-chat form, asked before the first message. */
  prechat?: { fields: PrechatField[] } | null
  position?: 'left' | 'right'
  business_hours?: unknown
}

/** What `Parley.identify` takes. */
export interface Identity {
  user_id: string
  user_hash?: string
  user_jwt?: string
  name?: string
  email?: string
  attributes?: Record<string, string | number | boolean | null>
}

/** What the widget keeps in localStorage under `parley:<key>`. */
export interface StoredSession {
  session_id?: string
  token?: string
  visitor_id: string
  /** The identified user the session belongs to: another user never reads it. */
  user_id?: string
}
