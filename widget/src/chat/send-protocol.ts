/**
 * The send protocol of `POST /v1/sessions/:id/messages`: either one JSON body, or an event stream
 * of message, delta, done, escalated and error (contract SendEvents).
 */
import type { Message, SendEvents, SendMessageResult } from '../../../contract'
import { readSse } from '../../../contract/sse'

export type SendHandlers = { [E in keyof SendEvents]: (data: SendEvents[E]) => void }

/**
 * Reads a send's response: a JSON result calls `message` and `done` (the reply, or null), a stream
 * calls each handler as its events arrive. Resolves when the response is read.
 */
export async function readSendResponse(res: Response, on: SendHandlers): Promise<void> {
  if (!(res.headers.get('content-type') || '').includes('text/event-stream')) {
    const body = (await res.json()) as SendMessageResult
    on.message(body.message)
    on.done(body.reply)
    return
  }
  await readSse(res.body as ReadableStream<Uint8Array>, (ev) => {
    let data: any
    try {
      data = JSON.parse(ev.data)
    } catch {
      return
    }
    const handler = on[ev.event as keyof SendEvents] as ((d: unknown) => void) | undefined
    if (handler) handler(data)
  })
}

/** A message that exists only on screen (a visitor message being sent, an error line). */
export function localMessage(
  message_type: Message['message_type'],
  content: string,
  client_message_id: string | null,
  status: Message['status'] = 'complete',
): Message {
  return {
    id: '',
    session_id: '',
    seq: 0,
    message_type,
    content,
    client_message_id,
    sources: [],
    agent: null,
    status,
    confidence: null,
    suggest_human: false,
    private: false,
    reply_to: null,
    created_at: new Date().toISOString(),
  }
}
