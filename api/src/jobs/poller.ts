import type { Logger } from '../logger'

/**
 * The scheduling of a background worker: runs `pass` every `everyMs` and whenever kicked, one pass at a
 * time; a kick during a pass runs one more pass right after it (work queued meanwhile is not left for the
 * next tick). The knowledge and channel workers and the escalation notifier run on it.
 *
 * A pass that throws (the database down) is logged once, when passes start failing, and once more when
 * one succeeds again: not on every tick of an outage.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private wake = false
  private halted = false
  private failing = false

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly everyMs: number,
    private readonly failures: { log: Logger; name: string },
  ) {}

  private async attempt() {
    try {
      await this.pass()
      if (this.failing) {
        this.failing = false
        this.failures.log.info(`${this.failures.name}: recovered`)
      }
    } catch (err) {
      if (!this.failing) {
        this.failing = true
        this.failures.log.error(`${this.failures.name}: pass failed, retrying every ${this.everyMs} ms`, {
          err: String(err),
        })
      }
    }
  }

  /** True once stop() was called: a pass checks it between jobs. */
  get stopped() {
    return this.halted
  }

  start() {
    this.halted = false
    const tick = () => {
      if (this.halted) return
      this.kick()
      this.timer = setTimeout(tick, this.everyMs)
      this.timer.unref?.()
    }
    tick()
  }

  /** Runs a pass now (work was just queued), or right after the current one. */
  kick() {
    if (this.halted) return
    if (this.running) {
      this.wake = true
      return
    }
    this.running = this.attempt().finally(() => {
      this.running = undefined
      if (this.wake && !this.halted) {
        this.wake = false
        this.kick()
      }
    })
  }

  /** Waits for the current pass, then runs one more to completion (tests and commands). */
  async settle() {
    while (this.running) await this.running
    await this.attempt()
  }

  async stop() {
    this.halted = true
    clearTimeout(this.timer)
    await this.running
  }
}
