import type { ComponentChildren } from 'preact'

export interface EmptyStateProps {
  title: ComponentChildren
  /** What to do next. */
  children?: ComponentChildren
  /** A button or link that does it. */
  action?: ComponentChildren
}

/** An empty list that says what to do next. */
export function EmptyState({ title, children, action }: EmptyStateProps) {
  return (
    <div class="empty-state">
      <p class="empty-state-title">{title}</p>
      {children && <p class="empty-state-body">{children}</p>}
      {action && <div class="empty-state-action">{action}</div>}
    </div>
  )
}
