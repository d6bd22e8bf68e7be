/**
 * A labelled form field that shows the API's validation message in place. The API's 400 reads
 * "field.path: problem"; `messageFor(error, 'theme.primary_color')` picks the problem for one field,
 * and `unclaimed(error, fields)` is what no field on the form shows (for a banner).
 */
import type { ComponentChildren, JSX } from 'preact'
import { useId } from 'preact/hooks'
import { ApiError } from '../api'

/** The field path and sentence of an API validation error ("theme.primary_color: a colour like ..."). */
export function splitApiError(err: unknown): { field: string | null; message: string } | null {
  if (!err) return null
  const message = err instanceof Error ? err.message : String(err)
  if (err instanceof ApiError && err.status === 400) {
    const m = /^([A-Za-z_][\w.[\]]*): (.+)$/s.exec(message)
    if (m) return { field: m[1], message: m[2] }
  }
  return { field: null, message }
}

const under = (path: string, field: string) =>
  path === field || path.startsWith(field + '.') || path.startsWith(field + '[')

/** The API's message for this field (or anything inside it), else null. */
export function messageFor(err: unknown, field: string): string | null {
  const e = splitApiError(err)
  return e?.field && under(e.field, field) ? e.message : null
}

/** The error's full sentence when none of these fields shows it in place, else null. */
export function unclaimed(err: unknown, fields: string[]): string | null {
  const e = splitApiError(err)
  if (!e) return null
  if (e.field && fields.some((f) => under(e.field!, f))) return null
  return err instanceof Error ? err.message : e.message
}

export interface FieldControlProps {
  id: string
  'aria-invalid'?: 'true'
  'aria-describedby'?: string
}

export interface FieldProps {
  label: ComponentChildren
  /** Help below the label. */
  hint?: ComponentChildren
  /** The message shown in place (from `messageFor`). */
  error?: string | null
  class?: string
  /** Renders the control with the ids that tie it to its label, hint and error. */
  children: (control: FieldControlProps) => JSX.Element
}

export function Field({ label, hint, error, class: cls, children }: FieldProps) {
  const id = useId()
  const hintId = hint ? id + '-hint' : null
  const errorId = error ? id + '-error' : null
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined
  return (
    <div class={`form-field${error ? ' form-field-invalid' : ''}${cls ? ' ' + cls : ''}`}>
      <label for={id} class="form-label">
        {label}
      </label>
      {hint && (
        <p id={hintId!} class="form-hint">
          {hint}
        </p>
      )}
      {children({ id, 'aria-invalid': error ? 'true' : undefined, 'aria-describedby': describedBy })}
      {error && (
        <p id={errorId!} class="field-error">
          {error}
        </p>
      )}
    </div>
  )
}

/** A banner for an error no field shows (network, 403, 409...). */
export function FormError({ message }: { message: string | null }) {
  if (!message) return null
  return (
    <p class="pane-error" role="alert">
      {message}
    </p>
  )
}
