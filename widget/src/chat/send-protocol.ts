/**
 * The send protocol of `POST /v1/sessions/:id/messages`: either one JSON body, or an event stream
 * of message, delta, done, escalated and error (contract SendEvents).
 */
import type { Message, SendEvents, SendMessageResult, Session } from '../../../contract'
import { readSse } from '../../../contract/sse'
import { isApiError } from '../api'
import type { ChatState, ViewMessage } from './chat-state'

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

/** What a send needs of the store. */
export interface SendHost {
  readonly state: ChatState
  readonly streamIds: Set<string>
  set(patch: Partial<ChatState>): void
  upsert(m: ViewMessage | null): void
  remove(id: string): void
  setSession(s: Pick<Session, 'status' | 'assignee'>): void
  showError(): void
  typing(on: boolean): void
  /** Forgets a stored session the API no longer knows. */
  forget(): void
  hasStoredSession(): boolean
  /** Posts the message (creating the session first if needed). */
  post(content: string, cmid: string): Promise<Response>
}

/**
 * Sends a visitor message: shows it at once, posts it (once more in a new session if the stored one
 * is gone), streams the answer in, and marks the message failed when it could not be stored.
 */
export async function sendMessage(host: SendHost, content: string, cmid: string): Promise<void> {
  content = content.trim()
  if (!content) return
  host.typing(false)
  const localId = 'local:' + cmid
  const local: ViewMessage = { ...localMessage('user', content, cmid), id: localId, local: 'sending' }
  host.upsert(local)
  host.set({ busy: true, waiting: host.state.status !== 'escalated' })
  const streamId = 'stream:' + cmid
  let stored = false
  try {
    let res: Response
    try {
      res = await host.post(content, cmid)
    } catch (e) {
      if (!isApiError(e) || e.status !== 401 || !host.hasStoredSession()) throw e
      host.forget() // the stored session is gone: start a new one and send again
      host.upsert(local)
      res = await host.post(content, cmid)
    }
    host.streamIds.add(streamId)
    let userSeq = 0
    await readSendResponse(res, {
      message: (m) => {
        stored = true
        userSeq = m.seq
        host.upsert(m)
      },
      delta: (d) => {
        if (!host.streamIds.has(streamId)) return
        const cur = host.state.messages.find((x) => x.id === streamId)
        host.set({ waiting: false })
        host.upsert({
          ...local,
          id: streamId,
          seq: userSeq + 0.5,
          message_type: 'ai',
          content: (cur ? cur.content : '') + String(d.text ?? ''),
          client_message_id: null,
          local: 'streaming',
        })
      },
      done: (m) => {
        host.streamIds.delete(streamId)
        host.remove(streamId)
        host.upsert(m)
      },
      escalated: () => {
        host.setSession({ status: 'escalated', assignee: host.state.assignee })
        host.set({ waiting: false })
      },
      error: () => {
        host.streamIds.delete(streamId)
        host.remove(streamId)
        host.showError()
      },
    })
  } catch (e) {
    if (!stored) {
      const cur = host.state.messages.find((x) => x.id === localId)
      if (cur) host.upsert({ ...cur, local: 'failed' })
    } else {
      host.remove(streamId)
      host.showError()
    }
    if (!isApiError(e)) console.warn('Parley:', e)
  } finally {
    host.streamIds.delete(streamId)
    host.set({ busy: false, waiting: false })
  }
}
