import { useState } from 'preact/hooks'
import type { Availability } from '../types'

export interface AvailabilitySelectProps {
  value: Availability | null
  /** Stores the new availability; rejects when the API refuses it (the select then goes back). */
  onChange: (value: Availability) => Promise<void>
}

const LABELS: Record<Availability, string> = { online: 'Online', away: 'Away', offline: 'Offline' }

/** The agent's availability (online agents get new escalations and can be transferred to). */
export function AvailabilitySelect({ value, onChange }: AvailabilitySelectProps) {
  const [pending, setPending] = useState<Availability | null>(null)
  const [error, setError] = useState<string | null>(null)
  const shown = pending ?? value ?? 'offline'
  return (
    <label class={`availability avail-${shown}`} title={error ?? 'Your availability'}>
      <span class="avail-dot" aria-hidden="true" />
      <span class="sr-only">Availability</span>
      <select
        value={shown}
        disabled={value === null || pending !== null}
        aria-invalid={error ? true : undefined}
        onChange={(e) => {
          const next = e.currentTarget.value as Availability
          setPending(next)
          setError(null)
          onChange(next)
            .catch((err) => setError((err as Error)?.message || 'Your availability could not be changed.'))
            .finally(() => setPending(null))
        }}
      >
        {(Object.keys(LABELS) as Availability[]).map((a) => (
          <option key={a} value={a}>
            {LABELS[a]}
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
