/**
 * Cal.com's API v2, the three calls the assistant makes: the event type's free slots, a booking, a
 * cancellation. The base URL is the operator's (CALCOM_API_URL; tests point it at a local stand-in),
 * the API key the tenant's (sealed at rest).
 */

export interface CalcomAccount {
  baseUrl: string
  apiKey: string
  eventTypeId: number
  timeoutMs: number
}

/** Cal.com could not be asked (network, 5xx, an answer that is not what v2 sends). */
export class CalcomUnavailable extends Error {}
/** The slot is no longer free (Cal.com refused the booking for it). */
export class SlotTaken extends Error {}

async function call(
  a: CalcomAccount,
  path: string,
  version: string,
  init: { method?: string; body?: unknown } = {},
) {
  let res: Response
  try {
    res = await fetch(a.baseUrl.replace(/\/$/, '') + path, {
      method: init.method ?? 'GET',
      headers: {
        authorization: `Bearer ${a.apiKey}`,
        'cal-api-version': version,
        ...(init.body ? { 'content-type': 'application/json' } : {}),
      },
      body: init.body ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.timeout(a.timeoutMs),
      redirect: 'error',
    })
  } catch (err) {
    throw new CalcomUnavailable(`Cal.com ${path}: ${String(err)}`, { cause: err })
  }
  const text = await res.text().catch(() => '')
  let json: any = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = null
  }
  return { status: res.status, json }
}

/** The next free slot start times (ISO), soonest first, at most `count`, within `days`. */
export async function freeSlots(
  a: CalcomAccount,
  count = 5,
  days = 14,
  after = new Date(),
): Promise<string[]> {
  const start = after.toISOString()
  const end = new Date(after.getTime() + days * 86_400_000).toISOString()
  const q = new URLSearchParams({ eventTypeId: String(a.eventTypeId), start, end, timeZone: 'UTC' })
  const { status, json } = await call(a, `/slots?${q}`, '2024-09-04')
  if (status !== 200 || json?.status !== 'success' || typeof json.data !== 'object' || !json.data)
    throw new CalcomUnavailable(`Cal.com /slots answered ${status}`)
  const starts: string[] = []
  for (const day of Object.values(json.data as Record<string, unknown>)) {
    if (!Array.isArray(day)) continue
    for (const s of day)
      if (typeof s?.start === 'string' && !Number.isNaN(Date.parse(s.start))) starts.push(s.start)
  }
  return starts
    .filter((s) => Date.parse(s) > after.getTime())
    .sort((x, y) => Date.parse(x) - Date.parse(y))
    .slice(0, count)
}

export interface Booking {
  uid: string
  start: string
  end: string | null
  url: string | null
  title: string | null
}

/** Books a slot for an attendee. SlotTaken when Cal.com says the time is no longer free. */
export async function book(
  a: CalcomAccount,
  start: string,
  attendee: { name: string; email: string; language: string },
): Promise<Booking> {
  const { status, json } = await call(a, '/bookings', '2024-08-13', {
    method: 'POST',
    body: {
      start: new Date(start).toISOString(),
      eventTypeId: a.eventTypeId,
      attendee: { name: attendee.name, email: attendee.email, timeZone: 'UTC', language: attendee.language },
    },
  })
  if (status >= 400 && status < 500) throw new SlotTaken(`Cal.com refused the booking (${status})`)
  const d = json?.data
  if ((status !== 200 && status !== 201) || typeof d?.uid !== 'string')
    throw new CalcomUnavailable(`Cal.com /bookings answered ${status}`)
  return {
    uid: d.uid,
    start: typeof d.start === 'string' ? d.start : start,
    end: typeof d.end === 'string' ? d.end : null,
    url: typeof d.meetingUrl === 'string' ? d.meetingUrl : typeof d.location === 'string' ? d.location : null,
    title: typeof d.title === 'string' ? d.title.slice(0, 300) : null,
  }
}

/** Cancels a booking. */
export async function cancelBooking(a: CalcomAccount, uid: string, reason: string) {
  const { status } = await call(a, `/bookings/${encodeURIComponent(uid)}/cancel`, '2024-08-13', {
    method: 'POST',
    body: { cancellationReason: reason },
  })
  if (status !== 200 && status !== 201) throw new CalcomUnavailable(`Cal.com cancel answered ${status}`)
}
