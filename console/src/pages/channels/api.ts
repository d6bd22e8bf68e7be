/** The Channels page's calls: a tenant's accounts on messaging platforms (owners and admins). */
import { request } from '../../api'

export type Platform = 'telegram' | 'whatsapp' | 'messenger' | 'instagram'

export const PLATFORMS: readonly Platform[] = ['telegram', 'whatsapp', 'messenger', 'instagram']

/** A channel as the API returns it: ids and the webhook URL, never a secret. */
export interface Channel {
  id: string
  platform: Platform
  bot_id: string
  account_id: string
  business_account_id: string | null
  account_username: string | null
  webhook_url: string
  is_active: boolean
  created_at: string
  updated_at: string
}

/** `POST .../channels`: the fields a platform needs (Telegram: the bot token only). */
export interface ChannelInput {
  platform: Platform
  bot_id: string
  access_token: string
  account_id?: string
  business_account_id?: string
  app_secret?: string
  verify_token?: string
}

/** `PATCH .../channels/:id`: only what changes; a secret left out is kept. */
export type ChannelPatch = Partial<
  Pick<ChannelInput, 'bot_id' | 'access_token' | 'app_secret' | 'verify_token' | 'business_account_id'>
> & { is_active?: boolean }

const base = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}/channels`

export const channelsApi = {
  list: (tenantId: string) => request<{ channels: Channel[] }>(base(tenantId)),
  create: (tenantId: string, body: ChannelInput) => request<{ channel: Channel }>(base(tenantId), { body }),
  update: (tenantId: string, id: string, body: ChannelPatch) =>
    request<{ channel: Channel }>(`${base(tenantId)}/${encodeURIComponent(id)}`, { method: 'PATCH', body }),
  remove: (tenantId: string, id: string) =>
    request<null>(`${base(tenantId)}/${encodeURIComponent(id)}`, { method: 'DELETE' }),
}
