/**
 * One adapter per platform, and nothing but translation: a webhook payload becomes inbound messages
 * and delivery statuses; an outgoing text becomes the platform's send request. Telegram speaks the Bot
 * API (sendMessage, setWebhook); WhatsApp, Messenger and Instagram the Meta Graph API.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Platform } from './format'

export type { Platform }

export type MessageKind = 'text' | 'image' | 'audio' | 'video' | 'sticker' | 'location' | 'document' | 'other'

/** A message from a platform user, in the one shape every adapter produces. */
export interface InboundMessage {
  /** De-duplication key of the delivery (Telegram update_id, Meta message id). */
  event_key: string
  /** The platform's id of the account it was sent to (routes a Meta batch to its account). */
  account_id: string
  /** The platform's message id: the visitor message's client_message_id. */
  message_id: string
  user: { id: string; name?: string; phone?: string; handle?: string; language?: string }
  kind: MessageKind
  /** The text, or null for a non-text message. */
  text: string | null
}

export type DeliveryState = 'sent' | 'delivered' | 'read' | 'failed'

/** A delivery receipt for messages we sent. */
export interface StatusUpdate {
  account_id: string
  state: DeliveryState
  /** The platform's ids of the messages it is about. */
  message_ids: string[]
  /** Messenger and Instagram: everything sent to this user up to `watermark` (ms) has this state. */
  user_id?: string
  watermark?: number
  error?: string
}

export interface Parsed {
  messages: InboundMessage[]
  statuses: StatusUpdate[]
}

/** Readable stand-ins for what the bot cannot read, stored as the message's content. */
export const PLACEHOLDER: Record<MessageKind, string> = {
  text: '',
  image: '[image]',
  audio: '[audio]',
  video: '[video]',
  sticker: '[sticker]',
  location: '[location]',
  document: '[document]',
  other: '[unsupported message]',
}

const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined)
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : [])

/** The two-letter language of a locale ("pt-BR" -> "pt"), or undefined. */
const lang = (code: unknown) => (typeof code === 'string' ? code.slice(0, 2).toLowerCase() : undefined)

/** A Telegram update (one per request). */
export function parseTelegram(update: any, botId: string): Parsed {
  const m = update?.message ?? update?.edited_message
  const updateId = str(update?.update_id)
  if (!m || !updateId || !m.chat?.id) return { messages: [], statuses: [] }
  const from = m.from ?? {}
  const kind: MessageKind =
    typeof m.text === 'string'
      ? 'text'
      : m.photo
        ? 'image'
        : m.voice || m.audio
          ? 'audio'
          : m.video || m.video_note || m.animation
            ? 'video'
            : m.sticker
              ? 'sticker'
              : m.location || m.venue
                ? 'location'
                : m.document
                  ? 'document'
                  : 'other'
  const name = [from.first_name, from.last_name].filter((x) => typeof x === 'string').join(' ')
  return {
    messages: [
      {
        event_key: `update:${updateId}`,
        account_id: botId,
        // message_id is unique per chat; an edit is a new message for the bot.
        message_id: `${update.edited_message ? 'edit' : 'msg'}:${m.chat.id}:${m.message_id}${update.edited_message ? `:${m.edit_date ?? updateId}` : ''}`,
        user: {
          id: String(m.chat.id),
          name: name || undefined,
          handle: typeof from.username === 'string' ? `@${from.username}` : undefined,
          language: lang(from.language_code),
        },
        kind,
        text: kind === 'text' ? m.text : null,
      },
    ],
    statuses: [],
  }
}

const WA_KINDS: Record<string, MessageKind> = {
  text: 'text',
  image: 'image',
  audio: 'audio',
  voice: 'audio',
  video: 'video',
  sticker: 'sticker',
  location: 'location',
  document: 'document',
}

/** A WhatsApp Cloud API notification: entries of changes, each with messages and statuses. */
export function parseWhatsApp(body: any): Parsed {
  const out: Parsed = { messages: [], statuses: [] }
  for (const entry of arr(body?.entry))
    for (const change of arr(entry?.changes)) {
      const v = change?.value
      const account = str(v?.metadata?.phone_number_id)
      if (change?.field !== 'messages' || !account) continue
      const names = new Map(arr(v.contacts).map((c: any) => [str(c?.wa_id), str(c?.profile?.name)]))
      for (const m of arr(v.messages)) {
        const id = str(m?.id)
        const from = str(m?.from)
        if (!id || !from) continue
        const kind = WA_KINDS[m.type] ?? (m.type === 'button' || m.type === 'interactive' ? 'text' : 'other')
        const text =
          m.type === 'text'
            ? str(m.text?.body)
            : m.type === 'button'
              ? str(m.button?.text)
              : m.type === 'interactive'
                ? str(m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title)
                : undefined
        out.messages.push({
          event_key: `msg:${id}`,
          account_id: account,
          message_id: id,
          user: { id: from, name: names.get(from), phone: `+${from}` },
          kind: kind === 'text' && text === undefined ? 'other' : kind,
          text: kind === 'text' ? (text ?? null) : null,
        })
      }
      for (const s of arr(v.statuses)) {
        const id = str(s?.id)
        if (!id || !['sent', 'delivered', 'read', 'failed'].includes(s.status)) continue
        out.statuses.push({
          account_id: account,
          state: s.status,
          message_ids: [id],
          error: s.status === 'failed' ? str(s.errors?.[0]?.title ?? s.errors?.[0]?.message) : undefined,
        })
      }
    }
  return out
}

