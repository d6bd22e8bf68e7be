/**
 * The scheduling of a background worker: runs `pass` every `everyMs` and whenever kicked, one pass at a
 * time; a kick during a pass runs one more pass right after it (work queued meanwhile is not left for the
 * next tick). The knowledge and channel workers both run on it.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | undefined
  private wake = false
  private halted = false

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly everyMs: number,
  ) {}

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
    this.running = this.pass().finally(() => {
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
    await this.pass()
  }

  async stop() {
    this.halted = true
    clearTimeout(this.timer)
    await this.running
  }
}
