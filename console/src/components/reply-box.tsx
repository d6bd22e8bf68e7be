import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { createTypingNotifier } from '../../../contract/typing'
import type { CannedReply } from '../types'

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

/** A "/shortcut" being typed just before the caret: where it starts and what follows the slash. */
interface Slash {
  start: number
  end: number
  query: string
}

function slashAt(text: string, caret: number): Slash | null {
  const m = /(^|\s)\/([\w-]*)$/.exec(text.slice(0, caret))
  if (!m) return null
  const start = m.index + m[1].length
  return { start, end: caret, query: m[2].toLowerCase() }
}

function matches(canned: CannedReply[], query: string): CannedReply[] {
  const starts = canned.filter((c) => c.shortcut.toLowerCase().startsWith(query))
  const rest = query ? canned.filter((c) => !starts.includes(c) && c.title.toLowerCase().includes(query)) : []
  return [...starts, ...rest].slice(0, 8)
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
  const [editing, setEditing] = useState<string | null>(null)
  const boxRef = useRef<HTMLTextAreaElement>(null)
  const listButton = useRef<HTMLButtonElement>(null)
  const popRef = useRef<HTMLDivElement>(null)
  const caretAfter = useRef<number | null>(null)
  const empty = text.trim() === ''

  const onTypingRef = useRef(onTyping)
  onTypingRef.current = onTyping
  const notifier = useMemo(() => createTypingNotifier((v) => onTypingRef.current?.(v)), [])
  useEffect(() => () => notifier.stop(), [notifier])

  // Opening the list moves the focus into it, on its first reply.
  useEffect(() => {
    const pop = popRef.current
    if (listOpen && pop)
      (pop.querySelector<HTMLElement>('.canned-item') ?? pop.querySelector('button'))?.focus()
  }, [listOpen])

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
        <div
          class="canned-pop"
          ref={popRef}
          id="canned-list"
          role="dialog"
          aria-label="Canned replies"
          onKeyDown={(e) => {
            if (e.key === 'Escape') {
              e.preventDefault()
              closeList()
            }
          }}
        >
          <div class="canned-head">
            <strong>Canned replies</strong>
            <button type="button" class="btn btn-ghost btn-small" onClick={closeList}>
              Close
            </button>
          </div>
          {canned === null || canned === undefined ? (
            <p class="muted small">Loading…</p>
          ) : canned.length === 0 ? (
            <p class="muted small">No canned replies yet.</p>
          ) : (
            <ul class="canned-list">
              {canned.map((c) => (
                <li key={c.id} class="canned-row">
                  {editing === c.id && onUpdateCanned ? (
                    <CannedForm
                      label={`Edit canned reply /${c.shortcut}`}
                      initial={c}
                      onSave={(reply) => onUpdateCanned(c.id, reply).then(() => setEditing(null))}
                      onCancel={() => setEditing(null)}
                    />
                  ) : (
                    <>
                      <button
                        type="button"
                        class="canned-item"
                        onClick={() => {
                          setListOpen(false)
                          insert(c)
                        }}
                      >
                        <span class="suggest-key">/{c.shortcut}</span>
                        <span class="suggest-title">{c.title}</span>
                        <span class="suggest-text">{c.content}</span>
                      </button>
                      {onUpdateCanned && (
                        <button
                          type="button"
                          class="btn btn-ghost btn-small canned-edit"
                          aria-label={`Edit canned reply /${c.shortcut}`}
                          title="Edit"
                          onClick={() => setEditing(c.id)}
                        >
                          Edit
                        </button>
                      )}
                      {onDeleteCanned && (
                        <button
                          type="button"
                          class="btn btn-ghost btn-small canned-delete"
                          aria-label={`Delete canned reply /${c.shortcut}`}
                          title="Delete"
                          onClick={() =>
                            void onDeleteCanned(c.id).catch((err) =>
                              setError((err as Error)?.message ?? 'Not deleted.'),
                            )
                          }
                        >
                          ×
                        </button>
                      )}
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          {onCreateCanned && <NewCanned onCreate={onCreateCanned} initial={text.trim()} />}
        </div>
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

/** A small form under the list: shortcut, title and text of a new canned reply (the draft by default). */
function NewCanned({
  onCreate,
  initial,
}: {
  onCreate: ReplyBoxProps['onCreateCanned'] & {}
  initial: string
}) {
  const [open, setOpen] = useState(false)
  if (!open)
    return (
      <button type="button" class="btn btn-ghost btn-small canned-new" onClick={() => setOpen(true)}>
        + New canned reply
      </button>
    )
  return (
    <CannedForm
      label="New canned reply"
      initial={{ shortcut: '', title: '', content: initial }}
      onSave={(reply) => onCreate(reply).then(() => setOpen(false))}
      onCancel={() => setOpen(false)}
    />
  )
}

/** The fields of a canned reply, for a new one or an edit; shows the API's refusal in place. */
function CannedForm(props: {
  label: string
  initial: Omit<CannedReply, 'id'>
  onSave: (reply: Omit<CannedReply, 'id'>) => Promise<void>
  onCancel: () => void
}) {
  const [shortcut, setShortcut] = useState(props.initial.shortcut)
  const [title, setTitle] = useState(props.initial.title)
  const [content, setContent] = useState(props.initial.content)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const root = useRef<HTMLDivElement>(null)
  // The list scrolls: bring the whole form, Save included, into view when it opens.
  useEffect(() => root.current?.scrollIntoView?.({ block: 'nearest' }), [])
  return (
    <div class="canned-form" role="group" aria-label={props.label} ref={root}>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      <label class="inline-field">
        <span>Shortcut</span>
        <input
          value={shortcut}
          pattern="[a-z0-9_-]{1,40}"
          placeholder="refund"
          onInput={(e) => setShortcut(e.currentTarget.value.toLowerCase())}
        />
      </label>
      <label class="inline-field">
        <span>Title</span>
        <input value={title} maxLength={200} onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label class="inline-field">
        <span>Text</span>
        <textarea
          rows={2}
          value={content}
          maxLength={8000}
          onInput={(e) => setContent(e.currentTarget.value)}
        />
      </label>
      <div class="canned-form-actions">
        <button
          type="button"
          class="btn btn-primary btn-small"
          disabled={busy || !/^[a-z0-9_-]{1,40}$/.test(shortcut) || !title.trim() || !content.trim()}
          onClick={() => {
            setBusy(true)
            setError(null)
            props
              .onSave({ shortcut, title: title.trim(), content: content.trim() })
              .catch((err) => setError((err as Error)?.message || 'Not saved.'))
              .finally(() => setBusy(false))
          }}
        >
          Save
        </button>
        <button type="button" class="btn btn-ghost btn-small" onClick={props.onCancel}>
          Cancel
        </button>
      </div>
    </div>
  )
}
