/** Messages and their citations, as the API sends them (api/src/sessions/messages.ts, toMessage). */

export type MessageType = 'user' | 'ai' | 'agent' | 'system'

/** `partial`: an answer cut short (the stream failed midway); `failed`: no answer could be written. */
export type MessageStatus = 'complete' | 'partial' | 'failed'

/** A person on the support side: the agent who wrote a message, or a session's assignee. */
export interface Person {
  id: string
  name: string
  /** An https image URL, or null. The API does not send it yet; the widget shows it when present. */
  avatar_url?: string | null
}

/** A citation: the knowledge source, and the passage (chunk) and page it came from. */
export interface Source {
  id: string
  /** 'improvement' when an applied improvement answered (id is the improvement's); absent for passages. */
  kind?: 'improvement'
  chunk_id?: string
  title: string
  url: string | null
  page?: number | null
  snippet: string
}

/** One stored message of a session. Every field is always sent. */
export interface Message {
  id: string
  session_id: string
  /** The session's sequence number: ordering, `?after=` and the events' Last-Event-ID. */
  seq: number
  message_type: MessageType
  content: string
  /** The sender's idempotency key (visitor messages), else null. */
  client_message_id: string | null
  sources: Source[]
  /** The agent who wrote it (agent messages and private notes), else null. */
  agent: Person | null
  status: MessageStatus
  /** The answer's confidence (bot answers), else null. */
  confidence: number | null
  /** The bot suggests handing the conversation to a person. */
  suggest_human: boolean
  /** An agent's private note: only the console ever receives one. */
  private: boolean
  /** The visitor message a bot answer replies to, else null. */
  reply_to: string | null
  /** ISO 8601. */
  created_at: string
  /** Messaging channels only: the platform delivery of an outgoing message (console). */
  delivery?: MessageDelivery
  /** Messaging channels only: what a visitor sent that is not text ("[image]" is its content). */
  attachment?: { type: string }
  /**
   * Choices the bot offers (meeting slots, a cancel button): the widget shows buttons that send the
   * label as the visitor's message; a channel lists them numbered and the visitor answers the number.
   */
  choices?: Choice[]
}

/** One choice of a bot message. */
export interface Choice {
  label: string
}

/** How an outgoing message of a channel session reached the platform. */
export interface MessageDelivery {
  status: 'pending' | 'retrying' | 'sent' | 'delivered' | 'read' | 'failed'
  /** Why the last try failed (retrying, failed). */
  error?: string
  attempts?: number
  platform_message_ids?: string[]
}

/** `POST /v1/sessions/:id/messages` body. */
export interface SendMessageRequest {
  content: string
  client_message_id: string
}

/** `POST /v1/sessions/:id/messages` with `Accept: application/json`. */
export interface SendMessageResult {
  message: Message
  reply: Message | null
}
