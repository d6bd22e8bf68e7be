/**
 * A modal confirmation for destructive actions. With `typeToConfirm` the button stays disabled until
 * that name is typed (for deletions of important things). Escape and Cancel close it; focus stays
 * inside while it is open and returns where it was after.
 */
import type { ComponentChildren } from 'preact'
import { useEffect, useId, useRef, useState } from 'preact/hooks'
import { common } from '../i18n/common'
import { useT } from '../i18n'

export interface ConfirmDialogProps {
  title: ComponentChildren
  children?: ComponentChildren
  confirmLabel: string
  /** The name the person must type to enable the button. */
  typeToConfirm?: string
  /** Runs the action; a thrown error is shown in the dialog, which stays open. */
  onConfirm: () => Promise<unknown> | unknown
  onClose: () => void
}

export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  typeToConfirm,
  onConfirm,
  onClose,
}: ConfirmDialogProps) {
  const t = useT(common)
  const id = useId()
  const ref = useRef<HTMLDivElement>(null)
  const [typed, setTyped] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    const before = document.activeElement as HTMLElement | null
    const first = ref.current?.querySelector<HTMLElement>('input, button:not([disabled])')
    first?.focus()
    return () => before?.focus?.()
  }, [])

  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation()
      if (!busy) onClose()
      return
    }
    if (e.key !== 'Tab' || !ref.current) return
    const items = [...ref.current.querySelectorAll<HTMLElement>('input, button:not([disabled])')]
    if (!items.length) return
    const first = items[0]
    const last = items[items.length - 1]
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault()
      last.focus()
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault()
      first.focus()
    }
  }

  const ready = !typeToConfirm || typed.trim() === typeToConfirm.trim()
  const confirm = async (e: Event) => {
    e.preventDefault()
    if (!ready || busy) return
    setBusy(true)
    setError(null)
    try {
      await onConfirm()
      onClose()
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err))
      setBusy(false)
    }
  }

  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && !busy && onClose()}>
      <div
        ref={ref}
        class="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby={id + '-title'}
        aria-describedby={children ? id + '-body' : undefined}
        onKeyDown={onKey}
      >
        <form onSubmit={confirm}>
          <h2 id={id + '-title'}>{title}</h2>
          {children && (
            <div id={id + '-body'} class="modal-body">
              {children}
            </div>
          )}
          {typeToConfirm && (
            <label class="form-field">
              <span class="form-label">{t('confirmType', { name: typeToConfirm })}</span>
              <input
                type="text"
                value={typed}
                autocomplete="off"
                spellcheck={false}
                onInput={(e) => setTyped(e.currentTarget.value)}
              />
            </label>
          )}
          {error && (
            <p class="pane-error" role="alert">
              {error}
            </p>
          )}
          <div class="modal-actions">
            <button type="button" class="btn" onClick={onClose} disabled={busy}>
              {t('cancel')}
            </button>
            <button type="submit" class="btn btn-danger" disabled={!ready || busy}>
              {confirmLabel}
            </button>
          </div>
        </form>
      </div>
    </div>
  )
}
