import { useEffect, useRef } from 'preact/hooks'
import { fmt, strings } from '../i18n'
import { ChatHeader } from './chat-header'
import type { ChatStore } from './chat-store'
import { Composer } from './composer'
import { MessageList } from './message-list'
import { useChatState } from './use-store'

export interface ChatAppProps {
  store: ChatStore
  open: boolean
  onClose: () => void
}

/** The chat panel: a non-modal dialog with the header, the conversation and the composer. */
export function ChatApp({ store, open, onClose }: ChatAppProps) {
  const s = useChatState(store)
  const t = strings[s.lang]
  const input = useRef<HTMLTextAreaElement | null>(null)
  const cfg = s.config
  const name = (cfg && cfg.bot && cfg.bot.name) || t.assistant

  const isOpen = useRef(open)
  isOpen.current = open
  useEffect(() => {
    // after the panel is shown, unless it was closed again meanwhile
    if (open) setTimeout(() => isOpen.current && input.current && input.current.focus(), 30)
  }, [open])

  const escalated = s.status === 'escalated'
  return (
    <div
      class="panel"
      role="dialog"
      aria-label={fmt(t.chatWith, { name })}
      hidden={!open}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation()
          onClose()
        }
      }}
    >
      <ChatHeader
        name={name}
        avatarUrl={cfg ? cfg.bot.avatar_url : null}
        subtitle={escalated ? t.humanRequested : t.online}
        t={t}
        onClose={onClose}
      />
      <MessageList
        messages={s.messages}
        t={t}
        greeting={(cfg && cfg.greeting) || t.greeting}
        suggestions={(cfg && cfg.suggestions) || []}
        waiting={s.waiting}
        resolved={s.status === 'resolved'}
        offline={!!cfg && cfg.open === false}
        onSuggestion={(text) => void store.send(text)}
        onRetry={(id) => store.retry(id)}
      />
      <div class="footer">
        {!escalated && (
          <button
            type="button"
            class="human"
            onClick={() => {
              input.current && input.current.focus() // the button goes away: keep focus in the panel
              void store.escalate()
            }}
          >
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0" />
            </svg>
            {t.talkToHuman}
          </button>
        )}
        <Composer t={t} busy={s.busy} inputRef={input} onSend={(text) => void store.send(text)} />
      </div>
    </div>
  )
}