/** A Messenger or Instagram notification: entries of messaging events. */
export function parseMessaging(body: any): Parsed {
  const out: Parsed = { messages: [], statuses: [] }
  for (const entry of arr(body?.entry)) {
    const account = str(entry?.id)
    if (!account) continue
    for (const e of arr(entry?.messaging)) {
      const sender = str(e?.sender?.id)
      if (!sender) continue
      if (e.message && !e.message.is_echo) {
        const id = str(e.message.mid)
        if (!id) continue
        const att = arr(e.message.attachments)[0]
        const kind: MessageKind =
          typeof e.message.text === 'string'
            ? 'text'
            : att
              ? ((
                  {
                    image: 'image',
                    audio: 'audio',
                    video: 'video',
                    file: 'document',
                    location: 'location',
                  } as Record<string, MessageKind>
                )[att.type] ?? (att.payload?.sticker_id ? 'sticker' : 'other'))
              : 'other'
        out.messages.push({
          event_key: `msg:${id}`,
          account_id: account,
          message_id: id,
          user: { id: sender },
          kind,
          text: kind === 'text' ? e.message.text : null,
        })
      } else if (e.delivery) {
        out.statuses.push({
          account_id: account,
          state: 'delivered',
          message_ids: arr(e.delivery.mids).map(String),
          user_id: sender,
          watermark: Number(e.delivery.watermark) || undefined,
        })
      } else if (e.read) {
        out.statuses.push({
          account_id: account,
          state: 'read',
          message_ids: [],
          user_id: sender,
          watermark: Number(e.read.watermark) || undefined,
        })
      }
    }
  }
  return out
}

export function parsePayload(platform: Platform, body: unknown, accountId: string): Parsed {
  if (platform === 'telegram') return parseTelegram(body, accountId)
  if (platform === 'whatsapp') return parseWhatsApp(body)
  return parseMessaging(body)
}

/** Constant-time equality of two strings (unequal lengths are a plain no). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Meta's X-Hub-Signature-256 check: `sha256=` and the HMAC of the raw body under the app secret. */
export function verifyMetaSignature(appSecret: string, raw: Uint8Array, header: string | undefined): boolean {
  if (!header) return false
  const expected = `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`
  return safeEqual(expected, header.trim().toLowerCase())
}

/** What one send request needs. */
export interface SendTarget {
  platform: Platform
  account_id: string
  access_token: string
  /** The platform user (Telegram chat id, WhatsApp number, page-scoped id). */
  to: string
}

/** A failed platform call: retryable (network, 429, 5xx) or not. */
export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message)
  }
}

export interface PlatformUrls {
  telegram: string
  graph: string
}

/** The request that sends one text part. The token never appears in a thrown error. */
export function sendRequest(
  urls: PlatformUrls,
  t: SendTarget,
  text: string,
): { url: string; headers: Record<string, string>; body: unknown } {
  if (t.platform === 'telegram')
    return {
      url: `${urls.telegram}/bot${t.access_token}/sendMessage`,
      headers: { 'content-type': 'application/json' },
      body: { chat_id: t.to, text, parse_mode: 'HTML', disable_web_page_preview: true },
    }
  if (t.platform === 'whatsapp')
    return {
      url: `${urls.graph}/${encodeURIComponent(t.account_id)}/messages`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.access_token}` },
      body: {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: t.to,
        type: 'text',
        text: { body: text, preview_url: false },
      },
    }
  return {
    url: `${urls.graph}/me/messages`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.access_token}` },
    body: { recipient: { id: t.to }, messaging_type: 'RESPONSE', message: { text } },
  }
}

/** A WhatsApp message template (approved in WhatsApp Manager): what may be sent outside the 24-hour window. */
export interface WhatsAppTemplate {
  name: string
  language: string
}

