/** Shapes of the console side of API v1 (docs/api.md). */

export type SessionStatus = 'active' | 'escalated' | 'resolved'
export type MessageType = 'user' | 'ai' | 'agent' | 'system'

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

export interface Session {
  id: string
  bot_id: string
  status: SessionStatus
  visitor_id: string
  assignee: Person | null
  created_at: string
  last_message_at: string | null
  csat?: number | null
}

export interface SessionSummary extends Session {
  last_message: { message_type: MessageType; content: string; created_at: string } | null
  message_count: number
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

/** The payload of a tenant `session` event. */
export interface TenantEvent {
  session_id: string
  reason: 'created' | 'message' | 'status'
  session?: Partial<SessionSummary> & { id: string }
}
