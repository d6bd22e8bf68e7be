import { useEffect, useRef } from 'preact/hooks'
import { fmt, stringsFor } from '../i18n'
import { ChatHeader } from './chat-header'
import type { ChatStore } from './chat-store'
import { Composer } from './composer'
import { MessageList } from './message-list'
import { PrechatForm } from './prechat-form'
import { useChatState } from './use-store'

export interface ChatAppProps {
  store: ChatStore
  open: boolean
  dir?: 'ltr' | 'rtl'
  onClose: () => void
}

const FOCUSABLE = 'a[href],button:not([disabled]),textarea:not([disabled]),input:not([disabled])'

/**
 * The chat panel: a modal dialog (focus moves in on open, Tab stays inside, Esc closes and focus
 * goes back to the launcher) with the header, the conversation and the composer.
 */
export function ChatApp({ store, open, dir, onClose }: ChatAppProps) {
  const s = useChatState(store)
  const t = stringsFor(s.lang)
  const input = useRef<HTMLTextAreaElement | null>(null)
  const panel = useRef<HTMLDivElement>(null)
  const cfg = s.config
  const name = (cfg && cfg.bot && cfg.bot.name) || t.assistant
  const fields = (cfg && cfg.prechat && cfg.prechat.fields) || []
  const askPrechat = fields.length > 0 && !s.hasSession && !s.prechatDone

  const isOpen = useRef(open)
  isOpen.current = open
  useEffect(() => {
    // after the panel is shown, unless it was closed again meanwhile
    if (open)
      setTimeout(() => {
        const p = panel.current
        if (!isOpen.current || !p) return
        const first = (input.current || p.querySelector('input')) as HTMLElement | null
        ;(first || p).focus()
      }, 30)
  }, [open, askPrechat])

  const escalated = s.status === 'escalated'
  const agent = escalated || s.status === 'resolved' ? s.assignee : null
  const closed = !!cfg && cfg.open === false
  let subtitle = closed ? '' : t.online
  if (escalated) subtitle = agent ? '' : t.humanRequested
  return (
    <div
      ref={panel}
      class="panel"
      role="dialog"
      aria-modal="true"
      aria-label={fmt(t.chatWith, { name })}
      lang={s.lang}
      dir={dir}
      tabIndex={-1}
      hidden={!open}
      onKeyDown={(e) => {
        if (e.key !== 'Tab' || !panel.current) return
        const all = Array.from(panel.current.querySelectorAll<HTMLElement>(FOCUSABLE))
        const active = (panel.current.getRootNode() as ShadowRoot).activeElement
        const edge = e.shiftKey ? all[0] : all[all.length - 1]
        if (all.length && (active === edge || active === panel.current)) {
          e.preventDefault()
          ;(e.shiftKey ? all[all.length - 1] : all[0]).focus()
        }
      }}
    >
      <ChatHeader
        name={agent ? agent.name : name}
        avatarUrl={agent ? agent.avatar_url || null : cfg ? cfg.bot.avatar_url : null}
        subtitle={subtitle}
        t={t}
        onClose={onClose}
      />
      {askPrechat ? (
        <PrechatForm fields={fields} t={t} onSubmit={(v) => store.submitPrechat(v)} />
      ) : (
        <>
          <MessageList state={s} t={t} store={store} />
          <div class="footer">
            {!escalated &&
              s.status !== 'resolved' &&
              s.messages.some((m) => m.message_type === 'user' && !m.local) && (
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
            <Composer
              t={t}
              busy={s.busy}
              inputRef={input}
              onSend={(text) => void store.send(text)}
              onTyping={() => store.typing(true)}
            />
          </div>
        </>
      )}
    </div>
  )
}
