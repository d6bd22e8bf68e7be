import { useEffect, useRef, useState } from 'preact/hooks'
import { api, ApiError } from '../../api'
import type { Escalation, InboxSession as Session, Message } from '../../../../contract'
import type { CannedReply, Member } from '../../types'
import { ChannelIcon } from '../../components/channel-icon'
import { fullTime } from '../../time'
import type { ImproveFormProps } from '../feedback/improve-form'
import { MessageItem } from './message-item'
import { PriorityBadge } from './priority-badge'
import { ReplyBox } from './reply-box'
import { SessionDetails } from './session-details'
import { StatusBadge } from './status-badge'
import { visitorName } from './visitor-name'

export interface SessionViewProps {
  tenantId: string
  sessionId: string
  /** The signed-in user, to tell "assigned to me" apart. */
  userId: string
  /** Bumped by the inbox when the tenant event stream reports a change to this session. */
  reloadKey: number
  /** Called after this view changed the session (claim, transfer, resolve, reply), so the list can refresh. */
  onChanged: () => void
  /** Back to the list (one-pane layout on phones). */
  onBack: () => void
  /** The tenant's members, for Transfer (null while loading). */
  members?: Member[] | null
  /** Asks for fresh members (their availability changes) when Transfer opens. */
  onRefreshMembers?: () => void
  /** The tenant's canned replies (null while loading). */
  canned?: CannedReply[] | null
  /** The visitor is typing right now (from the tenant event stream). */
  visitorTyping?: boolean
  onCreateCanned?: (reply: Omit<CannedReply, 'id'>) => Promise<void>
  onUpdateCanned?: (id: string, reply: Omit<CannedReply, 'id'>) => Promise<void>
  onDeleteCanned?: (id: string) => Promise<void>
}

type Action = 'claim' | 'transfer' | 'handback' | 'resolve'

function errorText(err: unknown): string {
  return err instanceof ApiError ? err.message : 'Something went wrong. Please try again.'
}

/** Merges messages by id and keeps them in seq order (a reply may arrive twice: response and event). */
function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  const byId = new Map(current.map((m) => [m.id, m]))
  for (const m of incoming) byId.set(m.id, m)
  return [...byId.values()].sort((a, b) => a.seq - b.seq)
}

/** WhatsApp's customer service window: 24 hours after the customer's last message. */
const WHATSAPP_WINDOW_MS = 24 * 3600 * 1000

const lastCustomerMessage = (messages: Message[]) => messages.filter((m) => m.message_type === 'user').at(-1)

/** Whether WhatsApp would refuse a free-form reply now (the customer's last message is over 24 h old). */
export function whatsappWindowClosed(messages: Message[], now = Date.now()): boolean {
  const last = lastCustomerMessage(messages)
  return !last || now - Date.parse(last.created_at) > WHATSAPP_WINDOW_MS
}

/**
 * WhatsApp's window as the conversation shows it, kept current: closed when the customer's last
 * message is over 24 hours old (re-checked the moment the window closes, without a reload), or when
 * the API refused a reply since that message (its clock decides); a new customer message, arriving
 * through the live stream like the rest of the conversation, opens it again.
 */
function useWhatsappWindow(whatsapp: boolean, messages: Message[]) {
  const last = lastCustomerMessage(messages)
  const lastId = last?.id ?? ''
  // The customer message the API's refusal was about (null: no refusal).
  const [refusedFor, setRefusedFor] = useState<string | null>(null)
  const [, setTick] = useState(0)
  const closesAt = last ? Date.parse(last.created_at) + WHATSAPP_WINDOW_MS : 0
  useEffect(() => {
    if (!whatsapp || !closesAt) return
    const wait = closesAt - Date.now()
    if (wait < 0) return
    // A moment past the edge, so the check agrees (timers may fire a little early).
    const timer = setTimeout(() => setTick((n) => n + 1), wait + 50)
    return () => clearTimeout(timer)
  }, [whatsapp, closesAt])
  return {
    closed: whatsapp && (refusedFor === lastId || whatsappWindowClosed(messages)),
    refused: () => setRefusedFor(lastId),
  }
}

/** An approved WhatsApp template to send: its name and language code, as set in WhatsApp Manager. */
function TemplateForm({ onSend }: { onSend: (t: { name: string; language: string }) => Promise<void> }) {
  const [name, setName] = useState('')
  const [language, setLanguage] = useState('en')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  return (
    <form
      class="template-form"
      aria-label="Send a WhatsApp template"
      onSubmit={async (e) => {
        e.preventDefault()
        setBusy(true)
        setError(null)
        try {
          await onSend({ name: name.trim(), language: language.trim() })
          setName('')
        } catch (err) {
          setError((err as Error).message)
        } finally {
          setBusy(false)
        }
      }}
    >
      <label class="inline-field">
        <span>Template name</span>
        <input
          type="text"
          required
          placeholder="order_update"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <label class="inline-field">
        <span>Language</span>
        <input
          type="text"
          required
          size={6}
          value={language}
          onInput={(e) => setLanguage(e.currentTarget.value)}
        />
      </label>
      <button type="submit" class="btn btn-small" disabled={busy || !name.trim()}>
        Send template
      </button>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
    </form>
  )
}