/** Sends an approved template to a WhatsApp user; returns WhatsApp's message id. */
export async function sendTemplate(
  urls: PlatformUrls,
  t: SendTarget,
  template: WhatsAppTemplate,
  timeoutMs: number,
) {
  const res = await postJson(
    `${urls.graph}/${encodeURIComponent(t.account_id)}/messages`,
    { 'content-type': 'application/json', authorization: `Bearer ${t.access_token}` },
    {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: t.to,
      type: 'template',
      template: { name: template.name, language: { code: template.language } },
    },
    timeoutMs,
  )
  if (res.status >= 200 && res.status < 300) return sentId('whatsapp', res.body) ?? ''
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500
  throw new SendError(platformError('whatsapp', res.status, res.body), retryable, res.status)
}

/** The platform's id of the message it accepted. */
export function sentId(platform: Platform, body: any): string | undefined {
  if (platform === 'telegram') return str(body?.result?.message_id)
  if (platform === 'whatsapp') return str(body?.messages?.[0]?.id)
  return str(body?.message_id)
}

/** The platform's own words for a refusal, without anything that could carry a secret. */
export function platformError(platform: Platform, status: number, body: any): string {
  const detail =
    platform === 'telegram'
      ? str(body?.description)
      : str(body?.error?.message ?? body?.error?.error_user_msg)
  return `HTTP ${status}${detail ? `: ${detail.slice(0, 300)}` : ''}`
}

/** POSTs JSON with a timeout; SendError on failure (the URL, which may hold a token, is never in it). */
export async function postJson(
  url: string,
  headers: Record<string, string>,
  body: unknown,
  timeoutMs: number,
): Promise<{ status: number; body: any }> {
  let res: Response
  try {
    res = await fetch(url, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    const name = (err as Error).name
    throw new SendError(name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'network error', true)
  }
  const text = await res.text().catch(() => '')
  let parsed: any = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = null
  }
  return { status: res.status, body: parsed }
}

/** Sends one part; returns the platform's message id. */
export async function sendPart(urls: PlatformUrls, t: SendTarget, text: string, timeoutMs: number) {
  const req = sendRequest(urls, t, text)
  const res = await postJson(req.url, req.headers, req.body, timeoutMs)
  if (res.status >= 200 && res.status < 300 && (t.platform !== 'telegram' || res.body?.ok !== false))
    return sentId(t.platform, res.body) ?? ''
  const retryable = res.status === 408 || res.status === 429 || res.status >= 500
  throw new SendError(platformError(t.platform, res.status, res.body), retryable, res.status)
}

/**
 * Messenger and Instagram send only the user's page-scoped id: their name comes from the Graph profile
 * endpoint (Messenger: name, or first and last name; Instagram: name and username). The token travels in
 * a header, never in the URL. Resolves to what the platform gave, or throws a SendError.
 */
export async function fetchProfile(
  urls: PlatformUrls,
  t: { platform: Platform; access_token: string },
  userId: string,
  timeoutMs: number,
): Promise<{ name?: string; handle?: string }> {
  if (!/^\d{1,40}$/.test(userId)) throw new SendError('not a page-scoped user id', false)
  const fields = t.platform === 'instagram' ? 'name,username' : 'name,first_name,last_name'
  let res: Response
  try {
    res = await fetch(`${urls.graph}/${userId}?fields=${fields}`, {
      headers: { authorization: `Bearer ${t.access_token}` },
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    })
  } catch (err) {
    const name = (err as Error).name
    throw new SendError(name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : 'network error', true)
  }
  const body: any = await res.json().catch(() => null)
  if (res.status !== 200) throw new SendError(platformError(t.platform, res.status, body), res.status >= 500)
  const clean = (v: unknown, max: number) =>
    typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined
  const name =
    clean(body?.name, 200) ??
    clean([body?.first_name, body?.last_name].filter((x) => typeof x === 'string').join(' '), 200)
  const username = clean(body?.username, 99)
  return { name, handle: username ? `@${username}` : undefined }
}

/** Telegram: points the bot's webhook at our URL, with the secret Telegram will send back in a header. */
export async function setTelegramWebhook(
  urls: PlatformUrls,
  token: string,
  webhookUrl: string,
  secret: string,
  timeoutMs: number,
) {
  const res = await postJson(
    `${urls.telegram}/bot${token}/setWebhook`,
    { 'content-type': 'application/json' },
    { url: webhookUrl, secret_token: secret, allowed_updates: ['message', 'edited_message'] },
    timeoutMs,
  )
  if (res.status !== 200 || res.body?.ok !== true)
    throw new SendError(platformError('telegram', res.status, res.body), res.status >= 500)
}

export async function deleteTelegramWebhook(urls: PlatformUrls, token: string, timeoutMs: number) {
  await postJson(
    `${urls.telegram}/bot${token}/deleteWebhook`,
    { 'content-type': 'application/json' },
    {},
    timeoutMs,
  )
}
