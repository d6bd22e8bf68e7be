/** Canned replies: the "/shortcut" suggestions' helpers, the list with its edit and delete, the forms. */
import { useEffect, useRef, useState } from 'preact/hooks'
import type { CannedReply } from '../../types'

/** A "/shortcut" being typed just before the caret: where it starts and what follows the slash. */
export interface Slash {
  start: number
  end: number
  query: string
}

export function slashAt(text: string, caret: number): Slash | null {
  const m = /(^|\s)\/([\w-]*)$/.exec(text.slice(0, caret))
  if (!m) return null
  const start = m.index + m[1].length
  return { start, end: caret, query: m[2].toLowerCase() }
}

export function matches(canned: CannedReply[], query: string): CannedReply[] {
  const starts = canned.filter((c) => c.shortcut.toLowerCase().startsWith(query))
  const rest = query ? canned.filter((c) => !starts.includes(c) && c.title.toLowerCase().includes(query)) : []
  return [...starts, ...rest].slice(0, 8)
}

export interface CannedListProps {
  /** The tenant's canned replies; null while loading. */
  canned?: CannedReply[] | null
  /** The reply being written: a new canned reply starts from it. */
  draft: string
  onClose: () => void
  onInsert: (reply: CannedReply) => void
  onError: (message: string) => void
  /** Saves a new canned reply (rejects with a message to show); absent: no "New" form. */
  onCreate?: (reply: Omit<CannedReply, 'id'>) => Promise<void>
  /** Saves changes to a canned reply; absent: no edit buttons. */
  onUpdate?: (id: string, reply: Omit<CannedReply, 'id'>) => Promise<void>
  /** Deletes a canned reply; absent: no delete buttons. */
  onDelete?: (id: string) => Promise<void>
}

/** The "Canned replies" popover: every reply, to insert, edit or delete, and a form for a new one. */
export function CannedList({
  canned,
  draft,
  onClose,
  onInsert,
  onError,
  onCreate,
  onUpdate,
  onDelete,
}: CannedListProps) {
  const [editing, setEditing] = useState<string | null>(null)
  const root = useRef<HTMLDivElement>(null)
  // Opening the list moves the focus into it, on its first reply.
  useEffect(() => {
    const pop = root.current
    if (pop) (pop.querySelector<HTMLElement>('.canned-item') ?? pop.querySelector('button'))?.focus()
  }, [])
  return (
    <div
      class="canned-pop"
      ref={root}
      id="canned-list"
      role="dialog"
      aria-label="Canned replies"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault()
          onClose()
        }
      }}
    >
      <div class="canned-head">
        <strong>Canned replies</strong>
        <button type="button" class="btn btn-ghost btn-small" onClick={onClose}>
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
              {editing === c.id && onUpdate ? (
                <CannedForm
                  label={`Edit canned reply /${c.shortcut}`}
                  initial={c}
                  onSave={(reply) => onUpdate(c.id, reply).then(() => setEditing(null))}
                  onCancel={() => setEditing(null)}
                />
              ) : (
                <>
                  <button type="button" class="canned-item" onClick={() => onInsert(c)}>
                    <span class="suggest-key">/{c.shortcut}</span>
                    <span class="suggest-title">{c.title}</span>
                    <span class="suggest-text">{c.content}</span>
                  </button>
                  {onUpdate && (
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
                  {onDelete && (
                    <button
                      type="button"
                      class="btn btn-ghost btn-small canned-delete"
                      aria-label={`Delete canned reply /${c.shortcut}`}
                      title="Delete"
                      onClick={() =>
                        void onDelete(c.id).catch((err) => onError((err as Error)?.message ?? 'Not deleted.'))
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
      {onCreate && <NewCanned onCreate={onCreate} initial={draft} />}
    </div>
  )
}

/** A small form under the list: shortcut, title and text of a new canned reply (the draft by default). */
function NewCanned({
  onCreate,
  initial,
}: {
  onCreate: (reply: Omit<CannedReply, 'id'>) => Promise<void>
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
