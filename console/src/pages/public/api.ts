/** Calls made before anyone is signed in: set-up, invitation, password reset. */
import { request } from '../../api'

export interface SignedIn {
  access_token: string
  user: { id: string; email: string }
  tenant_id?: string
}

export const publicApi = {
  setupNeeded: () => request<{ needed: boolean }>('/v1/auth/setup'),
  setup: (body: { email: string; password: string; name: string; tenant_name: string }) =>
    request<SignedIn>('/v1/auth/setup', { body }),
  accept: (body: { token: string; password: string; name?: string }) =>
    request<SignedIn>('/v1/auth/invitations/accept', { body }),
  requestReset: (email: string) => request<null>('/v1/auth/password-reset', { body: { email } }),
  confirmReset: (token: string, password: string) =>
    request<SignedIn>('/v1/auth/password-reset/confirm', { body: { token, password } }),
  changePassword: (current_password: string, password: string) =>
    request<null>('/v1/me/password', { method: 'PUT', body: { current_password, password } }),
}

/** The `token` of a link like `#/accept-invitation?token=...`. */
export function hashToken(hash = location.hash): string {
  const q = hash.split('?')[1] ?? ''
  return new URLSearchParams(q).get('token') ?? ''
}