export const memberName = (m: Member) => m.name || m.display_name || m.email || 'Agent'

/** The right pane: one whole conversation, its actions, the reply box and the details panel. */
export function SessionView(props: SessionViewProps) {
  const { tenantId, sessionId, userId, reloadKey, onChanged, onBack } = props
  const [session, setSession] = useState<Session | null>(null)
  const [escalation, setEscalation] = useState<Escalation | null>(null)
  const [linkDomains, setLinkDomains] = useState<string[]>([])
  const [messages, setMessages] = useState<Message[]>([])
  const [error, setError] = useState<string | null>(null)
  const [actionError, setActionError] = useState<string | null>(null)
  const [busy, setBusy] = useState<Action | null>(null)
  const [transferOpen, setTransferOpen] = useState(false)
  // "Improve this answer": the form comes with the Feedback page's chunk, loaded on first use.
  const [improving, setImproving] = useState<Message | null>(null)
  const [ImproveForm, setImproveForm] = useState<((p: ImproveFormProps) => any) | null>(null)
  const [improved, setImproved] = useState<string | null>(null)
  const improve = (m: Message) => {
    setImproving(m)
    setImproved(null)
    if (!ImproveForm)
      void import('../feedback/improve-form').then((mod) => setImproveForm(() => mod.ImproveForm))
  }
  const [transferTo, setTransferTo] = useState('')
  const [showDetails, setShowDetails] = useState(false)
  const [refresh, setRefresh] = useState(0)
  const listRef = useRef<HTMLOListElement>(null)
  const stickToBottom = useRef(true)

  // A different session: start from scratch.
  useEffect(() => {
    setSession(null)
    setEscalation(null)
    setMessages([])
    setError(null)
    setActionError(null)
    setTransferOpen(false)
    stickToBottom.current = true
  }, [tenantId, sessionId])

  useEffect(() => {
    const ctrl = new AbortController()
    api
      .session(tenantId, sessionId)
      .then((res) => {
        if (ctrl.signal.aborted) return
        setSession(res.session)
        setEscalation(res.escalation ?? null)
        setLinkDomains(res.link_domains ?? [])
        setMessages(res.messages ?? [])
        setError(null)
      })
      .catch((err) => {
        if (!ctrl.signal.aborted) setError(errorText(err))
      })
    return () => ctrl.abort()
  }, [tenantId, sessionId, reloadKey, refresh])

  // Follow new messages only when the agent is already at the bottom (not while reading history).
  useEffect(() => {
    const el = listRef.current
    if (el && stickToBottom.current) el.scrollTop = el.scrollHeight
  }, [messages, props.visitorTyping])

  const act = async (kind: Action, call: () => Promise<{ session: Session }>) => {
    setBusy(kind)
    setActionError(null)
    try {
      const res = await call()
      setSession(res.session)
      if (kind === 'transfer') setTransferOpen(false)
      // The escalation changed too (status, assignee): read it again.
      setRefresh((n) => n + 1)
      onChanged()
    } catch (err) {
      setActionError(errorText(err))
    } finally {
      setBusy(null)
    }
  }

  const whatsappWindow = useWhatsappWindow(session?.channel === 'whatsapp', messages)
  const send = async (content: string, isPrivate: boolean) => {
    try {
      const res = await api.reply(tenantId, sessionId, content, isPrivate)
      stickToBottom.current = true
      setMessages((cur) => mergeMessages(cur, [res.message]))
      onChanged()
    } catch (err) {
      if (err instanceof ApiError && err.code === 'whatsapp_window_closed') whatsappWindow.refused()
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
  // Claim: take a session someone else has, or accept one the assignment gave me (still pending).
  const open = session.status !== 'resolved'
  const others = (props.members ?? []).filter(
    (m) => m.user_id !== userId && m.user_id !== session.assignee?.id && m.availability === 'online',
  )
  const priority = escalation?.priority ?? session.priority
  const windowClosed = whatsappWindow.closed
  return (
    <section class={`view-pane${showDetails ? ' details-open' : ''}`} aria-label="Conversation">
      <header class="view-head">
        {back}
        <div class="view-title">
          <h2>{visitorName(session)}</h2>
          <p class="view-sub">
            <ChannelIcon channel={session.channel} />
            <StatusBadge status={session.status} />
            {session.status === 'escalated' && <PriorityBadge priority={priority} />}
            <span title={session.visitor_id}>
              {session.assignee ? `Assigned to ${mine ? 'you' : session.assignee.name}` : 'Unassigned'}
            </span>
            <span class="muted view-started" title={fullTime(session.created_at)}>
              Started{' '}
              {new Date(session.created_at).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}
            </span>
          </p>
        </div>
        <button
          type="button"
          class="btn btn-ghost details-toggle"
          aria-expanded={showDetails}
          aria-controls="session-details"
          onClick={() => setShowDetails((v) => !v)}
        >
          {showDetails ? 'Chat' : 'Details'}
        </button>
        <div class="view-actions" role="group" aria-label="Session actions">
          {open && (!mine || escalation?.status === 'pending') && (
            <button
              type="button"
              class="btn btn-primary"
              disabled={busy !== null}
              onClick={() => act('claim', () => api.claim(tenantId, sessionId))}
            >
              Claim
            </button>
          )}
          {open && (
            <button
              type="button"
              class="btn"
              disabled={busy !== null}
              aria-expanded={transferOpen}
              aria-controls="transfer-panel"
              onClick={() => {
                setTransferOpen((o) => !o)
                setTransferTo('')
                props.onRefreshMembers?.()
              }}
            >
              Transfer
            </button>
          )}
          {session.status === 'escalated' && (
            <button
              type="button"
              class="btn"
              disabled={busy !== null}
              onClick={() => act('handback', () => api.handback(tenantId, sessionId))}
            >
              Hand back to bot
            </button>
          )}
          <button
            type="button"
            class="btn btn-success"
            disabled={busy !== null || !open}
            onClick={() => act('resolve', () => api.resolve(tenantId, sessionId))}
          >
            {open ? 'Resolve' : 'Resolved'}
          </button>
        </div>
      </header>
      {transferOpen && open && (
        <form
          class="transfer"
          id="transfer-panel"
          onSubmit={(e) => {
            e.preventDefault()
            if (transferTo) void act('transfer', () => api.assign(tenantId, sessionId, transferTo))
          }}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setTransferOpen(false)
          }}
        >
          {props.members === null || props.members === undefined ? (
            <span class="muted small">Loading agents…</span>
          ) : others.length === 0 ? (
            <span class="muted small">No other agent is online right now.</span>
          ) : (
            <>
              <label class="inline-field">
                <span>Transfer to</span>
                <select value={transferTo} onChange={(e) => setTransferTo(e.currentTarget.value)}>
                  <option value="">Choose an online agent…</option>
                  {others.map((m) => (
                    <option key={m.user_id} value={m.user_id}>
                      {memberName(m)}
                    </option>
                  ))}
                </select>
              </label>
              <button type="submit" class="btn btn-primary btn-small" disabled={!transferTo || busy !== null}>
                Transfer
              </button>
            </>
          )}
          <button type="button" class="btn btn-ghost btn-small" onClick={() => setTransferOpen(false)}>
            Cancel
          </button>
        </form>
      )}
      {actionError && (
        <p class="pane-error" role="alert">
          {actionError}
        </p>
      )}
      <div class="view-body">
        <div class="convo">
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
              <MessageItem key={m.id} message={m} onImprove={improve}>
                {improving?.id === m.id && ImproveForm ? (
                  <ImproveForm
                    tenantId={tenantId}
                    messageId={m.id}
                    original={m.content}
                    onCancel={() => setImproving(null)}
                    onSaved={() => {
                      setImproving(null)
                      setImproved(m.id)
                    }}
                  />
                ) : improved === m.id ? (
                  <p class="muted msg-improved" role="status">
                    Improvement saved. An owner or admin applies it on the Feedback page.
                  </p>
                ) : null}
              </MessageItem>
            ))}
          </ol>
          <p class="typing-note" role="status">
            {props.visitorTyping && (
              <>
                <span class="typing-dots" aria-hidden="true">
                  <span />
                  <span />
                  <span />
                </span>
                Visitor is typing…
              </>
            )}
          </p>
          {windowClosed && (
            <div class="window-closed" role="note" data-testid="window-closed">
              <p>
                <strong>WhatsApp's 24-hour window is closed.</strong> The customer last wrote more than 24
                hours ago: WhatsApp now delivers only an approved template message. Private notes still work.
              </p>
              <TemplateForm
                onSend={async (template) => {
                  try {
                    const res = await api.sendTemplate(tenantId, sessionId, template)
                    stickToBottom.current = true
                    setMessages((cur) => mergeMessages(cur, [res.message]))
                    onChanged()
                  } catch (err) {
                    throw new Error(errorText(err))
                  }
                }}
              />
            </div>
          )}
          <ReplyBox
            onSend={send}
            canned={props.canned}
            onCreateCanned={props.onCreateCanned}
            onUpdateCanned={props.onUpdateCanned}
            onDeleteCanned={props.onDeleteCanned}
            onTyping={(typing) => api.typing(tenantId, sessionId, typing)}
          />
        </div>
        <SessionDetails
          id="session-details"
          session={session}
          escalation={escalation}
          linkDomains={linkDomains}
        />
      </div>
    </section>
  )
}
