/** Helpers shared by the benchmarks: one seeded generator, one percentile, one SSE reader, one job pool. */
export { readSse, type SseEvent } from '../contract/sse'

/** mulberry32: a small seeded generator, so every run sees the same inputs. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = Math.imul(a ^ (a >>> 15), a | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The p-th percentile of an ascending list (the sample at index floor(p% of n)); 0 when empty. */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0

/** The median of a list in any order (the mean of the two middle samples when n is even). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** Runs `total` jobs with at most `concurrency` in flight; their results in job order. */
export async function runPool<T>(total: number, concurrency: number, job: (i: number) => Promise<T>) {
  let next = 0
  const results: T[] = []
  await Promise.all(
    Array.from({ length: Math.min(concurrency, total) }, async () => {
      while (next < total) {
        const i = next++
        results[i] = await job(i)
      }
    }),
  )
  return results
}
