/**
 * The assistant's actions, one step of a visitor's turn (conversations/receive.ts, before the answer):
 * an order's status and booking a meeting, for a customer whose identity the site vouched for. Every
 * action is logged on the conversation as a private note (what was looked up, for whom, the result),
 * and each can be switched off per bot (bots.actions: {"orders": false, "meetings": false}).
 *
 * Who counts as verified: the session's contact holds the site's verified user id (kind 'user'). A
 * widget session gets its contact only from a verified identity (sessions/service.ts); a channel
 * session's contact holds a user id only after an agent merged it with a verified contact.
 */
import type pg from 'pg'
import { insertMessage } from '../conversations/messages'
import { systemText } from '../conversations/texts'
import type { Config } from '../config'
import type { Secrets } from '../crypto/secrets'
import { withTx } from '../db/tx'
import type { Logger } from '../logger'
import { createGuardedFetch, type GuardedFetch } from '../net'
import { publish } from '../realtime/bus'
import { detectLanguage, type Lang } from '../text/language'
import { book, cancelBooking, CalcomUnavailable, freeSlots, SlotTaken, type CalcomAccount } from './calcom'
import { choiceOf, meetingCancelOf, meetingRequestOf, orderQuestionOf } from './intents'
import { lookupShopOrder, ownedOrder, ShopUnavailable, upsertOrder, type Order } from './orders'
import { readActionSecrets } from './settings'

export interface ActionDeps {
  pool: pg.Pool
  config: Config
  secrets: Secrets
  log: Logger
}

/** A choice the visitor can pick (a widget button; on a channel, its number). */
export interface Choice {
  label: string
}

/** What an action answers: stored as the bot's reply to the visitor's message. */
export interface ActionReply {
  content: string
  language: Lang
  /** The reply asks whether the visitor wants a person: their next "yes" escalates. */
  offered_human: boolean
  /** Stored in ai_metadata: the action taken, its choices. */
  meta: { action: string; choices?: Choice[]; slots?: string[]; meeting_id?: string }
}

const fetchers = new WeakMap<Config, GuardedFetch>()
const guarded = (config: Config) => {
  let f = fetchers.get(config)
  if (!f) fetchers.set(config, (f = createGuardedFetch({ allowLoopback: config.FETCH_ALLOW_LOOPBACK })))
  return f
}

interface Who {
  actions: { orders?: boolean; meetings?: boolean }
  contact_id: string | null
  /** The site's verified user id of the session's contact, or null. */
  user_id: string | null
  name: string | null
  email: string | null
}

async function whoIs(pool: pg.Pool, sessionId: string): Promise<Who> {
  const { rows } = await pool.query(
    `select b.actions, s.contact_id, c.name, c.email,
            (select ci.value from contact_identities ci where ci.contact_id = s.contact_id and ci.kind = 'user' limit 1) as user_id
       from chatbot_sessions s join bots b on b.id = s.bot_id left join contacts c on c.id = s.contact_id
      where s.id = $1`,
    [sessionId],
  )
  return rows[0]
}

/**
 * The action a visitor message asks for, carried out, or null when it asks for none (or that action
 * is off for the bot): the bot then answers from its knowledge as usual.
 */
export async function runActions(
  deps: ActionDeps,
  session: { id: string; tenant_id: string; bot_id: string },
  message: { id: string; seq: number; content: string },
  fallback: Lang,
  /** The ai_metadata of the previous public reply (the bot's or an agent's), null before any. */
  previous: Record<string, unknown> | null,
): Promise<ActionReply | null> {
  const orderId = orderQuestionOf(message.content)
  const wantsMeeting = !orderId && meetingRequestOf(message.content)
  const cancels = !orderId && meetingCancelOf(message.content)
  // A pick is a number or a slot's label: only a short message can be one (no query for the others).
  const picking =
    !orderId && !wantsMeeting && !cancels && message.content.length <= 120 ? offeredSlots(previous) : null
  const pick = picking ? choiceOf(message.content, picking.labels) : null
  if (!orderId && !wantsMeeting && !cancels && pick === null) return null

  const who = await whoIs(deps.pool, session.id)
  const language = detectLanguage(message.content, fallback)
  if (orderId) {
    if (who.actions?.orders === false) return null
    return orderAction(deps, session, who, orderId, language)
  }
  if (who.actions?.meetings === false) return null
  const account = await calcomAccount(deps, session.tenant_id)
  if (!account) return null
  if (cancels) return cancelAction(deps, session, who, account, language)
  if (pick !== null) return bookAction(deps, session, who, account, picking!.slots[pick]!, language)
  return slotsAction(deps, session, who, account, language)
}

