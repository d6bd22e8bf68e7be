import { useState } from 'preact/hooks'

export interface ReplyBoxProps {
  /** Sends the reply; resolves when stored, rejects with a message to show. */
  onSend: (content: string, isPrivate: boolean) => Promise<void>
  disabled?: boolean
}

/** The reply composer: Enter sends, Shift+Enter adds a line; a toggle turns it into a private note. */
export function ReplyBox({ onSend, disabled }: ReplyBoxProps) {
  const [text, setText] = useState('')
  const [isPrivate, setPrivate] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const empty = text.trim() === ''

  const send = async () => {
    if (empty || busy || disabled) return
    setBusy(true)
    setError(null)
    try {
      await onSend(text.trim(), isPrivate)
      setText('')
    } catch (err) {
      setError((err as Error)?.message || 'The message could not be sent.')
    } finally {
      setBusy(false)
    }
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
      <textarea
        aria-label="Reply"
        rows={3}
        placeholder={
          isPrivate ? 'Write a private note (only agents see it)…' : 'Type a reply to the visitor…'
        }
        value={text}
        disabled={disabled}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault()
            void send()
          }
        }}
      />
      <div class="composer-bar">
        <label class="toggle">
          <input type="checkbox" checked={isPrivate} onChange={(e) => setPrivate(e.currentTarget.checked)} />
          <span>Private note</span>
        </label>
        <span class="hint">Enter to send · Shift+Enter for a new line</span>
        <button type="submit" class="btn btn-primary" disabled={disabled || busy || empty}>
          {busy ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  )
}
