import type { SessionStatus, SessionSummary } from '../../../../contract'
import type { Member, QueueFilters } from '../../types'
import { ChannelIcon, channelName } from '../../components/channel-icon'
import { fullTime, relativeTime } from '../../time'
import { PriorityBadge } from './priority-badge'
import { StatusBadge } from './status-badge'
import { visitorName } from './visitor-name'

export interface SessionListProps {
  sessions: SessionSummary[] | null
  filters: QueueFilters
  onFilters: (filters: QueueFilters) => void
  /** The tenant's members, offered in the assignee filter. */
  members?: Member[] | null
  userId: string
  selectedId: string | null
  onSelect: (id: string) => void
  isUnread: (session: SessionSummary) => boolean
  /** Sessions whose visitor is typing right now. */
  typing?: ReadonlySet<string>
  error: string | null
  /** Re-rendered periodically so relative times move on. */
  now: number
}

const STATUSES: { value: SessionStatus | undefined; label: string }[] = [
  { value: undefined, label: 'All' },
  { value: 'active', label: 'Active' },
  { value: 'escalated', label: 'Escalated' },
  { value: 'resolved', label: 'Resolved' },
]

/** The channels the inbox filters by. */
export const CHANNELS = ['widget', 'telegram', 'whatsapp', 'messenger', 'instagram'] as const

const PREFIX: Record<string, string> = { ai: 'Bot: ', agent: 'Agent: ', system: '' }

function emptyText(filters: QueueFilters): string {
  if (!filters.status && !filters.priority && !filters.assignee && !filters.channel)
    return 'No conversations yet.'
  return 'No sessions match these filters.'
}

/**
 * The left pane: the queue's filters (status, priority, assignee with "Mine" and "Unassigned",
 * channel) and one row (a button) per session with its channel's mark, newest activity first;
 * escalated rows carry their priority and the escalation's reason.
 */
export function SessionList(props: SessionListProps) {
  const { sessions, filters, selectedId, error, now, userId } = props
  const set = (patch: Partial<QueueFilters>) => props.onFilters({ ...filters, ...patch })
  const others = (props.members ?? []).filter((m) => m.user_id !== userId)
  const assigneeName = (s: SessionSummary) =>
    !s.assignee ? 'Unassigned' : s.assignee.id === userId ? 'You' : s.assignee.name
  return (
    <section class="list-pane" aria-label="Sessions">
      <div class="list-head">
        <h2>Inbox</h2>
        <div class="filters" role="group" aria-label="Filter by status">
          {STATUSES.map((f) => (
            <button
              key={f.label}
              type="button"
              class={`chip${filters.status === f.value ? ' chip-on' : ''}`}
              aria-pressed={filters.status === f.value}
              onClick={() => set({ status: f.value })}
            >
              {f.label}
            </button>
          ))}
        </div>
        <div class="filters filters-more">
          <label class="inline-field">
            <span>Priority</span>
            <select
              value={filters.priority ? String(filters.priority) : ''}
              onChange={(e) => set({ priority: Number(e.currentTarget.value) || undefined })}
            >
              <option value="">Any</option>
              <option value="5">P5 urgent</option>
              <option value="4">P4 high</option>
              <option value="3">P3 normal</option>
              <option value="2">P2 low</option>
              <option value="1">P1 lowest</option>
            </select>
          </label>
          <label class="inline-field">
            <span>Assignee</span>
            <select
              value={filters.assignee ?? ''}
              onChange={(e) => set({ assignee: e.currentTarget.value || undefined })}
            >
              <option value="">Anyone</option>
              <option value="me">Mine</option>
              <option value="none">Unassigned</option>
              {others.map((m) => (
                <option key={m.user_id} value={m.user_id}>
                  {m.name || m.display_name || m.email || 'Agent'}
                </option>
              ))}
              {filters.assignee &&
                !['me', 'none'].includes(filters.assignee) &&
                !others.some((m) => m.user_id === filters.assignee) && (
                  <option value={filters.assignee}>Another agent</option>
                )}
            </select>
          </label>
          <label class="inline-field">
            <span>Channel</span>
            <select
              value={filters.channel ?? ''}
              onChange={(e) =>
                set({ channel: (e.currentTarget.value || undefined) as QueueFilters['channel'] })
              }
            >
              <option value="">Any</option>
              {CHANNELS.map((ch) => (
                <option key={ch} value={ch}>
                  {channelName(ch)}
                </option>
              ))}
            </select>
          </label>
        </div>
      </div>
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {sessions === null && !error && <p class="empty">Loading sessions…</p>}
      {sessions && sessions.length === 0 && <p class="empty">{emptyText(filters)}</p>}
      {sessions && sessions.length > 0 && (
        <ul class="rows">
          {sessions.map((s) => {
            const unread = props.isUnread(s) && s.id !== selectedId
            const when = s.last_message?.created_at ?? s.last_message_at ?? s.created_at
            const typing = props.typing?.has(s.id)
            const preview = s.last_message
              ? (PREFIX[s.last_message.message_type] ?? '') + s.last_message.content
              : 'No messages yet'
            const esc = s.status === 'escalated' ? s.escalation : null
            return (
              <li key={s.id}>
                <button
                  type="button"
                  class={`row${s.id === selectedId ? ' row-on' : ''}${unread ? ' row-unread' : ''}${esc ? ' row-escalated' : ''}`}
                  aria-current={s.id === selectedId ? 'true' : undefined}
                  onClick={() => props.onSelect(s.id)}
                >
                  <span class="row-top">
                    <ChannelIcon channel={s.channel} compact />
                    <span class="row-visitor">{visitorName(s)}</span>
                    <StatusBadge status={s.status} />
                    {s.status === 'escalated' && <PriorityBadge priority={esc?.priority ?? s.priority} />}
                    <time class="row-time" dateTime={when} title={fullTime(when)}>
                      {relativeTime(when, now)}
                    </time>
                  </span>
                  {esc?.reason && (
                    <span class="row-reason" title={esc.reason}>
                      <span class="sr-only">Reason: </span>
                      {esc.reason}
                    </span>
                  )}
                  <span class="row-bottom">
                    {typing ? (
                      <span class="row-preview row-typing">Visitor is typing…</span>
                    ) : (
                      <span class="row-preview">{preview}</span>
                    )}
                    {s.status !== 'resolved' && (
                      <span class={`row-assignee${s.assignee ? '' : ' row-unassigned'}`}>
                        {assigneeName(s)}
                      </span>
                    )}
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
