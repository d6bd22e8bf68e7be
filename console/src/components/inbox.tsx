import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError, getToken } from '../api'
import { subscribe } from '../sse'
import type { SessionSummary, TenantEvent } from '../types'
import { SessionList, type StatusFilter } from './session-list'
import { SessionView } from './session-view'

export interface InboxProps {
  tenantId: string
  userId: string
  /** The token was refused (expired or revoked). */
  onUnauthorized: () => void
  /** Reports whether the live event stream is connected. */
  onLive: (connected: boolean) => void
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

function selectedFromHash(): string | null {
  const m = /^#\/sessions\/([^/?#]+)/.exec(location.hash)
  return m ? decodeURIComponent(m[1]) : null
}

/** The two-pane inbox: sessions on the left, the open conversation on the right, kept live by SSE. */
export function Inbox({ tenantId, userId, onUnauthorized, onLive }: InboxProps) {
  const [filter, setFilter] = useState<StatusFilter>('all')
  const [sessions, setSessions] = useState<SessionSummary[] | null>(null)
  const [listError, setListError] = useState<string | null>(null)
  const [selectedId, setSelectedId] = useState<string | null>(selectedFromHash)
  const [reloadKey, setReloadKey] = useState(0)
  const [seen, setSeen] = useState<Record<string, string>>(loadSeen)
  const [now, setNow] = useState(Date.now())
  const selectedRef = useRef(selectedId)
  selectedRef.current = selectedId

  const fail = useCallback(
    (err: unknown) => {
      if (err instanceof ApiError && err.status === 401) onUnauthorized()
      return err instanceof ApiError ? err.message : 'Something went wrong.'
    },
    [onUnauthorized],
  )

  const loadList = useCallback(async () => {
    try {
      const res = await api.sessions(tenantId, filter === 'all' ? undefined : filter)
      setSessions(res.sessions ?? [])
      setListError(null)
    } catch (err) {
      setListError(fail(err))
    }
  }, [tenantId, filter, fail])

  useEffect(() => {
    setSessions(null)
    void loadList()
  }, [loadList])

  // Live updates: many events can arrive at once (a bot answer streams in), so refetch once per burst.
  const listTimer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const viewTimer = useRef<ReturnType<typeof setTimeout>>(undefined)
  const loadListRef = useRef(loadList)
  loadListRef.current = loadList
  useEffect(() => {
    const stop = subscribe(api.eventsUrl(tenantId), {
      headers: (): Record<string, string> => {
        const token = getToken()
        return token ? { Authorization: `Bearer ${token}` } : {}
      },
      onState: onLive,
      onDenied: onUnauthorized,
      onEvent: (ev) => {
        if (ev.event !== 'session') return
        let payload: TenantEvent
        try {
          payload = JSON.parse(ev.data)
        } catch {
          return
        }
        clearTimeout(listTimer.current)
        listTimer.current = setTimeout(() => void loadListRef.current(), 250)
        if (payload.session_id && payload.session_id === selectedRef.current) {
          clearTimeout(viewTimer.current)
          viewTimer.current = setTimeout(() => setReloadKey((k) => k + 1), 150)
        }
      },
    })
    return () => {
      stop()
      clearTimeout(listTimer.current)
      clearTimeout(viewTimer.current)
      onLive(false)
    }
  }, [tenantId, onLive, onUnauthorized])

  // Relative times move on without a refetch.
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(id)
  }, [])

  // The selection lives in the URL hash, so reload and the phone's back button work.
  useEffect(() => {
    const onHash = () => setSelectedId(selectedFromHash())
    addEventListener('hashchange', onHash)
    return () => removeEventListener('hashchange', onHash)
  }, [])

  const select = (id: string | null) => {
    setSelectedId(id)
    const hash = id ? `#/sessions/${encodeURIComponent(id)}` : ''
    if (location.hash !== hash) history.pushState(null, '', hash || location.pathname + location.search)
  }

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
        filter={filter}
        onFilter={setFilter}
        selectedId={selectedId}
        onSelect={select}
        isUnread={isUnread}
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
        />
      ) : (
        <section class="view-pane view-empty" aria-label="Conversation">
          <p class="empty">Select a conversation to read it and reply.</p>
        </section>
      )}
    </div>
  )
}
