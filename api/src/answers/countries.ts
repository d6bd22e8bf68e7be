/**
 * Country names as specific words: "Liefern Sie nach Österreich?" is not answered by the passage about
 * France. The names come from the ICU data Node ships (Intl.DisplayNames), every region in each of the
 * seven languages, so no country is forgotten by a hand-written list ("Österreich", "Suíça", "Messico").
 *
 * A name counts only as whole words written with a capital: several are common words too ("jersey",
 * "turkey", "chile", "china"). German writes every noun with a capital; there the whole name must
 * still be one of the list's.
 */
import { fold, words } from '../text/fold'
import { LANGS } from '../text/language'

/** ICU region codes that are not countries (the EU, the UN, the euro area, pseudo-locales, "unknown"). */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'ZZ', 'XA', 'XB'])
/** Longest name in words ("Saint-Vincent-et-les-Grenadines"). */
const MAX_WORDS = 6

let names: Map<string, string> | null = null

/** Folded country name (words joined by one space) -> ISO 3166 code; built once, on first use. */
function countryNames(): Map<string, string> {
  if (names) return names
  names = new Map()
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  for (const lang of LANGS) {
    const display = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' })
    for (const a of letters)
      for (const b of letters) {
        const code = a + b
        if (NOT_COUNTRIES.has(code)) continue
        const name = display.of(code)
        if (name) names.set(words(fold(name)).join(' '), code)
      }
  }
  return names
}

export interface CountryMention {
  /** ISO 3166 code ("AT"). */
  code: string
  /** The folded words of the name as written ("osterreich"). */
  words: string[]
}

/** The countries a text names (with a capital), each once, in order. */
export function countriesIn(text: string): CountryMention[] {
  const map = countryNames()
  const raw = words(text)
  const folded = raw.map((w) => fold(w))
  const out: CountryMention[] = []
  const seen = new Set<string>()
  for (let i = 0; i < raw.length; i++) {
    if (!/^\p{Lu}/u.test(raw[i]!)) continue
    for (let n = Math.min(MAX_WORDS, raw.length - i); n >= 1; n--) {
      const name = folded.slice(i, i + n).join(' ')
      const code = map.get(name)
      if (!code) continue
      if (!seen.has(code)) out.push({ code, words: folded.slice(i, i + n) })
      seen.add(code)
      i += n - 1
      break
    }
  }
  return out
}

/** A country's name in a language ("AT", "fr" -> "Autriche"). */
export function countryName(code: string, lang: string): string | null {
  return new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' }).of(code) ?? null
}
