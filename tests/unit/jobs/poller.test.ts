import { describe, expect, it } from 'vitest'
import { Poller } from '../../../api/src/jobs/poller'
import type { Logger } from '../../../api/src/logger'

function capture() {
  const lines: { level: string; msg: string }[] = []
  const at = (level: string) => (msg: string) => void lines.push({ level, msg })
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
  return { log, lines }
}

describe('Poller', () => {
  it('an outage is logged once when passes start failing and once on recovery, not on every pass', async () => {
    const { log, lines } = capture()
    let down = true
    const poller = new Poller(
      async () => {
        if (down) throw new Error('connect ECONNREFUSED')
      },
      60_000,
      { log, name: 'knowledge worker' },
    )
    for (let i = 0; i < 5; i++) await poller.settle()
    expect(lines.filter((l) => l.level === 'error')).toHaveLength(1)
    expect(lines[0]!.msg).toMatch(/^knowledge worker: /)
    down = false
    await poller.settle()
    await poller.settle()
    expect(lines.map((l) => l.level)).toEqual(['error', 'info'])
    expect(lines[1]!.msg).toBe('knowledge worker: recovered')
    down = true
    await poller.settle()
    expect(lines.map((l) => l.level)).toEqual(['error', 'info', 'error'])
  })

  it('work queued during a pass runs right after it, not at the next tick', async () => {
    const { log } = capture()
    const queue = ['first']
    const done: string[] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const poller = new Poller(
      async () => {
        // Claims what is due when it starts, like a pass that found nothing more before 'second' came.
        const claimed = queue.splice(0)
        await gate
        done.push(...claimed)
      },
      60_000,
      { log, name: 'webhook delivery' },
    )
    poller.start() // a pass now; the next tick is a minute away
    queue.push('second') // queued (and kicked) while that pass runs
    poller.kick()
    release()
    await new Promise((r) => setTimeout(r, 20))
    expect(done).toEqual(['first', 'second'])
    await poller.stop()
  })
})
