import type { Me, Member } from '../types'

export type Role = 'owner' | 'admin' | 'agent'

/** What the shell gives every page. */
export interface PageProps {
  tenantId: string
  me: Me
  /** My role in this workspace. */
  role: Role
  /** The workspace's members (null while loading). */
  members: Member[] | null
  refreshMembers: () => void
  /** The route after the page's id (`#/knowledge/sources/<id>` gives "sources/<id>"). */
  path: string
  /** The widget's brand colour changed: the console's accent follows. */
  setBrand: (color: string | null) => void
}
