/** Console-only view types; the wire types come from contract/. */
import type { SessionChannel, SessionStatus } from '../../contract'

export type Availability = 'online' | 'away' | 'offline'

export interface User {
  id: string
  email: string
  name?: string | null
}

export interface Membership {
  tenant_id: string
  role: 'owner' | 'admin' | 'agent'
  tenant: { id: string; name: string; slug: string }
}

export interface Me {
  user: User
  memberships: Membership[]
}

/** A tenant member (GET .../members says `name`, PATCH .../members/me says `display_name`). */
export interface Member {
  user_id: string
  name?: string | null
  display_name?: string | null
  email?: string | null
  role: 'owner' | 'admin' | 'agent'
  availability: Availability
  capacity?: number | null
}

export interface Bot {
  id: string
  name: string
  status: string
}

/** The owner's widget settings (contract/widget-settings). */
export type { WidgetSettings as WidgetConfig } from '../../contract/widget-settings'

export interface CannedReply {
  id: string
  shortcut: string
  title: string
  content: string
}

/** The inbox list's filters; undefined means "any". */
export interface QueueFilters {
  status?: SessionStatus
  priority?: number
  /** `me`, `none` (unassigned) or a member's user id. */
  assignee?: string
  /** A messaging platform, or `widget`. */
  channel?: SessionChannel
}
