/** The Settings page's calls: the workspace, its webhook and its API keys. */
import { request } from '../../api'

export interface Tenant {
  id: string
  name: string
  slug: string
  settings: {
    timezone?: string
    language?: string
    escalation_email?: string | null
    link_domains?: string[]
  }
}
export interface Webhook {
  url: string
  events: string[]
  is_active: boolean
  secret?: string
}
export interface Delivery {
  id: string
  event: string
  status: 'pending' | 'delivering' | 'delivered' | 'failed'
  attempts: number
  last_status: number | null
  last_error: string | null
  created_at: string
}
export interface ApiKey {
  id: string
  name: string
  prefix: string
  scopes: ('read' | 'write' | 'admin')[]
  last_used_at: string | null
  revoked_at: string | null
  created_at: string
}

const t = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`

export const settingsApi = {
  tenant: (tenantId: string) => request<{ tenant: Tenant }>(t(tenantId)),
  updateTenant: (tenantId: string, body: { name?: string; settings?: Tenant['settings'] }) =>
    request<{ tenant: Tenant }>(t(tenantId), { method: 'PATCH', body }),
  webhook: (tenantId: string) => request<{ webhook: Webhook | null }>(`${t(tenantId)}/webhook`),
  saveWebhook: (tenantId: string, body: { url: string; events: string[]; is_active: boolean }) =>
    request<{ webhook: Webhook }>(`${t(tenantId)}/webhook`, { method: 'PUT', body }),
  deliveries: (tenantId: string) => request<{ deliveries: Delivery[] }>(`${t(tenantId)}/webhook/deliveries`),
  keys: (tenantId: string) => request<{ api_keys: ApiKey[] }>(`${t(tenantId)}/api-keys`),
  createKey: (tenantId: string, body: { name: string; scopes: ApiKey['scopes'] }) =>
    request<{ api_key: ApiKey; secret: string }>(`${t(tenantId)}/api-keys`, { body }),
  revokeKey: (tenantId: string, id: string) =>
    request<null>(`${t(tenantId)}/api-keys/${encodeURIComponent(id)}`, { method: 'DELETE' }),
}
