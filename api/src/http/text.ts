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
