/** The payloads of the Server-Sent Events the API sends, by stream and event name. */
import type { Message, Person } from './message'
import type { SessionStatus, SessionSummary } from './session'

/** `escalated` on a send stream: the message handed the session to a person. */
export interface EscalatedEvent {
  id: string
  reason: string
  /** The system line the visitor sees. */
  message: Message
}

/** `error` on a send stream: the visitor message is stored, its answer failed. */
export interface StreamErrorEvent {
  code: string
  message: string
}

/** `POST /v1/sessions/:id/messages` with `Accept: text/event-stream`. */
export interface SendEvents {
  /** The stored visitor message. */
  message: Message
  /** A piece of the answer's text. */
  delta: { text: string }
  /** The stored answer with its sources; null when a person has the session. */
  done: Message | null
  escalated: EscalatedEvent
  error: StreamErrorEvent
}

/** `status` on the session stream. */
export interface StatusEvent {
  status: SessionStatus
  assignee: Person | null
}

/** `typing` on the session stream (from the agent) and on the tenant stream (from the visitor). */
export interface TypingEvent {
  session_id?: string
  from: 'visitor' | 'agent'
  name?: string
  typing: boolean
}

/** `GET /v1/sessions/:id/events`: ids are message seqs (resume with Last-Event-ID). */
export interface SessionEvents {
  message: Message
  status: StatusEvent
  typing: TypingEvent
  /** The server is shutting down: reconnect. */
  bye: { reason: string }
}

/** `session` on the tenant stream: something changed about a session. */
export interface TenantSessionEvent {
  session_id: string
  reason: string
  session?: Partial<SessionSummary> & { id: string }
}

/** `GET /v1/tenants/:t/events`. */
export interface TenantEvents {
  session: TenantSessionEvent
  typing: TypingEvent & { session_id: string }
  /** The member lost access: the stream ends and must not be reopened. */
  revoked: Record<string, never>
  bye: { reason: string }
}
