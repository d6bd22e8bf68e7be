import { useEffect, useRef } from 'preact/hooks'
import { fmt, type Strings } from '../i18n'
import type { ChatState, ChatStore } from './chat-store'
import { Csat } from './csat'
import { MessageBubble } from './message-bubble'
import { TypingIndicator } from './typing-indicator'

export interface MessageListProps {
  state: ChatState
  t: Strings
  store: ChatStore
}

/** "Back tomorrow at 09:00"-style text for the offline banner, in the visitor's language and time zone. */
export function backAt(iso: string | null | undefined, lang: string, t: Strings, now = new Date()): string {
  const d = iso ? new Date(iso) : null
  if (!d || isNaN(+d)) return ''
  const time = d.toLocaleTimeString(lang, { hour: 'numeric', minute: '2-digit' })
  const sameDay = d.toDateString() === now.toDateString()
  const day = sameDay ? '' : d.toLocaleDateString(lang, { weekday: 'long' }) + ' '
  return fmt(t.backAt, { time: day + time })
}

/** The conversation, with the greeting and suggestion chips before the first message. */
export function MessageList({ state: s, t, store }: MessageListProps) {
  const { messages } = s
  const ref = useRef<HTMLDivElement>(null)
  const last = messages[messages.length - 1]
  const resolved = s.status === 'resolved'
  useEffect(() => {
    const el = ref.current
    if (el) el.scrollTop = el.scrollHeight
  }, [messages.length, last && last.content, s.waiting, s.agentTyping, resolved])

  const cfg = s.config
  const empty = !messages.length
  const suggestions = (cfg && cfg.suggestions) || []
  const assignee = s.assignee
  return (
    <div class="list" ref={ref} role="log" aria-live="polite" aria-label={t.messages}>
      {cfg && cfg.open === false && (
        <div class="system offline" role="note">
          {t.offline} {backAt(cfg.next_open_at, s.lang, t)}
        </div>
      )}
      {empty && (
        <div class="row bot">
          <div class="bubble">{(cfg && cfg.greeting) || t.greeting}</div>
        </div>
      )}
      {messages.map((m) => (
        <MessageBubble
          key={m.id}
          message={m}
          t={t}
          avatar={assignee && m.agent && m.agent.id === assignee.id ? assignee.avatar_url : null}
          rated={s.feedback[m.id]}
          store={store}
          escalatable={s.status === 'active' && m.id === messages[messages.length - 1]!.id}
          domains={(cfg && cfg.link_domains) || []}
        />
      ))}
      {(s.waiting || s.agentTyping !== null) && (
        <TypingIndicator label={s.agentTyping ? fmt(t.isTyping, { name: s.agentTyping }) : t.typing} />
      )}
      {resolved && <div class="system resolved">{t.resolved}</div>}
      {resolved && <Csat t={t} score={s.csat} onRate={(n) => void store.rate(n)} />}
      {empty && suggestions.length > 0 && (
        <div class="chips">
          {suggestions.map((q) => (
            <button type="button" class="chip" key={q} onClick={() => void store.send(q)}>
              {q}
            </button>
          ))}
        </div>
      )}
    </div>
  )
}
