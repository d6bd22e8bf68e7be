import type { InboxSession } from '../../../../contract'
import { shortVisitor } from '../../time'

/**
 * What the inbox calls a conversation's person: the name the widget or the platform gave, else a
 * platform user's handle or phone, else "Visitor" and a short id.
 */
export function visitorName(s: InboxSession): string {
  const ext = s.external_user
  const name = s.customer_context?.name
  if (name) return String(name)
  if (ext?.name) return ext.name
  if (ext?.handle) return ext.handle
  if (ext?.phone) return ext.phone
  return `Visitor ${shortVisitor(s.visitor_id)}`
}
