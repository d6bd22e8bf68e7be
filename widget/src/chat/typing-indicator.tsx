export interface TypingIndicatorProps {
  label: string
}

/** Three dots while the answer has not started. */
export function TypingIndicator({ label }: TypingIndicatorProps) {
  return (
    <div class="row bot">
      <div class="bubble typing" role="status" aria-label={label}>
        <i />
        <i />
        <i />
      </div>
    </div>
  )
}
