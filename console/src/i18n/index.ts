/**
 * The console's languages. Strings live in one file per page (`pages/<page>/strings.ts`) plus
 * `i18n/common.ts`; each is `{en, fr, es, pt}` where English is the reference and the others must
 * have every key (the type says so). The language comes from localStorage, else the browser, else
 * English; the switch in the top bar changes it everywhere at once through a context.
 */
import { createContext } from 'preact'
import { useCallback, useContext } from 'preact/hooks'

export const LOCALES = ['en', 'fr', 'es', 'pt'] as const
export type Locale = (typeof LOCALES)[number]
export const LOCALE_NAMES: Record<Locale, string> = {
  en: 'English',
  fr: 'Français',
  es: 'Español',
  pt: 'Português',
}

const LOCALE_KEY = 'parley.console.locale'

/** A page's strings: English is the reference, every other language has the same keys. */
export type Dict<K extends string> = { en: Record<K, string> } & Record<
  Exclude<Locale, 'en'>,
  Record<K, string>
>

/** Defines a page's strings, checking that each language has every English key. */
export function defineStrings<K extends string>(
  d: { en: Record<K, string> } & Record<Exclude<Locale, 'en'>, Record<K, string>>,
): Dict<K> {
  return d
}

/** The remembered choice, else the browser's first supported language, else English. */
export function initialLocale(): Locale {
  try {
    const saved = localStorage.getItem(LOCALE_KEY)
    if (saved && (LOCALES as readonly string[]).includes(saved)) return saved as Locale
  } catch {
    // storage disabled
  }
  const langs = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language])
  for (const l of langs) {
    const base = (l ?? '').slice(0, 2).toLowerCase()
    if ((LOCALES as readonly string[]).includes(base)) return base as Locale
  }
  return 'en'
}

export function rememberLocale(locale: Locale): void {
  try {
    localStorage.setItem(LOCALE_KEY, locale)
  } catch {
    // storage disabled: the choice lasts until reload
  }
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}

/** Replaces `{name}` with vars.name. */
export function format(text: string, vars?: Record<string, string | number>): string {
  if (!vars) return text
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m))
}

export const LocaleContext = createContext<Locale>('en')

export function useLocale(): Locale {
  return useContext(LocaleContext)
}

/** `const t = useT(strings)`; `t('save')`, `t('count', {n: 3})`. */
export function useT<K extends string>(
  dict: Dict<K>,
): (key: K, vars?: Record<string, string | number>) => string {
  const locale = useContext(LocaleContext)
  return useCallback(
    (key: K, vars?: Record<string, string | number>) =>
      format(dict[locale]?.[key] ?? dict.en[key] ?? key, vars),
    [dict, locale],
  )
}

/** A date and time in the console's language ("30 Nov 2026, 14:05"). */
export function formatDateTime(iso: string | null | undefined, locale: Locale): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(d)
}

/** A byte count for people: "12 KB", "3.4 MB". */
export function formatBytes(n: number | null | undefined, locale: Locale): string {
  if (n == null) return ''
  const units = ['B', 'KB', 'MB', 'GB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: v < 10 && i > 0 ? 1 : 0 }).format(v)} ${units[i]}`
}

/** A score between 0 and 1 with two decimals, in the console's language. */
export function formatScore(n: number | null | undefined, locale: Locale): string {
  if (n == null || Number.isNaN(n)) return '–'
  return new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n)
}
