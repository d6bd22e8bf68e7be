import type { SessionStatus, SessionSummary } from '../types'
import { fullTime, relativeTime, shortVisitor } from '../time'
import { StatusBadge } from './status-badge'

export type StatusFilter = 'all' | SessionStatus

export interface SessionListProps {
  sessions: SessionSummary[] | null
  filter: StatusFilter
  onFilter: (filter: StatusFilter) => void
  selectedId: string | null
  onSelect: (id: string) => void
  isUnread: (session: SessionSummary) => boolean
  error: string | null
  /** Re-rendered periodically so relative times move on. */
  now: number
}

const FILTERS: { value: StatusFilter; label: string }[] = [
  { value: 'all', label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'escalated', label: 'Escalated' },
  { value: 'resolved', label: 'Resolved' },
]

const PREFIX: Record<string, string> = { ai: 'Bot: ', agent: 'Agent: ', system: '' }

/** The left pane: a status filter and one row (a button) per session, newest activity first. */
export function SessionList(props: SessionListProps) {
  const { sessions, filter, selectedId, error, now } = props
  return (
    <section class="list-pane" aria-label="Sessions">
      <div class="list-head">
        <h2>Inbox</h2>
        <div class="filters" role="group" aria-label="Filter by status">
          {FILTERS.map((f) => (
            <button
              key={f.value}
              type="button"
              class={`chip${filter === f.value ? ' chip-on' : ''}`}
              aria-pressed={filter === f.value}
              onClick={() => props.onFilter(f.value)}
            >
              {f.label}
            </button>
          ))}
        </div>
      </div>
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {sessions === null && !error && <p class="empty">Loading sessions…</p>}
      {sessions && sessions.length === 0 && (
        <p class="empty">{filter === 'all' ? 'No conversations yet.' : `No ${filter} sessions.`}</p>
      )}
      {sessions && sessions.length > 0 && (
        <ul class="rows">
          {sessions.map((s) => {
            const unread = props.isUnread(s) && s.id !== selectedId
            const when = s.last_message?.created_at ?? s.last_message_at ?? s.created_at
            const preview = s.last_message
              ? (PREFIX[s.last_message.message_type] ?? '') + s.last_message.content
              : 'No messages yet'
            return (
              <li key={s.id}>
                <button
                  type="button"
                  class={`row${s.id === selectedId ? ' row-on' : ''}${unread ? ' row-unread' : ''}`}
                  aria-current={s.id === selectedId ? 'true' : undefined}
                  onClick={() => props.onSelect(s.id)}
                >
                  <span class="row-top">
                    <span class="row-visitor">Visitor {shortVisitor(s.visitor_id)}</span>
                    <StatusBadge status={s.status} />
                    <time class="row-time" dateTime={when} title={fullTime(when)}>
                      {relativeTime(when, now)}
                    </time>
                  </span>
                  <span class="row-bottom">
                    <span class="row-preview">{preview}</span>
                    {unread && (
                      <span class="dot">
                        <span class="sr-only">Unread</span>
                      </span>
                    )}
                  </span>
                </button>
              </li>
            )
          })}
        </ul>
      )}
    </section>
  )
}
