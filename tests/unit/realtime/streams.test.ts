import { describe, expect, it } from 'vitest'
import { StreamRegistry, type BatchCheck, type SweptStream } from '../../../api/src/realtime/streams'

/** A stream as the sweep sees it, recording what the sweep did to it. */
function stream(check: BatchCheck<number>, key: number, at: number, expiresAt = Infinity) {
  const s: SweptStream & { ended?: string; pings: number } = {
    credential: { check: check as BatchCheck<unknown>, key },
    expiresAt,
    lastEvent: at,
    lastWrite: at,
    lastCheck: at,
    pings: 0,
    isClosed: () => s.ended !== undefined,
    ping: () => void s.pings++,
    end: async (event, reason) => void (s.ended ??= `${event}:${reason}`),
  }
  return s
}

describe('the stream sweep', () => {
  it('re-checks many streams with one query per batch, and ends those no longer valid', async () => {
    const calls: number[] = []
    // Odd keys were revoked.
    const check: BatchCheck<number> = async (_db, keys) => {
      calls.push(keys.length)
      return keys.map((k) => k % 2 === 0)
    }
    const reg = new StreamRegistry({} as never, { idleMs: 3_600_000, recheckMs: 30_000 })
    const t0 = Date.now()
    const all = Array.from({ length: 2500 }, (_, i) => stream(check, i, t0))
    for (const s of all) reg.add(s)
    reg.sweep(t0 + 1000) // nothing due yet
    expect(calls).toEqual([])
    reg.sweep(t0 + 30_000)
    await new Promise((r) => setTimeout(r, 10))
    expect(calls).toEqual([1000, 1000, 500])
    expect(all.filter((s) => s.ended === 'revoked:credential_revoked')).toHaveLength(1250)
    expect(all.filter((s, i) => i % 2 === 0 && s.ended)).toEqual([])
    for (const s of all) reg.remove(s)
  })

  it('pings quiet streams, ends idle ones and those whose credential expired', () => {
    const check: BatchCheck<number> = async (_db, keys) => keys.map(() => true)
    const reg = new StreamRegistry({} as never, { idleMs: 60_000, recheckMs: 3_600_000 })
    const t0 = Date.now()
    const quiet = stream(check, 1, t0)
    const idle = stream(check, 2, t0 - 60_000)
    const expiring = stream(check, 3, t0, t0 + 5000)
    for (const s of [quiet, idle, expiring]) reg.add(s)
    reg.sweep(t0 + 16_000)
    expect(quiet.pings).toBe(1)
    expect(quiet.ended).toBeUndefined()
    expect(idle.ended).toBe('bye:idle')
    expect(expiring.ended).toBe('revoked:credential_expired')
    for (const s of [quiet, idle, expiring]) reg.remove(s)
    expect(reg.size).toBe(0)
  })
})
