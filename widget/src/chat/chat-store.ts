/**
 * The chat's state and network logic, outside the components: session lifecycle (lazy creation,
 * storage across page loads), streamed sends, the live event stream with resumption, dedupe.
 */
import { createApi, isApiError, type ApiClient, type ApiError, type FetchLike } from '../api'
import { pickLang, strings, type Lang } from '../i18n'
import { readSse } from '../sse'
import type { Message, Session, SessionStatus, StoredSession, WidgetConfig } from '../types'

/** A message as the widget shows it: a stored Message, or a local one still sending, failed or streaming. */
export interface ViewMessage extends Message {
  /** `sending`/`failed` for a visitor message not stored yet; `streaming` for an answer being written. */
  local?: 'sending' | 'failed' | 'streaming' | 'error'
}

export interface ChatState {
  config: WidgetConfig | null
  lang: Lang
  status: SessionStatus | null
  messages: ViewMessage[]
  /** Waiting for the first piece of an answer (the typing indicator). */
  waiting: boolean
  /** A send is in flight. */
  busy: boolean
  /** The session exists and its history has been read (or there is none). */
  ready: boolean
}

export interface ChatStoreOptions {
  apiBase: string
  key: string
  fetch?: FetchLike
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null
  /** Called once for every new stored message of the session (not for the history read at start). */
  onMessage?: (m: Message) => void
  /** Reconnect delays of the event stream, in ms (tests shorten them). */
  backoff?: number[]
}

