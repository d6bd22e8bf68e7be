/**
 * Where the time of a visitor's turn goes, for benchmarks (bench/api.ts): receive() reports each stage
 * (store, rules, retrieval, answer, store_answer, deliver, turn) to a hook. Off unless a benchmark sets
 * one: each stage then costs a null check, no clock read.
 */
export type Stage = 'store' | 'rules' | 'retrieval' | 'answer' | 'store_answer' | 'deliver' | 'turn'

let hook: ((stage: Stage, ms: number) => void) | null = null

/** Benchmarks only: receives every stage's duration (null turns it off again). */
export function setStageHook(fn: ((stage: Stage, ms: number) => void) | null) {
  hook = fn
}

/** The start of a stage: a clock reading when a hook listens, 0 otherwise. */
export const stageStart = (): number => (hook ? performance.now() : 0)

/** The end of a stage started at `since`; returns the next stage's start. */
export function stageEnd(stage: Stage, since: number): number {
  if (!hook) return 0
  const now = performance.now()
  hook(stage, now - since)
  return now
}
