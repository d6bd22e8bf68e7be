/** The Contacts page's calls: contacts, their orders and meetings, CSV import, the assistant's actions. */
import { request } from '../../api'

export type Source = 'verified' | 'claimed' | 'platform' | null

export interface Contact {
  id: string
  user_id: string | null
  name: string | null
  email: string | null
  phone: string | null
  sources: { name: Source; email: Source; phone: Source }
  identities: { kind: string; value: string }[]
  attributes: Record<string, unknown>
  notes: string
  session_count?: number
  last_seen_at?: string | null
  updated_at: string
}

export interface Order {
  id: string
  external_id: string
  status: string
  currency: string | null
  items: { name: string; quantity: number; unit_price: number; line_total: number }[]
  total: number
  updated_at: string
}

export interface Meeting {
  id: string
  start_at: string
  status: 'scheduled' | 'completed' | 'cancelled'
  url: string | null
  title: string | null
}

export interface ContactDetail {
  contact: Contact
  sessions: {
    id: string
    channel: string
    status: string
    last_message: string | null
    last_message_at: string | null
    created_at: string
  }[]
  orders: Order[]
  meetings: Meeting[]
}

export interface ActionSettings {
  order_lookup_url: string | null
  order_lookup_secret_set: boolean
  calcom_event_type_id: number | null
  calcom_api_key_set: boolean
}

const t = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`

export const contactsApi = {
  list: (tenantId: string, q: string) =>
    request<{ contacts: Contact[] }>(`${t(tenantId)}/contacts${q ? `?q=${encodeURIComponent(q)}` : ''}`),
  get: (tenantId: string, id: string) =>
    request<ContactDetail>(`${t(tenantId)}/contacts/${encodeURIComponent(id)}`),
  update: (tenantId: string, id: string, patch: { notes?: string; name?: string | null }) =>
    request<{ contact: Contact }>(`${t(tenantId)}/contacts/${encodeURIComponent(id)}`, {
      method: 'PATCH',
      body: patch,
    }),
  merge: (tenantId: string, id: string, otherId: string) =>
    request<ContactDetail>(`${t(tenantId)}/contacts/${encodeURIComponent(id)}/merge`, {
      body: { other_id: otherId },
    }),
  importCsv: (tenantId: string, csv: string) =>
    request<{ imported: number; created: number; updated: number }>(`${t(tenantId)}/orders/import`, {
      body: { csv },
    }),
  settings: (tenantId: string) => request<{ settings: ActionSettings }>(`${t(tenantId)}/action-settings`),
  saveSettings: (tenantId: string, body: Record<string, unknown>) =>
    request<{ settings: ActionSettings }>(`${t(tenantId)}/action-settings`, { method: 'PUT', body }),
  botActions: (botId: string) =>
    request<{ actions: { orders: boolean; meetings: boolean } }>(
      `/v1/bots/${encodeURIComponent(botId)}/actions`,
    ),
  setBotActions: (botId: string, body: { orders?: boolean; meetings?: boolean }) =>
    request<{ actions: { orders: boolean; meetings: boolean } }>(
      `/v1/bots/${encodeURIComponent(botId)}/actions`,
      {
        method: 'PUT',
        body,
      },
    ),
}
