/** The owner's view of a widget: `GET|PATCH /v1/bots/:b/widget` (api/src/admin/routes.ts). */
import type { PrechatField } from './widget-config'

export type WidgetLanguage = 'auto' | 'en' | 'fr' | 'es' | 'pt'
export type IdentityMode = 'off' | 'optional' | 'required'
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun'

/** Opening hours: an IANA time zone and up to four ["HH:MM", "HH:MM"] ranges per day. */
export interface BusinessHours {
  timezone: string
  days: Partial<Record<Weekday, [string, string][]>>
}

export interface WidgetSettings {
  publishable_key: string
  /** Origins like https://shop.example.com; empty: the widget runs nowhere but the preview. */
  allowed_origins: string[]
  theme: { primary_color?: string; position?: 'left' | 'right' }
  greeting: string | null
  suggestions: string[]
  language: WidgetLanguage
  identity_mode: IdentityMode
  business_hours: BusinessHours | null
  prechat: { fields: PrechatField[] } | null
  updated_at?: string
}

/** `PATCH /v1/bots/:b/widget`: any of these. */
export type WidgetSettingsPatch = Partial<
  Pick<
    WidgetSettings,
    | 'allowed_origins'
    | 'theme'
    | 'greeting'
    | 'suggestions'
    | 'language'
    | 'identity_mode'
    | 'business_hours'
    | 'prechat'
  >
>
