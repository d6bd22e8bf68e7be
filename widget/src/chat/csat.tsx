import { fmt, type Strings } from '../i18n'

export interface CsatProps {
  t: Strings
  score: number | null
  onRate: (score: number) => void
}

/** CSAT 1-5 once the session is resolved; a thank-you once given. */
export function Csat({ t, score, onRate }: CsatProps) {
  if (score) return <div class="system">{t.thanks}</div>
  return (
    <div class="csat" role="group" aria-label={t.rate}>
      <div class="csat-q">{t.rate}</div>
      <div class="stars">
        {[1, 2, 3, 4, 5].map((n) => (
          <button type="button" key={n} aria-label={fmt(t.stars, { n: String(n) })} onClick={() => onRate(n)}>
            <svg viewBox="0 0 24 24" aria-hidden="true">
              <path d="M12 3l2.7 5.6 6.1.8-4.5 4.2 1.1 6.1L12 16.8 6.6 19.7l1.1-6.1L3.2 9.4l6.1-.8z" />
            </svg>
          </button>
        ))}
      </div>
    </div>
  )
}
