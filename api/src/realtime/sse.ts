import type { Context } from 'hono'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import type { AppEnv } from '../deps'
import type { StreamSlot } from './streams'

export interface LiveStream {
  send(event: string, data: unknown, id?: string | number): Promise<void>
  /** Resolves when the client goes away or the server shuts down. */
  closed: Promise<void>
  isClosed(): boolean
  /** Ends the stream with a last event (`{reason}`). */
  end(event: string, reason: string): Promise<void>
}

export interface LiveOptions {
  /** What the stream counts against (caps per owner, per IP and per process). */
  slot: StreamSlot
  /**
   * Whether the credential that opened the stream is still valid. Run every STREAM_RECHECK_MS and
   * whenever streams.recheck() is called; false (or a throw) ends the stream with `event: revoked`.
   */
  stillValid: () => Promise<boolean>
  /** When the credential expires by itself (a JWT's exp, in ms): the stream ends then. */
  expiresAt?: number
}

/**
 * A long-lived SSE response: pings every 15 s, ends with `event: bye` on shutdown or after
 * STREAM_IDLE_MS without an event, ends with `event: revoked` once its credential is no longer valid,
 * and runs `cleanup` however it ends. Over a cap: 429 stream_limit before anything is streamed.
 */
export function liveSSE(
  c: Context<AppEnv>,
  options: LiveOptions,
  run: (live: LiveStream) => Promise<() => void>,
) {
  const { streams, config } = c.var.deps
  const release = streams.reserve(options.slot, {
    perOwner: config.STREAMS_PER_SESSION,
    perIp: config.STREAMS_PER_IP,
    max: config.STREAMS_MAX,
  })
  try {
    return streamSSE(c, async (stream: SSEStreamingApi) => {
      let done = false
      let finish!: () => void
      const closed = new Promise<void>((resolve) => (finish = resolve))
      const end = () => {
        if (!done) {
          done = true
          finish()
        }
      }
      const endWith = async (event: string, reason: string) => {
        if (!done) await stream.writeSSE({ event, data: JSON.stringify({ reason }) }).catch(() => {})
        end()
      }
      stream.onAbort(end)
      const unregister = streams.add((reason) => endWith('bye', reason))
      let lastEvent = Date.now()
      const ping = setInterval(
        () => {
          if (Date.now() - lastEvent >= config.STREAM_IDLE_MS) void endWith('bye', 'idle')
          else void stream.write(': ping\n\n').catch(end)
        },
        Math.min(15_000, config.STREAM_IDLE_MS),
      )
      const check = async () => {
        if (done) return
        const ok = await options.stillValid().catch(() => false)
        if (!ok) await endWith('revoked', 'credential_revoked')
      }
      const unwatch = streams.watch(check)
      const recheck = setInterval(() => void check(), config.STREAM_RECHECK_MS)
      const expiry =
        options.expiresAt !== undefined
          ? setTimeout(
              () => void endWith('revoked', 'credential_expired'),
              Math.max(0, Math.min(options.expiresAt - Date.now(), 2 ** 31 - 1)),
            )
          : undefined
      const live: LiveStream = {
        async send(event, data, id) {
          if (done) return
          lastEvent = Date.now()
          await stream.writeSSE({
            event,
            data: JSON.stringify(data),
            id: id === undefined ? undefined : String(id),
          })
        },
        closed,
        isClosed: () => done,
        end: endWith,
      }
      let cleanup: (() => void) | undefined
      try {
        await stream.write('retry: 2000\n\n')
        cleanup = await run(live)
        await closed
      } finally {
        clearInterval(ping)
        clearInterval(recheck)
        clearTimeout(expiry)
        unwatch()
        unregister()
        release()
        cleanup?.()
      }
    })
  } catch (err) {
    release()
    throw err
  }
}
