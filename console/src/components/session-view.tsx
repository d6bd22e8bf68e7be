import { useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError } from '../api'
import type { Message, Session } from '../types'
import { fullTime, shortVisitor } from '../time'
import { MessageItem } from './message-item'
import { ReplyBox } from './reply-box'
import { StatusBadge } from './status-badge'

export interface SessionViewProps {
  tenantId: string
  sessionId: string
  /** The signed-in user, to tell "assigned to me" apart. */
  userId: string
  /** Bumped by the inbox when the tenant event stream reports a change to this session. */
  reloadKey: number
  /** Called after this view changed the session (assign, resolve, reply), so the list can refresh. */
  onChanged: () => void
  /** Back to the list (one-pane layout on phones). */
  onBack: () => void
}

function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : 'Something went wrong. Please try again.'
}

/** Merges messages by id and keeps them in seq order (a reply may arrive twice: response and event). */
function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]))
  for (const m of incoming) byId.set(m.id, m)
  return [...byId.values()].sort((a, b) => a.seq - b.seq)
}

/** The right pane: one whole conversation, its actions and the reply box. */
export function SessionView({ tenantId, sessionId, userId, reloadKey, onChanged, onBack }: SessionViewProps) {
  const [session, setSession] = useState<Session | null>(null)
  const [messages, setMessages] = useState<Message[]>([])
  const [error, setError] = useState<string | null>(null)
  const [actionError, setActionError] = useState<string | null>(null)
  const [busy, setBusy] = useState<'assign' | 'resolve' | null>(null)
  const listRef = useRef<HTMLOListElement>(null)
  const stickToBottom = useRef(true)

  // A different session: start from scratch.
  useEffect(() => {
    setSession(null)
    setMessages([])
    setError(null)
    setActionError(null)
    stickToBottom.current = true
  }, [tenantId, sessionId])

  useEffect(() => {
    const ctrl = new AbortController()
    api
      .session(tenantId, sessionId)
      .then((res) => {
        if (ctrl.signal.aborted) return
        setSession(res.session)
        setMessages(res.messages ?? [])
        setError(null)
      })
      .catch((err) => {
        if (!ctrl.signal.aborted) setError(errorText(err))
      })
    return () => ctrl.abort()
  }, [tenantId, sessionId, reloadKey])

  // Follow new messages only when the agent is already at the bottom (not while reading history).
  useEffect(() => {
    const el = listRef.current
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight
  }, [messages])

  const act = async (kind: 'assign' | 'resolve') => {
    setBusy(kind)
    setActionError(null)
    try {
      const res =
        kind === 'assign' ? await api.assign(tenantId, sessionId) : await api.resolve(tenantId, sessionId)
      setSession(res.session)
      onChanged()
    } catch (err) {
      setActionError(errorText(err))
    } finally {
      setBusy(null)
    }
  }

  const send = async (content: string, isPrivate: boolean) => {
    try {
      const res = await api.reply(tenantId, sessionId, content, isPrivate)
      stickToBottom.current = true
      setMessages((cur) => mergeMessages(cur, [res.message]))
      onChanged()
    } catch (err) {
      throw new Error(errorText(err))
    }
  }

  const back = (
    <button type="button" class="btn btn-ghost back" onClick={onBack}>
      ← Inbox
    </button>
  )

  if (error && !session) {
    return (
      <section class="view-pane" aria-label="Conversation">
        <div class="view-head">{back}</div>
        <p class="pane-error" role="alert">
          {error}
        </p>
      </section>
    )
  }
  if (!session) {
    return (
      <section class="view-pane" aria-label="Conversation">
        <div class="view-head">{back}</div>
        <p class="empty">Loading conversation…</p>
      </section>
    )
  }

  const mine = session.assignee?.id === userId
  return (
    <section class="view-pane" aria-label="Conversation">
      <header class="view-head">
        {back}
        <div class="view-title">
          <h2>Visitor {shortVisitor(session.visitor_id)}</h2>
          <p class="view-sub">
            <StatusBadge status={session.status} />
            <span title={session.visitor_id}>
              {session.assignee ? `Assigned to ${mine ? 'you' : session.assignee.name}` : 'Unassigned'}
            </span>
            <span class="muted view-started" title={fullTime(session.created_at)}>
              Started{' '}
              {new Date(session.created_at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}
            </span>
          </p>
        </div>
        <div class="view-actions">
          {!mine && (
            <button type="button" class="btn" disabled={busy !== null} onClick={() => act('assign')}>
              Assign to me
            </button>
          )}
          <button
            type="button"
            class="btn btn-success"
            disabled={busy !== null || session.status === 'resolved'}
            onClick={() => act('resolve')}
          >
            {session.status === 'resolved' ? 'Resolved' : 'Resolve'}
          </button>
        </div>
      </header>
      {actionError && (
        <p class="pane-error" role="alert">
          {actionError}
        </p>
      )}
      <ol
        class="messages"
        ref={listRef}
        aria-label="Messages"
        aria-live="polite"
        onScroll={(e) => {
          const el = e.currentTarget
          stickToBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40
        }}
      >
        {messages.length === 0 && <li class="empty">No messages yet.</li>}
        {messages.map((m) => (
          <MessageItem key={m.id} message={m} />
        ))}
      </ol>
      <ReplyBox onSend={send} />
    </section>
  )
}
