import { useState } from 'preact/hooks'
import { useT } from '../i18n'
import { common } from '../i18n/common'
import type { Availability } from '../types'

export interface AvailabilitySelectProps {
  value: Availability | null
  /** Stores the new availability; rejects when the API refuses it (the select then goes back). */
  onChange: (value: Availability) => Promise<void>
}

const STATES: Availability[] = ['online', 'away', 'offline']

/** The agent's availability (online agents get new escalations and can be transferred to). */
export function AvailabilitySelect({ value, onChange }: AvailabilitySelectProps) {
  const t = useT(common)
  const [pending, setPending] = useState<Availability | null>(null)
  const [error, setError] = useState<string | null>(null)
  const shown = pending ?? value ?? 'offline'
  return (
    <label class={`availability avail-${shown}`} title={error ?? t('availability')}>
      <span class="avail-dot" aria-hidden="true" />
      <span class="sr-only">{t('availability')}</span>
      <select
        value={shown}
        disabled={value === null || pending !== null}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          const next = e.currentTarget.value as Availability
          setPending(next)
          setError(null)
          onChange(next)
            .catch((err) => setError((err as Error)?.message || t('availabilityFailed')))
            .finally(() => setPending(null))
        }}
      >
        {STATES.map((a) => (
          <option key={a} value={a}>
            {t(`avail.${a}`)}
          </option>
        ))}
      </select>
      {error && (
        <span class="sr-only" role="alert">
          {error}
        </span>
      )}
    </label>
  )
}
