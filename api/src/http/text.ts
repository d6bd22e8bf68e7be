import { z } from 'zod'

/** Trimmed text without NUL characters (Postgres text cannot hold them), between min and max chars. */
export const text = (max: number, min = 1) =>
  z
    .string()
    .transform((s) => s.replace(/\u0000/g, '').trim())
    .pipe(
      z
        .string()
        .min(min, min === 1 ? 'must not be empty' : `must be at least ${min} characters`)
        .max(max, `must be at most ${max} characters`),
    )
