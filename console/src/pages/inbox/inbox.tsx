import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError, getToken, queueQuery } from '../../api'
import type {
  SessionChannel,
  SessionSummary,
  TenantEvents,
  TenantSessionEvent as TenantEvent,
} from '../../../../contract'
import { subscribe } from '../../../../contract/subscribe'
import type { CannedReply, Member, QueueFilters } from '../../types'
import { CHANNELS, SessionList } from './session-list'
import { SessionView } from './session-view'

export interface InboxProps {
  tenantId: string
  userId: string
  /** The token was refused (expired or revoked). */
  onUnauthorized: () => void
  /** Reports whether the live event stream is connected. */
  onLive: (connected: boolean) => void
  /** The tenant's members (null while loading), for the assignee filter and Transfer. */
  members?: Member[] | null
  onRefreshMembers?: () => void
}

const SEEN_KEY = 'parley.console.seen'

/** When each session was last opened here, to show an unread dot on rows updated since. */
function loadSeen(): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(SEEN_KEY) ?? '{}') ?? {}
  } catch {
    return {}
  }
}

function saveSeen(seen: Record<string, string>) {
  try {
    localStorage.setItem(SEEN_KEY, JSON.stringify(seen))
  } catch {
    // Storage full or disabled: unread dots only last for this page.
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * The URL hash holds the open session and the filters, so a reload, a shared link and the phone's
 * back button all work: `#/sessions/<id>?status=escalated&priority=5&assignee=me`.
 */
export function readHash(hash = location.hash): { selectedId: string | null; filters: QueueFilters } {
  const body = hash.replace(/^#/, '')
  const q = body.indexOf('?')
  const path = q === -1 ? body : body.slice(0, q)
  const params = new URLSearchParams(q === -1 ? '' : body.slice(q + 1))
  const m = /^\/sessions\/([^/?#]+)/.exec(path)
  const filters: QueueFilters = {}
  const status = params.get('status')
  if (status === 'active' || status === 'escalated' || status === 'resolved') filters.status = status
  const priority = Number(params.get('priority'))
  if (Number.isInteger(priority) && priority >= 1 && priority <= 5) filters.priority = priority
  const assignee = params.get('assignee')
  if (assignee && (assignee === 'me' || assignee === 'none' || UUID.test(assignee)))
    filters.assignee = assignee
  const channel = params.get('channel')
  if (channel && (CHANNELS as readonly string[]).includes(channel))
    filters.channel = channel as SessionChannel
  return { selectedId: m ? decodeURIComponent(m[1]) : null, filters }
}

export function writeHash(selectedId: string | null, filters: QueueFilters): string {
  const query = queueQuery(filters)
  if (!selectedId && !query) return ''
  return `#/${selectedId ? `sessions/${encodeURIComponent(selectedId)}` : ''}${query}`
}

/** Whether a session belongs in the list under these filters (for live updates without a refetch). */
export function matchesFilters(s: SessionSummary, f: QueueFilters, userId: string): boolean {
  if (f.status && s.status !== f.status) return false
  if (f.priority && (s.priority ?? s.escalation?.priority) !== f.priority) return false
  if (f.assignee === 'me' && s.assignee?.id !== userId) return false
  if (f.assignee === 'none' && s.assignee) return false
  if (f.assignee && f.assignee !== 'me' && f.assignee !== 'none' && s.assignee?.id !== f.assignee)
    return false
  if (f.channel && (s.channel ?? 'widget') !== f.channel) return false
  return true
}

const activity = (s: SessionSummary) => Date.parse(s.last_message_at ?? s.created_at) || 0

/**
 * The API's queue order: escalated sessions first, the most urgent first, then newest activity.
 * Negative when `a` comes first.
 */
export function queueOrder(a: SessionSummary, b: SessionSummary): number {
  const esc = Number(b.status === 'escalated') - Number(a.status === 'escalated')
  if (esc) return esc
  if (a.status === 'escalated') {
    const pa = a.priority ?? -1
    const pb = b.priority ?? -1
    if (pa !== pb) return pb - pa
  }
  return activity(b) - activity(a)
}

/** Puts a changed session in its place in the queue, or takes it out if it no longer matches. */
export function upsertSession(
  list: SessionSummary[],
  changed: SessionSummary,
  filters: QueueFilters,
  userId: string,
): SessionSummary[] {
  const rest = list.filter((s) => s.id !== changed.id)
  if (!matchesFilters(changed, filters, userId)) return rest
  const i = rest.findIndex((s) => queueOrder(changed, s) < 0)
  return i === -1 ? [...rest, changed] : [...rest.slice(0, i), changed, ...rest.slice(i)]
}

/** How long a visitor's "typing" lasts without news (a lost `typing: false` must not stick). */
const TYPING_TTL_MS = 6000

/** The two-pane inbox: sessions on the left, the open conversation on the right, kept live by SSE. */
export function Inbox({ tenantId, userId, onUnauthorized, onLive, members, onRefreshMembers }: InboxProps) {
  const [route, setRoute] = useState(() => readHash())
  const { selectedId, filters } = route
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null)
  const [listError, setListError] = useState<string | null>(null)
  const [reloadKey, setReloadKey] = useState(0)
  const [seen, setSeen] = useState<Record<string, string>>(loadSeen)
  const [now, setNow] = useState(Date.now())
  const [typing, setTyping] = useState<ReadonlySet<string>>(() => new Set())
  const [canned, setCanned] = useState<CannedReply[] | null>(null)
  const selectedRef = useRef(selectedId)
  selectedRef.current = selectedId
  const filtersKey = queueQuery(filters)
  const filtersRef = useRef(filters)
  filtersRef.current = filters

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) onUnauthorized()
      return err instanceof ApiError ? err.message : 'Something went wrong.'
    },
    [onUnauthorized],
  )

  const loadList = useCallback(async () => {
    try {
      const res = await api.sessions(tenantId, filtersRef.current)
      setSessions(res.sessions ?? [])
      setListError(null)
    } catch (err) {
      setListError(fail(err))
    }
    // filtersKey stands for the filters' content: a new object with the same filters is no change.
  }, [tenantId, filtersKey, fail])

  useEffect(() => {
    setSessions(null)
    void loadList()
  }, [loadList])

  // Canned replies, once per workspace; without them the reply box still works.
  useEffect(() => {
    let stale = false
    api
      .cannedReplies(tenantId)
      .then((res) => !stale && setCanned(res.canned_replies ?? []))
      .catch(() => !stale && setCanned([]))
    return () => {
      stale = true
    }
  }, [tenantId])

  const typingTimers = useRef(new Map<string, ReturnType<typeof setTimeout>>())
  const setVisitorTyping = useCallback((sessionId: string, on: boolean) => {
    const timers = typingTimers.current
    clearTimeout(timers.get(sessionId))
    timers.delete(sessionId)
    if (on)
      timers.set(
        sessionId,
        setTimeout(() => setVisitorTyping(sessionId, false), TYPING_TTL_MS),
      )
    setTyping((cur) => {
      if (cur.has(sessionId) === on) return cur
      const next = new Set(cur)
      if (on) next.add(sessionId)
      else next.delete(sessionId)
      return next
    })
  }, [])

  // Live updates. A `session` event carries the changed session: that one row is updated in place
  // (or leaves the list when it no longer matches the filters). An event without it makes the list
  // refetch, once per burst.
  const listTimer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const viewTimer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const loadListRef = useRef(loadList)
  loadListRef.current = loadList
  useEffect(() => {
    const onSession = (payload: TenantEvent) => {
      const changed = payload.session
      if (changed && 'status' in changed && 'visitor_id' in changed && 'created_at' in changed) {
        const summary = changed as SessionSummary
        setSessions((cur) => (cur ? upsertSession(cur, summary, filtersRef.current, userId) : cur))
        // A visitor's message ends their typing.
        if (payload.reason === 'message' && summary.last_message?.message_type === 'user')
          setVisitorTyping(summary.id, false)
      } else {
        clearTimeout(listTimer.current)
        listTimer.current = setTimeout(() => void loadListRef.current(), 250)
      }
      if (payload.session_id && payload.session_id === selectedRef.current) {
        clearTimeout(viewTimer.current)
        viewTimer.current = setTimeout(() => setReloadKey((k) => k + 1), 150)
      }
    }
    let connectedBefore = false
    const stop = subscribe(api.eventsUrl(tenantId), {
      headers: (): Record<string, string> => {
        const token = getToken()
        return token ? { Authorization: `Bearer ${token}` } : {}
      },
      onState: (connected) => {
        onLive(connected)
        // Events may have been missed while disconnected: catch up after a reconnect.
        if (connected && connectedBefore) void loadListRef.current()
        if (connected) connectedBefore = true
      },
      onDenied: onUnauthorized,
      onEvent: (ev) => {
        let payload: TenantEvent | TenantEvents['typing']
        try {
          payload = JSON.parse(ev.data)
        } catch {
          return
        }
        if (!payload || typeof payload.session_id !== 'string') return
        if (ev.event === 'session') onSession(payload as TenantEvent)
        else if (ev.event === 'typing') {
          const t = payload as TenantEvents['typing']
          if (t.from === 'visitor') setVisitorTyping(t.session_id, t.typing === true)
        }
      },
    })
    const timers = typingTimers.current
    return () => {
      stop()
      clearTimeout(listTimer.current)
      clearTimeout(viewTimer.current)
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
      onLive(false)
    }
  }, [tenantId, userId, onLive, onUnauthorized, setVisitorTyping])

  // Relative times move on without a refetch.
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(id)
  }, [])

  useEffect(() => {
    const onHash = () => setRoute(readHash())
    addEventListener('hashchange', onHash)
    addEventListener('popstate', onHash)
    return () => {
      removeEventListener('hashchange', onHash)
      removeEventListener('popstate', onHash)
    }
  }, [])

  const go = (id: string | null, next: QueueFilters, push: boolean) => {
    setRoute({ selectedId: id, filters: next })
    const hash = writeHash(id, next)
    if (location.hash === hash) return
    const url = hash || location.pathname + location.search
    if (push) history.pushState(null, '', url)
    else history.replaceState(null, '', url)
  }
  const select = (id: string | null) => go(id, filters, true)

  // While a session is open it counts as read, including what arrives during that time.
  const openRow = sessions?.find((s) => s.id === selectedId)
  const openActivity = openRow?.last_message_at ?? openRow?.last_message?.created_at ?? null
  useEffect(() => {
    if (!selectedId) return
    setSeen((cur) => {
      const next = { ...cur, [selectedId]: new Date().toISOString() }
      saveSeen(next)
      return next
    })
  }, [selectedId, openActivity])

  const isUnread = (s: SessionSummary) => {
    const activity = s.last_message_at ?? s.last_message?.created_at
    if (!activity) return false
    const viewed = seen[s.id]
    // Never opened here: worth a look unless it is already closed.
    if (!viewed) return s.status !== 'resolved'
    return Date.parse(activity) > Date.parse(viewed)
  }

  return (
    <div class={`inbox${selectedId ? ' inbox-open' : ''}`}>
      <SessionList
        sessions={sessions}
        filters={filters}
        onFilters={(next) => go(selectedId, next, false)}
        members={members}
        userId={userId}
        selectedId={selectedId}
        onSelect={select}
        isUnread={isUnread}
        typing={typing}
        error={listError}
        now={now}
      />
      {selectedId ? (
        <SessionView
          key={selectedId}
          tenantId={tenantId}
          sessionId={selectedId}
          userId={userId}
          reloadKey={reloadKey}
          onChanged={() => void loadList()}
          onBack={() => select(null)}
          members={members}
          onRefreshMembers={onRefreshMembers}
          canned={canned}
          onCreateCanned={async (reply) => {
            try {
              const res = await api.createCannedReply(tenantId, reply)
              setCanned((cur) =>
                [...(cur ?? []), res.canned_reply].sort((a, b) => a.shortcut.localeCompare(b.shortcut)),
              )
            } catch (err) {
              throw new Error(fail(err))
            }
          }}
          onUpdateCanned={async (id, reply) => {
            try {
              const res = await api.updateCannedReply(tenantId, id, reply)
              setCanned((cur) =>
                (cur ?? [])
                  .map((c) => (c.id === id ? res.canned_reply : c))
                  .sort((a, b) => a.shortcut.localeCompare(b.shortcut)),
              )
            } catch (err) {
              throw new Error(fail(err))
            }
          }}
          onDeleteCanned={async (id) => {
            try {
              await api.deleteCannedReply(tenantId, id)
              setCanned((cur) => cur?.filter((c) => c.id !== id) ?? cur)
            } catch (err) {
              throw new Error(fail(err))
            }
          }}
          visitorTyping={typing.has(selectedId)}
        />
      ) : (
        <section class="view-pane view-empty" aria-label="Conversation">
          <p class="empty">Select a conversation to read it and reply.</p>
        </section>
      )}
    </div>
  )
}
