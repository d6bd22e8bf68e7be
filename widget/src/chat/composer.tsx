import { useRef, useState } from 'preact/hooks'
import type { Ref } from 'preact'
import type { Strings } from '../i18n'

export interface ComposerProps {
  t: Strings
  busy: boolean
  inputRef: Ref<HTMLTextAreaElement>
  onSend: (text: string) => void
  /** Called on every keystroke (the store throttles what it tells the agent). */
  onTyping?: () => void
}

/** The textarea and send button: Enter sends, Shift+Enter adds a line. */
export function Composer({ t, busy, inputRef, onSend, onTyping }: ComposerProps) {
  const [text, setText] = useState('')
  const area = useRef<HTMLTextAreaElement | null>(null)

  const grow = (el: HTMLTextAreaElement) => {
    el.style.height = 'auto'
    el.style.height = Math.min(el.scrollHeight, 120) + 'px'
  }
  const submit = () => {
    if (busy || !text.trim()) return
    onSend(text)
    setText('')
    if (area.current) {
      area.current.value = ''
      grow(area.current)
    }
  }

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault()
        submit()
      }}
    >
      <textarea
        ref={(el) => {
          area.current = el
          if (typeof inputRef === 'function') inputRef(el)
          else if (inputRef) inputRef.current = el
        }}
        rows={1}
        maxLength={4000}
        value={text}
        placeholder={t.placeholder}
        aria-label={t.placeholder}
        onInput={(e) => {
          const el = e.currentTarget
          setText(el.value)
          grow(el)
          onTyping && onTyping()
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            submit()
          }
        }}
      />
      <button type="submit" class="send" aria-label={t.send} disabled={busy || !text.trim()}>
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M5 12h14M13 6l6 6-6 6" />
        </svg>
      </button>
    </form>
  )
}
