import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { createTypingNotifier } from '../../../../contract/typing'
import type { CannedReply } from '../../types'
import { CannedList, matches, slashAt, type Slash } from './canned-replies'

export interface ReplyBoxProps {
  /** Sends the reply; resolves when stored, rejects with a message to show. */
  onSend: (content: string, isPrivate: boolean) => Promise<void>
  /** Tells the visitor the agent is typing (never for private notes); throttled here. */
  onTyping?: (typing: boolean) => unknown
  /** The tenant's canned replies; null while loading. */
  canned?: CannedReply[] | null
  /** Saves a new canned reply (rejects with a message to show); absent: no "New" form. */
  onCreateCanned?: (reply: Omit<CannedReply, 'id'>) => Promise<void>
  /** Saves changes to a canned reply (rejects with a message to show); absent: no edit buttons. */
  onUpdateCanned?: (id: string, reply: Omit<CannedReply, 'id'>) => Promise<void>
  /** Deletes a canned reply; absent: no delete buttons. */
  onDeleteCanned?: (id: string) => Promise<void>
  disabled?: boolean
}

/**
 * The reply composer: Enter sends, Shift+Enter adds a line; a toggle turns it into a private note.
 * Typing "/" and a shortcut suggests canned replies (arrows to choose, Enter or Tab to insert, Escape
 * to dismiss); the "Canned replies" button lists them all.
 */
export function ReplyBox({
  onSend,
  onTyping,
  canned,
  disabled,
  onCreateCanned,
  onUpdateCanned,
  onDeleteCanned,
}: ReplyBoxProps) {
  const [text, setText] = useState('')
  const [isPrivate, setPrivate] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [slash, setSlash] = useState<Slash | null>(null)
  const [active, setActive] = useState(0)
  const [listOpen, setListOpen] = useState(false)
  const boxRef = useRef<HTMLTextAreaElement>(null)
  const listButton = useRef<HTMLButtonElement>(null)
  const caretAfter = useRef<number | null>(null)
  const empty = text.trim() === ''

  const onTypingRef = useRef(onTyping)
  onTypingRef.current = onTyping
  const notifier = useMemo(() => createTypingNotifier((v) => onTypingRef.current?.(v)), [])
  useEffect(() => () => notifier.stop(), [notifier])

  const suggestions = slash && canned ? matches(canned, slash.query) : []
  const suggesting = suggestions.length > 0

  // Put the caret after inserted text once it is rendered.
  useEffect(() => {
    const el = boxRef.current
    if (el && caretAfter.current !== null) {
      el.focus()
      el.setSelectionRange(caretAfter.current, caretAfter.current)
      caretAfter.current = null
    }
  }, [text])

  const insert = (reply: CannedReply, range?: { start: number; end: number }) => {
    const el = boxRef.current
    const start = range?.start ?? el?.selectionStart ?? text.length
    const end = range?.end ?? el?.selectionEnd ?? start
    const next = text.slice(0, start) + reply.content + text.slice(end)
    caretAfter.current = start + reply.content.length
    setText(next)
    setSlash(null)
    if (!isPrivate) notifier.keystroke()
  }

  const send = async () => {
    if (empty || busy || disabled) return
    setBusy(true)
    setError(null)
    notifier.stop()
    try {
      await onSend(text.trim(), isPrivate)
      setText('')
      setSlash(null)
    } catch (err) {
      setError((err as Error)?.message || 'The message could not be sent.')
    } finally {
      setBusy(false)
    }
  }

  const closeList = () => {
    setListOpen(false)
    listButton.current?.focus()
  }

  return (
    <form
      class={`composer${isPrivate ? ' composer-private' : ''}`}
      onSubmit={(e) => {
        e.preventDefault()
        void send()
      }}
    >
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {suggesting && (
        <ul class="suggest" id="canned-suggestions" role="listbox" aria-label="Canned replies">
          {suggestions.map((c, i) => (
            <li
              key={c.id}
              id={`canned-opt-${c.id}`}
              role="option"
              aria-selected={i === active}
              class={`suggest-item${i === active ? ' suggest-on' : ''}`}
              // mousedown, not click: the textarea keeps the focus and its caret.
              onMouseDown={(e) => {
                e.preventDefault()
                insert(c, slash!)
              }}
            >
              <span class="suggest-key">/{c.shortcut}</span>
              <span class="suggest-title">{c.title}</span>
              <span class="suggest-text">{c.content}</span>
            </li>
          ))}
        </ul>
      )}
      {listOpen && (
        <CannedList
          canned={canned}
          draft={text.trim()}
          onClose={closeList}
          onInsert={(c) => {
            setListOpen(false)
            insert(c)
          }}
          onError={setError}
          onCreate={onCreateCanned}
          onUpdate={onUpdateCanned}
          onDelete={onDeleteCanned}
        />
      )}
      <textarea
        ref={boxRef}
        aria-label="Reply"
        rows={3}
        placeholder={
          isPrivate
            ? 'Write a private note (only agents see it)…'
            : 'Type a reply to the visitor… ("/" for canned replies)'
        }
        value={text}
        disabled={disabled}
        aria-autocomplete="list"
        aria-controls={suggesting ? 'canned-suggestions' : undefined}
        aria-activedescendant={suggesting ? `canned-opt-${suggestions[active]?.id}` : undefined}
        onInput={(e) => {
          const el = e.currentTarget
          setText(el.value)
          setSlash(slashAt(el.value, el.selectionStart ?? el.value.length))
          setActive(0)
          if (isPrivate) return
          if (el.value.trim()) notifier.keystroke()
          else notifier.stop()
        }}
        onBlur={() => setSlash(null)}
        onKeyDown={(e) => {
          if (suggesting) {
            if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
              e.preventDefault()
              const n = suggestions.length
              setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : n - 1)) % n)
              return
            }
            if ((e.key === 'Enter' && !e.shiftKey && !e.isComposing) || e.key === 'Tab') {
              e.preventDefault()
              insert(suggestions[active] ?? suggestions[0], slash!)
              return
            }
            if (e.key === 'Escape') {
              e.preventDefault()
              setSlash(null)
              return
            }
          }
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            void send()
          }
        }}
      />
      <div class="composer-bar">
        <label class="toggle">
          <input
            type="checkbox"
            checked={isPrivate}
            onChange={(e) => {
              const on = e.currentTarget.checked
              setPrivate(on)
              // A note is not for the visitor: the indicator stops at once.
              if (on) notifier.stop()
            }}
          />
          <span>Private note</span>
        </label>
        <button
          type="button"
          class="btn btn-ghost btn-small"
          ref={listButton}
          aria-expanded={listOpen}
          aria-controls={listOpen ? 'canned-list' : undefined}
          onClick={() => setListOpen((o) => !o)}
        >
          Canned replies
        </button>
        <span class="hint">Enter sends · Shift+Enter: new line</span>
        <button type="submit" class="btn btn-primary" disabled={disabled || busy || empty}>
          {busy ? 'Sending…' : isPrivate ? 'Add note' : 'Send'}
        </button>
      </div>
    </form>
  )
}
