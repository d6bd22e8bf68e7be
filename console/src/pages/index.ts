/**
 * The console's pages: who may open each, and how its code arrives. The inbox (the first page an
 * agent sees) is in the main chunk; every other page is its own lazily loaded chunk.
 */
import type { ComponentType } from 'preact'
import type { PageId } from '../router'
import type { PageProps, Role } from './types'

export interface PageDef {
  id: PageId
  /** Roles that see the page in the menu and may open it. */
  roles: readonly Role[]
  /** Shown in the main menu (the account page is reached from the user's name). */
  menu: boolean
  load?: () => Promise<{ default: ComponentType<PageProps> }>
}

const EVERYONE: readonly Role[] = ['owner', 'admin', 'agent']
const ADMINS: readonly Role[] = ['owner', 'admin']

export const PAGES: readonly PageDef[] = [
  { id: 'inbox', roles: EVERYONE, menu: true },
  { id: 'contacts', roles: EVERYONE, menu: true, load: () => import('./contacts') },
  { id: 'knowledge', roles: ADMINS, menu: true, load: () => import('./knowledge') },
  { id: 'bot', roles: ADMINS, menu: true, load: () => import('./bot') },
  { id: 'rules', roles: ADMINS, menu: true, load: () => import('./rules') },
  { id: 'feedback', roles: EVERYONE, menu: true, load: () => import('./feedback') },
  { id: 'widget', roles: ADMINS, menu: true, load: () => import('./widget') },
  { id: 'team', roles: ADMINS, menu: true, load: () => import('./team') },
  { id: 'channels', roles: ADMINS, menu: true, load: () => import('./channels') },
  { id: 'analytics', roles: ADMINS, menu: true, load: () => import('./analytics') },
  { id: 'settings', roles: ADMINS, menu: true, load: () => import('./settings') },
  { id: 'account', roles: EVERYONE, menu: false, load: () => import('./account') },
]

export const pageDef = (id: string) => PAGES.find((p) => p.id === id) ?? null
