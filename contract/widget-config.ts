/** `GET /v1/widget/config?key=pk_...` (api/src/sessions/routes.ts). */

export interface PrechatField {
  name: string
  label: string
  type: 'text' | 'email'
  required: boolean
}

export interface WidgetConfig {
  bot: { id: string; name: string; avatar_url: string | null }
  greeting: string
  suggestions: string[]
  language: string
  theme: { primary_color: string; position?: 'right' | 'left' }
  /** Within business hours (missing: open). */
  open?: boolean
  /** When the team is back, ISO, while closed. */
  next_open_at?: string | null
  /** The pre-chat form, asked before the first message. */
  prechat?: { fields: PrechatField[] } | null
  position?: 'left' | 'right'
  business_hours?: unknown
  /**
   * The domains links in bot answers and source lists may go to (subdomains included; contract/links.ts).
   * Missing (an older API): the widget links nothing in bot answers (it fails closed).
   */
  link_domains?: string[]
}
