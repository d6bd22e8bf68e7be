export interface TypingIndicatorProps {
  label: string
}

/** Three dots while an answer is on its way or an agent is typing; the label names who. */
export function TypingIndicator({ label }: TypingIndicatorProps) {
  return (
    <div class="row bot">
      <div class="bubble typing" role="status" aria-label={label} title={label}>
        <i />
        <i />
        <i />
      </div>
    </div>
  )
}
