import type { SessionStatus } from '../../../../contract'

export interface StatusBadgeProps {
  status: SessionStatus
}

const LABELS: Record<SessionStatus, string> = {
  active: 'Active',
  escalated: 'Escalated',
  resolved: 'Resolved',
}

/** A coloured pill naming a session's status. */
export function StatusBadge({ status }: StatusBadgeProps) {
  return <span class={`badge badge-${status}`}>{LABELS[status] ?? status}</span>
}
