export interface PriorityBadgeProps {
  priority: number | null | undefined
}

/** 5 is the most urgent (the escalation takes its rule's priority). */
const NAMES = ['', 'lowest', 'low', 'normal', 'high', 'urgent']

/** "P4" in a pill coloured by urgency, with the full wording for screen readers and on hover. */
export function PriorityBadge({ priority }: PriorityBadgeProps) {
  if (!priority) return null
  const p = Math.min(5, Math.max(1, Math.round(priority)))
  const label = `Priority ${p} of 5 (${NAMES[p]})`
  return (
    <span class={`badge prio prio-${p}`} title={label}>
      <span aria-hidden="true">P{p}</span>
      <span class="sr-only">{label}</span>
    </span>
  )
}
