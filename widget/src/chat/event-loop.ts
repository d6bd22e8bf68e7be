/** The session's live event stream (`GET /v1/sessions/:id/events`): agent messages, status, typing. */
import type { SessionEvents } from '../../../contract'
import { subscribe } from '../../../contract/subscribe'
import type { FetchLike } from '../api'

export interface SessionEventsOptions {
  apiBase: string
  sessionId: string
  token: string
  /** The last message seq the widget has, from any route: the stream resumes after it. */
  lastSeq: () => number
  /** The first and the longest reconnect delay, ms (default 1 s and 30 s, doubling, with jitter). */
  backoff?: number[]
  fetch?: FetchLike
  on: { [E in 'message' | 'status' | 'typing']: (data: SessionEvents[E]) => void }
}

/**
 * Keeps the session's event stream open, resuming after the last seen seq, with backoff; stops
 * for good when the token is refused or the session is gone (401, 403, 404). Returns the stop.
 */
export function listenSession(o: SessionEventsOptions): () => void {
  const b = o.backoff
  return subscribe(o.apiBase.replace(/\/+$/, '') + '/v1/sessions/' + o.sessionId + '/events', {
    headers: () => ({ Authorization: 'Bearer ' + o.token }),
    lastEventId: () => (o.lastSeq() ? String(o.lastSeq()) : undefined),
    stopOn: [401, 403, 404],
    minDelayMs: b && b[0],
    maxDelayMs: b && b[b.length - 1],
    fetch: o.fetch,
    onEvent(ev) {
      try {
        const data = JSON.parse(ev.data)
        if (ev.event === 'message') o.on.message(data)
        else if (ev.event === 'status' && data.status) o.on.status(data)
        else if (ev.event === 'typing' && data.from === 'agent') o.on.typing(data)
      } catch {
        // a malformed event is skipped
      }
    },
  })
}
