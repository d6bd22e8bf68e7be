/** Opening hours: a time zone and up to four ranges per day. */
import type { BusinessHours, Weekday } from '../../../../contract'
import { Field, messageFor } from '../../components/field'
import { useT } from '../../i18n'
import { strings } from './strings'

export const DAYS: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']

/** Every IANA zone the browser knows (a short list when it cannot say). */
export function timeZones(): string[] {
  try {
    return (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf('timeZone')
  } catch {
    return ['UTC', 'Europe/Paris', 'Europe/Lisbon', 'Europe/Madrid', 'America/Sao_Paulo', 'America/New_York']
  }
}

export const defaultHours = (): BusinessHours => ({
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  days: Object.fromEntries(DAYS.slice(0, 5).map((d) => [d, [['09:00', '18:00']]])),
})

export function HoursEditor({
  hours,
  onChange,
  error,
}: {
  hours: BusinessHours
  onChange: (h: BusinessHours) => void
  error: unknown
}) {
  const t = useT(strings)
  const zones = timeZones()
  const setDay = (d: Weekday, ranges: [string, string][]) =>
    onChange({ ...hours, days: { ...hours.days, [d]: ranges } })
  return (
    <>
      <Field label={t('timezone')} error={messageFor(error, 'business_hours.timezone')}>
        {(p) => (
          <select
            {...p}
            value={hours.timezone}
            onChange={(e) => onChange({ ...hours, timezone: e.currentTarget.value })}
          >
            {!zones.includes(hours.timezone) && <option value={hours.timezone}>{hours.timezone}</option>}
            {zones.map((z) => (
              <option key={z} value={z}>
                {z}
              </option>
            ))}
          </select>
        )}
      </Field>
      <table class="hours">
        <tbody>
          {DAYS.map((d) => {
            const ranges = hours.days[d] ?? []
            const dayError = messageFor(error, `business_hours.days.${d}`)
            return (
              <tr key={d}>
                <th scope="row">{t(`day.${d}`)}</th>
                <td>
                  {ranges.length === 0 && <span class="muted">{t('closed')}</span>}
                  {ranges.map(([from, to], i) => (
                    <span key={i} class="hours-range">
                      <label>
                        <span class="sr-only">
                          {t(`day.${d}`)} {t('from')}
                        </span>
                        <input
                          type="time"
                          value={from}
                          onInput={(e) =>
                            setDay(
                              d,
                              ranges.map((r, j) => (j === i ? [e.currentTarget.value, r[1]] : r)),
                            )
                          }
                        />
                      </label>
                      <span aria-hidden="true">–</span>
                      <label>
                        <span class="sr-only">
                          {t(`day.${d}`)} {t('to')}
                        </span>
                        <input
                          type="time"
                          value={to}
                          onInput={(e) =>
                            setDay(
                              d,
                              ranges.map((r, j) => (j === i ? [r[0], e.currentTarget.value] : r)),
                            )
                          }
                        />
                      </label>
                      <button
                        type="button"
                        class="btn btn-small btn-ghost"
                        aria-label={`${t('removeRange')}: ${t(`day.${d}`)} ${from}–${to}`}
                        onClick={() =>
                          setDay(
                            d,
                            ranges.filter((_, j) => j !== i),
                          )
                        }
                      >
                        ✕
                      </button>
                    </span>
                  ))}
                  {ranges.length < 4 && (
                    <button
                      type="button"
                      class="btn btn-small"
                      aria-label={`${t('addRange')}: ${t(`day.${d}`)}`}
                      onClick={() =>
                        setDay(d, [...ranges, ranges.length ? ['14:00', '18:00'] : ['09:00', '18:00']])
                      }
                    >
                      +
                    </button>
                  )}
                  {dayError && <p class="field-error">{dayError}</p>}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </>
  )
}
