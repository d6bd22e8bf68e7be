import type { Context } from 'hono'
import type { AppEnv } from '../deps'
import type { StreamCredential, StreamRegistry, StreamSlot, SweptStream } from './streams'

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
   * The credential that opened the stream (credentials.ts): re-checked by the registry's sweep every
   * STREAM_RECHECK_MS, in batches, and whenever streams.recheck() is called; no longer valid (or the
   * check failing) ends the stream with `event: revoked`.
   */
  credential: StreamCredential<any>
  /** When the credential expires by itself (a JWT's exp, in ms): the stream ends then. */
  expiresAt?: number
}

const encoder = new TextEncoder()
/** A reader this far behind (bytes queued) is cut rather than buffered without end. */
const MAX_QUEUED = 1 << 20

/**
 * One open stream: its own ReadableStream's underlying source (no TransformStream, writer or wrapper
 * stream per connection) and what the registry's sweep reads. Methods live on the prototype so an idle
 * stream holds its fields and little else.
 */
class Live implements LiveStream, SweptStream, UnderlyingDefaultSource<Uint8Array> {
  private controller!: ReadableStreamDefaultController<Uint8Array>
  private done = false
  private finish!: () => void
  readonly closed: Promise<void>
  readonly body: ReadableStream<Uint8Array>
  readonly expiresAt: number
  lastEvent = Date.now()
  lastWrite = this.lastEvent
  lastCheck = this.lastEvent

  constructor(
    readonly credential: StreamCredential,
    expiresAt: number | undefined,
  ) {
    this.expiresAt = expiresAt ?? Infinity
    this.closed = new Promise<void>((resolve) => (this.finish = resolve))
    this.body = new ReadableStream<Uint8Array>(this)
  }

  start(controller: ReadableStreamDefaultController<Uint8Array>) {
    this.controller = controller
  }

  /** The client went away (or the response was cancelled). */
  cancel() {
    this.stop(false)
  }

  isClosed() {
    return this.done
  }

  write(text: string) {
    if (this.done) return
    try {
      this.controller.enqueue(encoder.encode(text))
      this.lastWrite = Date.now()
      if ((this.controller.desiredSize ?? 0) < -MAX_QUEUED) this.stop(true)
    } catch {
      this.stop(false)
    }
  }

  ping() {
    this.write(': ping\n\n')
  }

  async send(event: string, data: unknown, id?: string | number) {
    if (this.done) return
    this.lastEvent = Date.now()
    // JSON has no raw line breaks, so the data is one line.
    this.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n${id === undefined ? '' : `id: ${id}\n`}\n`)
  }

  async end(event: string, reason: string) {
    this.write(`event: ${event}\ndata: ${JSON.stringify({ reason })}\n\n`)
    this.stop(true)
  }

  stop(close: boolean) {
    if (this.done) return
    this.done = true
    if (close)
      try {
        this.controller.close()
      } catch {}
    this.finish()
  }
}

/**
 * A long-lived SSE response: a comment line every 15 s without a write, ends with `event: bye` on
 * shutdown or after STREAM_IDLE_MS without an event, ends with `event: revoked` once its credential is
 * no longer valid or expired, and runs `cleanup` however it ends. The timing is the stream registry's
 * one sweep per process, not timers per stream. Over a cap: 429 stream_limit before anything is streamed.
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
  const live = new Live(options.credential, options.expiresAt)
  void serve(live, streams, release, run)
  c.header('Content-Type', 'text/event-stream')
  c.header('Cache-Control', 'no-cache')
  c.header('Connection', 'keep-alive')
  return c.newResponse(live.body)
}

async function serve(
  live: Live,
  streams: StreamRegistry,
  release: () => void,
  run: (live: LiveStream) => Promise<() => void>,
) {
  let cleanup: (() => void) | undefined
  try {
    live.write('retry: 2000\n\n')
    streams.add(live)
    cleanup = await run(live)
    await live.closed
  } catch {
    // A failed read ends the stream; the client reconnects from its Last-Event-ID.
  } finally {
    live.stop(true)
    streams.remove(live)
    release()
    cleanup?.()
  }
}
