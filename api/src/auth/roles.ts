/** A member's role in a tenant; a secret key's scope maps to one too (keys.ts). */
export type Role = 'owner' | 'admin' | 'agent'

/** The roles that manage configuration. */
export const ADMINS: Role[] = ['owner', 'admin']
