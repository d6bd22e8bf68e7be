import { z } from 'zod'

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
const time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour')

/**
 * Opening hours: a time zone and, per weekday, the spans the team answers in. A day that is absent
 * is closed; no schedule at all (null) means the team is always reachable.
 */
export const businessHoursSchema = z
  .object({
    timezone: z.string().refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz })
        return true
      } catch {
        return false
      }
    }, 'an IANA time zone such as Europe/Paris'),
    days: z.partialRecord(z.enum(DAYS), z.array(z.tuple([time, time])).max(4)),
  })
  .strict()

export type BusinessHours = z.infer<typeof businessHoursSchema>

function localParts(at: Date, timeZone: string) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at)
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? ''
  return {
    day: get('weekday').toLowerCase().slice(0, 3) as (typeof DAYS)[number],
    minutes: Number(get('hour')) * 60 + Number(get('minute')),
  }
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

function openAt(hours: BusinessHours, at: Date) {
  const { day, minutes } = localParts(at, hours.timezone)
  return (hours.days[day] ?? []).some(([from, to]) => minutes >= toMinutes(from) && minutes < toMinutes(to))
}

/**
 * Whether the team is open now and, when it is not, the next opening (to the minute, within a week).
 * An invalid stored schedule counts as no schedule: better reachable than wrongly closed.
 */
export function openingState(raw: unknown, now = new Date()): { open: boolean; next_open_at: string | null } {
  const parsed = businessHoursSchema.safeParse(raw)
  if (!parsed.success) return { open: true, next_open_at: null }
  const hours = parsed.data
  if (openAt(hours, now)) return { open: true, next_open_at: null }
  // Walk forward in 15-minute steps, then back up to the exact minute (openings rarely sit off the quarter).
  const start = Math.ceil(now.getTime() / 900_000) * 900_000
  for (let t = start; t < now.getTime() + 8 * 86_400_000; t += 900_000) {
    if (openAt(hours, new Date(t))) {
      let exact = t
      while (exact - 60_000 > now.getTime() && openAt(hours, new Date(exact - 60_000))) exact -= 60_000
      return { open: false, next_open_at: new Date(exact).toISOString() }
    }
  }
  return { open: false, next_open_at: null }
}
