/** The one typing throttle: the widget (visitor typing) and the console (agent typing) share it. */

export interface TypingNotifierOptions {
  /** A `typing: true` is sent at most this often while the agent keeps typing. */
  throttleMs?: number
  /** Without a keystroke for this long, `typing: false` is sent. */
  idleMs?: number
}

/**
 * Turns keystrokes into few typing notifications: `true` on the first keystroke and then at most
 * every `throttleMs` (it doubles as a keep-alive for the visitor's indicator), `false` once after
 * `idleMs` without a keystroke or at once on `stop()` (the message was sent, or the box was left).
 * Failures of `send` are ignored: a lost indicator is not worth an error on screen.
 */
export function createTypingNotifier(
  send: (typing: boolean) => unknown,
  { throttleMs = 2000, idleMs = 3000 }: TypingNotifierOptions = {},
) {
  let typing = false
  let lastSent = 0
  let idle: ReturnType<typeof setTimeout> | undefined

  const emit = (value: boolean) => {
    try {
      void Promise.resolve(send(value)).catch(() => {})
    } catch {
      // A synchronous throw is as harmless as a rejected promise here.
    }
  }

  const stop = () => {
    clearTimeout(idle)
    idle = undefined
    if (!typing) return
    typing = false
    emit(false)
  }

  return {
    /** Call on every keystroke that changes the draft. */
    keystroke() {
      const now = Date.now()
      if (!typing || now - lastSent >= throttleMs) {
        typing = true
        lastSent = now
        emit(true)
      }
      clearTimeout(idle)
      idle = setTimeout(stop, idleMs)
    },
    stop,
  }
}
