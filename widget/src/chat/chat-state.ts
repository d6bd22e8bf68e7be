/** The chat's state and options, as the components and the store's parts see them. */
import type { Identity, Message, Person, SessionStatus, WidgetConfig } from '../../../contract'
import type { FetchLike } from '../api'
import type { Lang } from '../i18n'
import type { EventTarget, StorageLike } from './session-storage'

/** A message as the widget shows it: a stored Message, or a local one still sending, failed or streaming. */
export interface ViewMessage extends Message {
  /** `sending`/`failed` for a visitor message not stored yet; `streaming` for an answer being written. */
  local?: 'sending' | 'failed' | 'streaming' | 'error'
}

export interface ChatState {
  config: WidgetConfig | null
  lang: Lang
  status: SessionStatus | null
  assignee: Person | null
  messages: ViewMessage[]
  /** Waiting for the first piece of an answer (the typing indicator). */
  waiting: boolean
  /** The name of the agent typing right now, or null. */
  agentTyping: string | null
  /** A send is in flight. */
  busy: boolean
  /** The session exists and its history has been read (or there is none). */
  ready: boolean
  /** A session exists (stored or created). */
  hasSession: boolean
  /** Ratings sent, by message id. */
  feedback: Record<string, 'up' | 'down'>
  /** The CSAT score given, or null. */
  csat: number | null
  /** The pre-chat form was filled in (or skipped by identify). */
  prechatDone: boolean
}

export interface ChatStoreOptions {
  apiBase: string
  key: string
  fetch?: FetchLike
  storage?: StorageLike | null
  /** A language override (data-locale, ParleySettings.locale). */
  locale?: string
  /** The identified user (ParleySettings.identity, or a queued identify). */
  identity?: Identity
  /** Called once for every new stored message of the session (not for the history read at start). */
  onMessage?: (m: Message) => void
  /** Called when the session becomes escalated. */
  onEscalated?: () => void
  /** The first and the longest reconnect delay of the event stream, in ms (tests shorten them). */
  backoff?: number[]
  /** Where `storage` (other tabs) and `online` events come from; the window by default. */
  events?: EventTarget | null
}
