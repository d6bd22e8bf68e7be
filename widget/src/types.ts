/** Shapes of the widget side of API v1 (docs/api.md). */

export type MessageType = 'user' | 'ai' | 'agent' | 'system'
export type SessionStatus = 'active' | 'escalated' | 'resolved'

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
  client_message_id: string | null
  sources: Source[]
  agent: { id: string; name: string } | null
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
  assignee: { id: string; name: string } | null
  created_at: string
  last_message_at: string | null
  csat: number | null
}

export interface WidgetConfig {
  bot: { id: string; name: string; avatar_url: string | null }
  greeting: string
  suggestions: string[]
  language: 'fr' | 'en' | 'auto'
  theme: { primary_color: string; position: 'right' | 'left' }
  open: boolean
  business_hours?: unknown
}

/** What the widget keeps in localStorage under `parley:<key>`. */
export interface StoredSession {
  session_id?: string
  token?: string
  visitor_id: string
}
