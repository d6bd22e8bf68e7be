/** The Team page's calls: members (role, capacity, removal) and invitations. */
import { request } from '../../api'
import type { Member } from '../../types'

export interface Invitation {
  id: string
  email: string
  role: 'admin' | 'agent'
  expires_at: string
  expired?: boolean
  sent_count: number
  last_sent_at: string
  created_at: string
}

const t = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`

export const teamApi = {
  updateMember: (tenantId: string, userId: string, patch: { role?: Member['role']; capacity?: number }) =>
    request<{ member: Member }>(`${t(tenantId)}/members/${encodeURIComponent(userId)}`, {
      method: 'PATCH',
      body: patch,
    }),
  removeMember: (tenantId: string, userId: string) =>
    request<null>(`${t(tenantId)}/members/${encodeURIComponent(userId)}`, { method: 'DELETE' }),
  invitations: (tenantId: string) => request<{ invitations: Invitation[] }>(`${t(tenantId)}/invitations`),
  invite: (tenantId: string, body: { email: string; role: 'admin' | 'agent' }) =>
    request<{ invitation: Invitation; accept_url: string; emailed: boolean }>(`${t(tenantId)}/invitations`, {
      body,
    }),
  resend: (tenantId: string, id: string) =>
    request<{ invitation: Invitation; accept_url: string; emailed: boolean }>(
      `${t(tenantId)}/invitations/${encodeURIComponent(id)}/resend`,
      { body: {} },
    ),
  revoke: (tenantId: string, id: string) =>
    request<null>(`${t(tenantId)}/invitations/${encodeURIComponent(id)}`, { method: 'DELETE' }),
}
