import type { Context } from 'hono'
import { streamSSE, type SSEStreamingApi } from 'hono/streaming'
import type { AppEnv } from '../deps'

/**
 * One heartbeat for every open stream: a single timer pings them all every 15 s (a timer per stream
 * costs memory and a wake-up each), started with the first stream and stopped after the last.
 */
const pingers = new Set<() => void>()
let heartbeat: ReturnType<typeof setInterval> | undefined

function addPinger(ping: () => void): () => void {
  pingers.add(ping)
  if (!heartbeat) {
    heartbeat = setInterval(() => {
      for (const p of pingers) p()
    }, 15_000)
    heartbeat.unref()
  }
  return () => {
    pingers.delete(ping)
    if (!pingers.size && heartbeat) {
      clearInterval(heartbeat)
      heartbeat = undefined
    }
  }
}

export interface LiveStream {
  send(event: string, data: unknown, id?: string | number): Promise<void>
  /** Resolves when the client goes away or the server shuts down. */
  closed: Promise<void>
  isClosed(): boolean
}

/**
 * A long-lived SSE response: pings every 15 s, ends with `event: bye` on shutdown or resync (the client
 * then reconnects with Last-Event-ID), and runs `cleanup` however it ends.
 */
export function liveSSE(c: Context<AppEnv>, run: (live: LiveStream) => Promise<() => void>) {
  const { streams } = c.var.deps
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
    stream.onAbort(end)
    const unregister = streams.add(async (reason) => {
      if (!done) await stream.writeSSE({ event: 'bye', data: JSON.stringify({ reason }) }).catch(() => {})
      end()
    })
    const stopPing = addPinger(() => void stream.write(': ping\n\n').catch(end))
    const live: LiveStream = {
      async send(event, data, id) {
        if (done) return
        await stream.writeSSE({
          event,
          data: JSON.stringify(data),
          id: id === undefined ? undefined : String(id),
        })
      },
      closed,
      isClosed: () => done,
    }
    let cleanup: (() => void) | undefined
    try {
      await stream.write('retry: 2000\n\n')
      cleanup = await run(live)
      await closed
    } finally {
      stopPing()
      unregister()
      cleanup?.()
    }
  })
}
