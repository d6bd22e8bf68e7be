import { useEffect, useRef } from 'preact/hooks'
import type { Strings } from '../i18n'
import type { ViewMessage } from './chat-store'
import { MessageBubble } from './message-bubble'
import { TypingIndicator } from './typing-indicator'

export interface MessageListProps {
  messages: ViewMessage[]
  t: Strings
  greeting: string
  suggestions: string[]
  waiting: boolean
  resolved: boolean
  offline: boolean
  onSuggestion: (text: string) => void
  onRetry: (id: string) => void
}

/** The conversation, with the greeting and suggestion chips before the first message. */
export function MessageList(props: MessageListProps) {
  const { messages, t } = props
  const ref = useRef<HTMLDivElement>(null)
  const last = messages[messages.length - 1]
  useEffect(() => {
    const el = ref.current
    if (el) el.scrollTop = el.scrollHeight
  }, [messages.length, last && last.content, props.waiting, props.resolved])

  const empty = !messages.length
  return (
    <div class="list" ref={ref} role="log" aria-live="polite" aria-label={t.messages}>
      {props.offline && <div class="system">{t.offline}</div>}
      {empty && (
        <div class="row bot">
          <div class="bubble">{props.greeting}</div>
        </div>
      )}
      {messages.map((m) => (
        <MessageBubble key={m.id} message={m} t={t} onRetry={props.onRetry} />
      ))}
      {props.waiting && <TypingIndicator label={t.typing} />}
      {props.resolved && <div class="system resolved">{t.resolved}</div>}
      {empty && props.suggestions.length > 0 && (
        <div class="chips">
          {props.suggestions.map((s) => (
            <button type="button" class="chip" key={s} onClick={() => props.onSuggestion(s)}>
              {s}
            </button>
          ))}
        </div>
      )}
    </div>
  )
}