/** A private note for the agents on the conversation (never shown to the visitor). */
async function note(pool: pg.Pool, session: { id: string; tenant_id: string }, content: string) {
  await withTx(pool, async (db) => {
    await db.query(`select 1 from chatbot_sessions where id = $1 for update`, [session.id])
    const m = await insertMessage(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      message_type: 'system',
      content: content.slice(0, 2000),
      private: true,
      ai_metadata: { action_log: true },
    })
    await publish(db, {
      tenant_id: session.tenant_id,
      session_id: session.id,
      kind: 'message',
      seq: m.seq,
      private: true,
    })
  })
}

const whoLabel = (who: Who) =>
  who.user_id ? `verified customer ${who.user_id}` : 'a visitor without a verified identity'

/**
 * "Where is my order 4512?": the status and items for the verified customer who owns it; the same
 * refusal, word for word, for anyone else, whether the order exists or not. The lookup is one query
 * with the owner in it, run the same way in every case; the shop (when the tenant has one) is asked
 * only for a verified customer, and only about that customer's order.
 */
async function orderAction(
  deps: ActionDeps,
  session: { id: string; tenant_id: string },
  who: Who,
  externalId: string,
  language: Lang,
): Promise<ActionReply> {
  const contact = who.user_id ? who.contact_id : null
  let order: Order | null = await ownedOrder(deps.pool, session.tenant_id, externalId, contact)
  let result = order ? `answered from the stored order (status "${order.status}")` : ''
  if (!order && contact) {
    const shop = await readActionSecrets(deps, session.tenant_id)
    if (shop.order_lookup_url && shop.order_lookup_secret) {
      try {
        const found = await lookupShopOrder(
          guarded(deps.config),
          { url: shop.order_lookup_url, secret: shop.order_lookup_secret },
          externalId,
          { user_id: who.user_id!, email: who.email },
          deps.config.FETCH_TIMEOUT_MS,
        )
        if (found) {
          order = await withTx(
            deps.pool,
            async (db) =>
              (
                await upsertOrder(
                  db,
                  session.tenant_id,
                  externalId,
                  { ...found, contact: undefined },
                  'shop',
                  contact,
                )
              ).order,
          )
          result = `answered from the shop's order lookup (status "${order.status}")`
        }
      } catch (err) {
        if (!(err instanceof ShopUnavailable)) throw err
        deps.log.warn('order lookup failed', { tenant: session.tenant_id, err: String(err.cause ?? err) })
        await note(
          deps.pool,
          session,
          `Order lookup "${externalId}" for ${whoLabel(who)}: the shop could not be reached.`,
        )
        return {
          content: systemText.orderUnavailable(language),
          language,
          offered_human: true,
          meta: { action: 'order_unavailable' },
        }
      }
    }
  }
  if (!order) {
    const why = !who.user_id
      ? 'refused (identity not verified)'
      : 'refused (no order with this number for this customer)'
    await note(deps.pool, session, `Order lookup "${externalId}" for ${whoLabel(who)}: ${why}.`)
    return {
      content: systemText.orderRefused(language),
      language,
      offered_human: true,
      meta: { action: 'order_refused' },
    }
  }
  await note(deps.pool, session, `Order lookup "${externalId}" for ${whoLabel(who)}: ${result}.`)
  return {
    content: systemText.orderStatus(language, order),
    language,
    offered_human: false,
    meta: { action: 'order_status' },
  }
}

/** The tenant's Cal.com account, or null when meetings are not set up. */
async function calcomAccount(deps: ActionDeps, tenantId: string): Promise<CalcomAccount | null> {
  const s = await readActionSecrets(deps, tenantId)
  if (!s.calcom_api_key || !s.calcom_event_type_id) return null
  return {
    baseUrl: deps.config.CALCOM_API_URL,
    apiKey: s.calcom_api_key,
    eventTypeId: Number(s.calcom_event_type_id),
    timeoutMs: deps.config.FETCH_TIMEOUT_MS,
  }
}

/** The slots the bot's previous message offered, if it offered some. */
function offeredSlots(meta: Record<string, unknown> | null) {
  if (!Array.isArray(meta?.slots) || !Array.isArray(meta?.choices)) return null
  return {
    slots: meta.slots as string[],
    labels: (meta.choices as Choice[]).map((c) => c.label),
  }
}

const refuseMeeting = async (
  deps: ActionDeps,
  session: { id: string; tenant_id: string },
  who: Who,
  language: Lang,
): Promise<ActionReply> => {
  await note(deps.pool, session, `Meeting request from ${whoLabel(who)}: refused (identity not verified).`)
  return {
    content: systemText.meeting(language).signIn,
    language,
    offered_human: true,
    meta: { action: 'meeting_refused' },
  }
}

const calendarDown = async (
  deps: ActionDeps,
  session: { id: string; tenant_id: string },
  who: Who,
  language: Lang,
  err: unknown,
): Promise<ActionReply> => {
  deps.log.warn('cal.com unavailable', { tenant: session.tenant_id, err: String(err) })
  await note(deps.pool, session, `Meeting for ${whoLabel(who)}: Cal.com could not be reached.`)
  return {
    content: systemText.meeting(language).down,
    language,
    offered_human: true,
    meta: { action: 'meeting_unavailable' },
  }
}

