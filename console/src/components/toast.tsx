/**
 * The status line: short confirmations ("Saved.") and failures, announced to screen readers
 * (polite for news, assertive for errors), gone after a few seconds or on Dismiss.
 */
import { createContext, type ComponentChildren } from 'preact'
import { useCallback, useContext, useRef, useState } from 'preact/hooks'
import { common } from '../i18n/common'
import { useT } from '../i18n'

export type ToastKind = 'ok' | 'error'
type Toast = { id: number; text: string; kind: ToastKind }
type Notify = (text: string, kind?: ToastKind) => void

const ToastContext = createContext<Notify>(() => {})

/** `const toast = useToast(); toast('Saved.')`. */
export function useToast(): Notify {
  return useContext(ToastContext)
}

export function ToastProvider({ children }: { children: ComponentChildren }) {
  const t = useT(common)
  const [toasts, setToasts] = useState<Toast[]>([])
  const next = useRef(1)
  const dismiss = useCallback((id: number) => setToasts((cur) => cur.filter((x) => x.id !== id)), [])
  const notify = useCallback<Notify>(
    (text, kind = 'ok') => {
      const id = next.current++
      setToasts((cur) => [...cur.slice(-2), { id, text, kind }])
      setTimeout(() => dismiss(id), kind === 'error' ? 8000 : 4000)
    },
    [dismiss],
  )
  // An alert region appears with its message (an empty one would be found by "the alert").
  const errors = toasts.filter((x) => x.kind === 'error')
  return (
    <ToastContext.Provider value={notify}>
      {children}
      <div class="toasts" role="status" aria-live="polite">
        {toasts
          .filter((x) => x.kind === 'ok')
          .map((x) => (
            <p key={x.id} class="toast">
              {x.text}
            </p>
          ))}
      </div>
      {errors.length > 0 && (
        <div class="toasts toasts-error" role="alert">
          {errors.map((x) => (
            <p key={x.id} class="toast toast-error">
              <span>{x.text}</span>
              <button type="button" class="btn btn-ghost btn-small" onClick={() => dismiss(x.id)}>
                {t('dismiss')}
              </button>
            </p>
          ))}
        </div>
      )}
    </ToastContext.Provider>
  )
}