/** A client_message_id: a UUID when the browser has one, else 32 random hex digits. */
export function newId(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  if (c && c.getRandomValues) c.getRandomValues(b)
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

function safeStorage(): ChatStoreOptions['storage'] {
  try {
    return globalThis.localStorage
  } catch {
    return null // storage blocked (sandboxed frame, privacy settings)
  }
}

const bySeq = (a: ViewMessage, b: ViewMessage) => (a.seq || Infinity) - (b.seq || Infinity)

export class ChatStore {
  state: ChatState
  private api: ApiClient
  private listeners = new Set<() => void>()
  private storageKey: string
  private storage: ChatStoreOptions['storage']
  private stored: StoredSession
  private lastSeq = 0
  private events?: AbortController
  private sessionPromise?: Promise<StoredSession>
  private streamIds = new Set<string>()
  /** True while history is read: old messages are not news. */
  private quiet = false

  constructor(private opts: ChatStoreOptions) {
    this.api = createApi(opts.apiBase, opts.fetch)
    this.storageKey = 'parley:' + opts.key
    this.storage = opts.storage === undefined ? safeStorage() : opts.storage
    let stored: StoredSession | null = null
    try {
      stored = JSON.parse(this.storage?.getItem(this.storageKey) || 'null')
    } catch {
      stored = null
    }
    this.stored = stored && typeof stored.visitor_id === 'string' ? stored : { visitor_id: newId() }
    this.state = {
      config: null,
      lang: pickLang('auto'),
      status: null,
      messages: [],
      waiting: false,
      busy: false,
      ready: !this.stored.session_id,
    }
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private set(patch: Partial<ChatState>) {
    this.state = { ...this.state, ...patch }
    for (const fn of this.listeners) fn()
  }

  private save() {
    try {
      this.storage?.setItem(this.storageKey, JSON.stringify(this.stored))
    } catch {
      // quota or blocked storage: the session lives for this page only
    }
  }

  /** Loads the widget config and, with a stored session, its history; then listens for live messages. */
  async start(): Promise<void> {
    const config = this.api
      .json<WidgetConfig>('/v1/widget/config?key=' + encodeURIComponent(this.opts.key))
      .then((c) => this.set({ config: c, lang: pickLang(c.language) }))
      .catch(() => undefined) // defaults keep the chat usable
    const { session_id: id, token } = this.stored
    if (id && token) {
      try {
        const [{ session }, { messages }] = await Promise.all([
          this.api.json<{ session: Session }>('/v1/sessions/' + id, { token }),
          this.api.json<{ messages: Message[] }>('/v1/sessions/' + id + '/messages', { token }),
        ])
        this.set({ status: session.status })
        this.quiet = true
        for (const m of messages) this.upsert(m)
        this.quiet = false
        this.listen()
      } catch (e) {
        if (isApiError(e) && (e.status === 401 || e.status === 404)) this.forget()
      }
      this.set({ ready: true })
    }
    await config
  }

  /** Drops the stored session (expired or unknown): the next send starts a new one. */
  private forget() {
    this.events?.abort()
    this.stored = { visitor_id: this.stored.visitor_id }
    this.sessionPromise = undefined
    this.lastSeq = 0
    this.save()
    this.set({ status: null, messages: this.state.messages.filter((m) => m.local) })
  }

  private ensureSession(): Promise<StoredSession> {
    if (this.stored.session_id && this.stored.token) return Promise.resolve(this.stored)
    if (!this.sessionPromise) {
      const context = { page_url: location.href, locale: navigator.language }
      this.sessionPromise = this.api
        .json<{ session: Session; token: string }>('/v1/sessions', {
          body: { key: this.opts.key, visitor_id: this.stored.visitor_id, context },
        })
        .then(({ session, token }) => {
          this.stored = {
            session_id: session.id,
            token,
            visitor_id: session.visitor_id || this.stored.visitor_id,
          }
          this.save()
          this.set({ status: session.status })
          this.listen()
          return this.stored
        })
      this.sessionPromise.catch(() => (this.sessionPromise = undefined))
    }
    return this.sessionPromise
  }

  /** Adds or replaces a message: same id, or the local copy with the same client_message_id. */
  upsert(m: ViewMessage) {
    if (m.private) return
    if (m.seq > this.lastSeq) this.lastSeq = m.seq
    let list = this.state.messages.filter(
      (x) =>
        x.id !== m.id && !(m.client_message_id && x.local && x.client_message_id === m.client_message_id),
    )
    const known = this.state.messages.some((x) => x.id === m.id)
    // An answer that arrived by another route ends the matching live stream.
    if (m.message_type === 'ai' && !m.local) {
      list = list.filter((x) => {
        if (x.local !== 'streaming' || !(m.seq > x.seq)) return true
        this.streamIds.delete(x.id)
        return false
      })
    }
    list.push(m)
    list.sort(bySeq)
    this.set({ messages: list })
    if (!known && !m.local && !this.quiet) this.opts.onMessage?.(m)
  }

  private remove(id: string) {
    this.set({ messages: this.state.messages.filter((x) => x.id !== id) })
  }

  /** Sends a visitor message; `cmid` is given again by a retry so the server never stores it twice. */
  async send(content: string, cmid = newId()): Promise<void> {
    content = content.trim()
    if (!content) return
    const localId = 'local:' + cmid
    const local: ViewMessage = {
      id: localId,
      session_id: '',
      seq: 0,
      message_type: 'user',
      content,
      client_message_id: cmid,
      sources: [],
      agent: null,
      status: 'complete',
      confidence: null,
      created_at: new Date().toISOString(),
      local: 'sending',
    }
    this.upsert(local)
    this.set({ busy: true, waiting: this.state.status !== 'escalated' })
    const streamId = 'stream:' + cmid
    let stored = false
    try {
      let res: Response
      try {
        res = await this.post(content, cmid)
      } catch (e) {
        if (!isApiError(e) || (e.status !== 401 && e.status !== 404) || !this.stored.session_id) throw e
        this.forget() // the stored session is gone: start a new one and send again
        this.upsert(local)
        res = await this.post(content, cmid)
      }
      if (!(res.headers.get('content-type') || '').includes('text/event-stream')) {
        const body = (await res.json()) as { message: Message; reply: Message | null }
        stored = true
        this.upsert(body.message)
        if (body.reply) this.upsert(body.reply)
        return
      }
      this.streamIds.add(streamId)
      let userSeq = 0
      await readSse(res.body as ReadableStream<Uint8Array>, (ev) => {
        let data: any
        try {
          data = JSON.parse(ev.data)
        } catch {
          return
        }
        if (ev.event === 'message') {
          stored = true
          userSeq = data.seq
          this.upsert(data)
        } else if (ev.event === 'delta') {
          if (!this.streamIds.has(streamId)) return
          const cur = this.state.messages.find((x) => x.id === streamId)
          const text = (cur ? cur.content : '') + String(data.text ?? '')
          this.set({ waiting: false })
          this.upsert({
            ...local,
            id: streamId,
            seq: userSeq + 0.5,
            message_type: 'ai',
            content: text,
            client_message_id: null,
            local: 'streaming',
          })
        } else if (ev.event === 'done') {
          this.streamIds.delete(streamId)
          this.remove(streamId)
          this.upsert(data)
        } else if (ev.event === 'escalated') {
          this.set({ status: 'escalated', waiting: false })
        } else if (ev.event === 'error') {
          this.streamIds.delete(streamId)
          this.remove(streamId)
          this.showError()
        }
      })
    } catch (e) {
      if (!stored) {
        const cur = this.state.messages.find((x) => x.id === localId)
        if (cur) this.upsert({ ...cur, local: 'failed' })
      } else {
        this.remove(streamId)
        this.showError()
      }
      if (!isApiError(e)) console.warn('Parley:', e)
    } finally {
      this.streamIds.delete(streamId)
      this.set({ busy: false, waiting: false })
    }
  }

  private async post(content: string, cmid: string): Promise<Response> {
    const s = await this.ensureSession()
    return this.api.raw('/v1/sessions/' + s.session_id + '/messages', {
      body: { content, client_message_id: cmid },
      token: s.token,
      headers: { Accept: 'text/event-stream' },
    })
  }

  private showError() {
    this.upsert({
      id: 'error:' + newId(),
      session_id: '',
      seq: 0,
      message_type: 'system',
      content: strings[this.state.lang].error,
      client_message_id: null,
      sources: [],
      agent: null,
      status: 'failed',
      confidence: null,
      created_at: new Date().toISOString(),
      local: 'error',
    })
  }

  /** Sends a failed message again, with the same client_message_id. */
  retry(id: string) {
    const m = this.state.messages.find((x) => x.id === id)
    if (m && m.local === 'failed' && m.client_message_id) void this.send(m.content, m.client_message_id)
  }

  /** The visitor asks for a human. */
  async escalate(): Promise<void> {
    try {
      const s = await this.ensureSession()
      const { session } = await this.api.json<{ session: Session }>(
        '/v1/sessions/' + s.session_id + '/escalate',
        {
          body: {},
          token: s.token,
        },
      )
      this.set({ status: session.status })
    } catch (e) {
      this.showError()
    }
  }

  /** Keeps the session's event stream open, resuming after the last seen seq, with backoff. */
  private listen() {
    this.events?.abort()
    const ctl = new AbortController()
    this.events = ctl
    const delays = this.opts.backoff || [1000, 2000, 5000, 10000, 30000]
    let attempt = 0
    const loop = async () => {
      while (!ctl.signal.aborted) {
        const { session_id: id, token } = this.stored
        if (!id || !token) return
        try {
          const headers: Record<string, string> = { Accept: 'text/event-stream' }
          if (this.lastSeq) headers['Last-Event-ID'] = String(this.lastSeq)
          const res = await this.api.raw('/v1/sessions/' + id + '/events', {
            token,
            headers,
            signal: ctl.signal,
          })
          attempt = 0
          await readSse(res.body as ReadableStream<Uint8Array>, (ev) => {
            if (ctl.signal.aborted) return
            try {
              const data = JSON.parse(ev.data)
              if (ev.event === 'message') this.upsert(data)
              else if (ev.event === 'status' && data.status) this.set({ status: data.status })
            } catch {
              // a malformed event is skipped
            }
          })
        } catch (e) {
          if (ctl.signal.aborted) return
          const err = e as ApiError
          if (isApiError(err) && (err.status === 401 || err.status === 404)) return
        }
        const wait = delays[Math.min(attempt++, delays.length - 1)]
        await new Promise((r) => setTimeout(r, wait * (0.75 + Math.random() * 0.5)))
      }
    }
    void loop()
  }

  /** Stops the event stream (the widget is being removed). */
  destroy() {
    this.events?.abort()
    this.listeners.clear()
  }
}