/** Offers the next free slots as choices. */
async function slotsAction(
  deps: ActionDeps,
  session: { id: string; tenant_id: string },
  who: Who,
  account: CalcomAccount,
  language: Lang,
  lead: 'slots' | 'taken' = 'slots',
  skip: string[] = [],
): Promise<ActionReply> {
  if (!who.user_id) return refuseMeeting(deps, session, who, language)
  let slots: string[]
  try {
    slots = (await freeSlots(account, 5 + skip.length)).filter((s) => !skip.includes(s)).slice(0, 5)
  } catch (err) {
    if (err instanceof CalcomUnavailable) return calendarDown(deps, session, who, language, err)
    throw err
  }
  const t = systemText.meeting(language)
  if (!slots.length) {
    await note(deps.pool, session, `Meeting for ${whoLabel(who)}: no free slot in the next 14 days.`)
    return { content: t.none, language, offered_human: true, meta: { action: 'meeting_none' } }
  }
  const choices = slots.map((s) => ({ label: systemText.when(s, language) }))
  await note(
    deps.pool,
    session,
    `Meeting for ${whoLabel(who)}: offered ${slots.length} slots (${slots[0]} first).`,
  )
  return {
    content: [t[lead], ...choices.map((c, i) => `${i + 1}. ${c.label}`)].join('\n'),
    language,
    offered_human: false,
    meta: { action: 'meeting_slots', choices, slots },
  }
}

/** Books the picked slot; a slot taken meanwhile gets the next ones. */
async function bookAction(
  deps: ActionDeps,
  session: { id: string; tenant_id: string },
  who: Who,
  account: CalcomAccount,
  start: string,
  language: Lang,
): Promise<ActionReply> {
  if (!who.user_id || !who.contact_id) return refuseMeeting(deps, session, who, language)
  if (!who.email) {
    await note(deps.pool, session, `Meeting for ${whoLabel(who)}: no e-mail known, cannot book.`)
    return calendarDown(deps, session, who, language, 'no e-mail for the attendee')
  }
  let booking
  try {
    booking = await book(account, start, { name: who.name ?? who.email, email: who.email, language })
  } catch (err) {
    if (err instanceof SlotTaken) {
      await note(deps.pool, session, `Meeting for ${whoLabel(who)}: ${start} was taken meanwhile.`)
      return slotsAction(deps, session, who, account, language, 'taken', [start])
    }
    if (err instanceof CalcomUnavailable) return calendarDown(deps, session, who, language, err)
    throw err
  }
  const { rows } = await deps.pool.query(
    `insert into meetings (tenant_id, contact_id, session_id, cal_uid, url, title, start_at, end_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     on conflict (tenant_id, cal_uid) do update set start_at = excluded.start_at returning id`,
    [
      session.tenant_id,
      who.contact_id,
      session.id,
      booking.uid,
      booking.url,
      booking.title,
      booking.start,
      booking.end,
    ],
  )
  await note(
    deps.pool,
    session,
    `Meeting booked for ${whoLabel(who)}: ${booking.start} (Cal.com ${booking.uid}).`,
  )
  const t = systemText.meeting(language)
  return {
    content: t.booked(systemText.when(booking.start, language)),
    language,
    offered_human: false,
    meta: { action: 'meeting_booked', meeting_id: rows[0].id, choices: [{ label: t.cancelLabel }] },
  }
}

/** Cancels the customer's next scheduled meeting. */
async function cancelAction(
  deps: ActionDeps,
  session: { id: string; tenant_id: string },
  who: Who,
  account: CalcomAccount,
  language: Lang,
): Promise<ActionReply> {
  if (!who.user_id || !who.contact_id) return refuseMeeting(deps, session, who, language)
  const t = systemText.meeting(language)
  const { rows } = await deps.pool.query(
    `select id, cal_uid, start_at from meetings
      where tenant_id = $1 and contact_id = $2 and status = 'scheduled' and start_at > now()
      order by start_at limit 1`,
    [session.tenant_id, who.contact_id],
  )
  if (!rows[0])
    return {
      content: t.nothingToCancel,
      language,
      offered_human: false,
      meta: { action: 'meeting_cancel_none' },
    }
  try {
    await cancelBooking(account, rows[0].cal_uid, 'Cancelled by the customer in the chat')
  } catch (err) {
    if (err instanceof CalcomUnavailable) return calendarDown(deps, session, who, language, err)
    throw err
  }
  await deps.pool.query(`update meetings set status = 'cancelled' where id = $1`, [rows[0].id])
  await note(
    deps.pool,
    session,
    `Meeting cancelled for ${whoLabel(who)}: ${new Date(rows[0].start_at).toISOString()}.`,
  )
  return {
    content: t.cancelled,
    language,
    offered_human: false,
    meta: { action: 'meeting_cancelled', meeting_id: rows[0].id },
  }
}
