import { z } from 'zod'
import { stringProblem } from './validate'

/**
 * A string input that Postgres can store: NUL characters and lone surrogates are refused (400 naming
 * the field), never silently changed. jsonBody already refuses them anywhere in a body; this covers
 * inputs that come another way (multipart fields, query strings).
 */
export const safeString = () =>
  z.string().check((ctx) => {
    const problem = stringProblem(ctx.value)
    if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value })
  })

/** Trimmed text without NUL characters or lone surrogates, between min and max chars. */
export const text = (max: number, min = 1) =>
  safeString()
    .transform((s) => s.trim())
    .pipe(
      z
        .string()
        .min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
        .max(max, `must be at most ${max} characters`),
    )

/** Bidirectional controls that can reorder what an agent reads (embeddings, overrides, isolates, marks). */
export const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g

/** A visitor-supplied string with its bidirectional controls removed, so "\u202Eevil" cannot spoof a name. */
export const stripBidi = (s: string) => s.replace(BIDI_CONTROLS, '')

/** Every string (keys included) of a visitor-supplied value, without bidirectional controls. */
export function stripBidiDeep<T>(value: T): T {
  if (typeof value === 'string') return stripBidi(value) as T
  if (Array.isArray(value)) return value.map(stripBidiDeep) as T
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [stripBidi(k), stripBidiDeep(v)])) as T
  return value
}
