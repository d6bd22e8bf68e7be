/**
 * The chat's state and network logic, outside the components: session lifecycle (lazy creation,
 * storage across page loads and tabs, identity), streamed sends with retry, the live event stream
 * with resumption, feedback, CSAT, typing in both directions, dedupe.
 */
import { createApi, isApiError, type ApiClient, type FetchLike } from '../api'
import { pickLang, stringsFor, type Lang } from '../i18n'
import { readSse } from '../sse'
import type {
  Assignee,
  Identity,
  Message,
  Session,
  SessionStatus,
  StoredSession,
  WidgetConfig,
} from '../types'

/** A message as the widget shows it: a stored Message, or a local one still sending, failed or streaming. */
export interface ViewMessage extends Message {
  /** `sending`/`failed` for a visitor message not stored yet; `streaming` for an answer being written. */
  local?: 'sending' | 'failed' | 'streaming' | 'error'
}

export interface ChatState {
  config: WidgetConfig | null
  lang: Lang
  status: SessionStatus | null
  assignee: Assignee | null
  messages: ViewMessage[]
  /** Waiting for the first piece of an answer (the typing indicator). */
  waiting: boolean
  /** The name of the agent typing right now, or null. */
  agentTyping: string | null
  /** A send is in flight. */
  busy: boolean
  /** The session exists and its history has been read (or there is none). */
  ready: boolean
  /** A session exists (stored or created). */
  hasSession: boolean
  /** Ratings sent, by message id. */
  feedback: Record<string, 'up' | 'down'>
  /** The CSAT score given, or null. */
  csat: number | null
  /** The pre-chat form was filled in (or skipped by identify). */
  prechatDone: boolean
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>

export interface ChatStoreOptions {
  apiBase: string
  key: string
  fetch?: FetchLike
  storage?: StorageLike | null
  /** A language override (data-locale, ParleySettings.locale). */
  locale?: string
  /** The identified user (ParleySettings.identity, or a queued identify). */
  identity?: Identity
  /** Called once for every new stored message of the session (not for the history read at start). */
  onMessage?: (m: Message) => void
  /** Called when the session becomes escalated. */
  onEscalated?: () => void
  /** Reconnect delays of the event stream, in ms (tests shorten them). */
  backoff?: number[]
  /** Where `storage` (other tabs) and `online` events come from; the window by default. */
  events?: Pick<Window, 'addEventListener' | 'removeEventListener'> | null
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

function safeStorage(): StorageLike | null {
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
  private storage: StorageLike | null
  private stored: StoredSession
  private identity?: Identity
  private override?: string
  private prechat: Record<string, string> = {}
  private lastSeq = 0
  private events?: AbortController
  private sessionPromise?: Promise<StoredSession>
  private streamIds = new Set<string>()
  private typingAt = 0
  private typingTimer?: ReturnType<typeof setTimeout>
  private agentTimer?: ReturnType<typeof setTimeout>
  /** True while history is read: old messages are not news. */
  private quiet = false
  private win: ChatStoreOptions['events']
  private onStorage = (e: StorageEvent) => {
    if (e.key === this.storageKey) this.adopt(e.newValue)
  }
  private onOnline = () => {
    for (const m of this.state.messages) if (m.local === 'failed') this.retry(m.id)
  }

  constructor(private opts: ChatStoreOptions) {
    this.api = createApi(opts.apiBase, opts.fetch)
    this.storageKey = 'parley:' + opts.key
    this.storage = opts.storage === undefined ? safeStorage() : opts.storage
    this.override = opts.locale
    this.identity = opts.identity
    this.stored = this.read() || { visitor_id: newId() }
    if (this.identity && this.stored.user_id !== this.identity.user_id) this.stored = { visitor_id: newId() }
    this.state = {
      config: null,
      lang: pickLang(this.override),
      status: null,
      assignee: null,
      messages: [],
      waiting: false,
      agentTyping: null,
      busy: false,
      ready: !this.stored.session_id,
      hasSession: !!this.stored.session_id,
      feedback: {},
      csat: null,
      prechatDone: !!this.identity,
    }
    this.win = opts.events === undefined ? (typeof window !== 'undefined' ? window : null) : opts.events
    this.win?.addEventListener('storage', this.onStorage as EventListener)
    this.win?.addEventListener('online', this.onOnline)
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private set(patch: Partial<ChatState>) {
    this.state = { ...this.state, ...patch }
    for (const fn of this.listeners) fn()
  }

  private read(raw = this.storage?.getItem(this.storageKey)): StoredSession | null {
    try {
      const s = JSON.parse(raw || 'null')
      return s && typeof s.visitor_id === 'string' ? s : null
    } catch {
      return null
    }
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
      .then((c) => this.set({ config: c, lang: pickLang(this.override, c.language) }))
      .catch(() => undefined) // defaults keep the chat usable
    await this.load()
    await config
  }

  /** Reads the stored session's state and history, then listens to its events. */
  private async load() {
    const { session_id: id, token } = this.stored
    if (!id || !token) return
    try {
      const [{ session }, { messages }] = await Promise.all([
        this.api.json<{ session: Session }>('/v1/sessions/' + id, { token }),
        this.api.json<{ messages: Message[] }>('/v1/sessions/' + id + '/messages', { token }),
      ])
      if (this.stored.session_id !== id) return // reset or replaced meanwhile
      this.setSession(session, true)
      this.quiet = true
      for (const m of messages) this.upsert(m)
      this.quiet = false
      this.listen()
    } catch (e) {
      if (isApiError(e) && (e.status === 401 || e.status === 404)) this.forget()
    }
    this.set({ ready: true })
  }

  private setSession(s: Pick<Session, 'status' | 'assignee'> & { csat?: number | null }, quiet?: boolean) {
    const was = this.state.status
    this.set({
      status: s.status,
      assignee: s.assignee || null,
      csat: s.csat ?? this.state.csat,
      hasSession: true,
    })
    if (!quiet && s.status === 'escalated' && was !== 'escalated') this.opts.onEscalated?.()
  }

  /** Another tab changed the stored session: follow it, so every tab shows the same conversation. */
  private adopt(raw: string | null) {
    const next = this.read(raw)
    if (next && next.session_id === this.stored.session_id) return
    this.drop()
    this.stored = next || { visitor_id: newId() }
    this.clearView()
    if (this.stored.session_id) {
      this.set({ ready: false, hasSession: true })
      void this.load()
    }
  }

  private drop() {
    this.events?.abort()
    this.sessionPromise = undefined
    this.lastSeq = 0
  }

  private clearView() {
    this.set({
      status: null,
      assignee: null,
      messages: [],
      waiting: false,
      agentTyping: null,
      feedback: {},
      csat: null,
      hasSession: !!this.stored.session_id,
      prechatDone: !!this.identity,
      ready: true,
    })
  }

  /** Drops the stored session (expired or unknown): the next send starts a new one. */
  private forget() {
    this.drop()
    this.stored = { visitor_id: this.stored.visitor_id }
    this.save()
    this.set({
      status: null,
      assignee: null,
      hasSession: false,
      messages: this.state.messages.filter((m) => m.local),
    })
  }

  /**
   * A logged-out user, or another user on the same browser: a new anonymous visitor with a new
   * session. The old conversation leaves the screen and the storage of every tab.
   */
  reset() {
    this.drop()
    this.identity = undefined
    this.prechat = {}
    this.stored = { visitor_id: newId() }
    this.save()
    this.clearView()
  }

  /**
   * Identifies the visitor as a user of the site. A session that belongs to someone else (another
   * user, or the anonymous visitor before signing in) is left behind: the next message starts a
   * session carrying the identity, which the API verifies with user_hash or user_jwt.
   */
  identify(identity: Identity) {
    if (!identity || typeof identity.user_id !== 'string' || !identity.user_id) return
    const changed = this.stored.user_id !== identity.user_id
    this.identity = identity
    if (changed && this.stored.session_id) this.reset()
    this.identity = identity
    this.set({ prechatDone: true })
  }

  /** Overrides the language (a tag such as `pt-BR`); null goes back to the config and the browser. */
  setLocale(tag: string | null) {
    this.override = tag || undefined
    this.set({ lang: pickLang(this.override, this.state.config && this.state.config.language) })
  }

  /** The pre-chat form's answers: sent as the new session's context. */
  submitPrechat(values: Record<string, string>) {
    this.prechat = values
    this.set({ prechatDone: true })
  }

  private ensureSession(): Promise<StoredSession> {
    if (this.stored.session_id && this.stored.token) return Promise.resolve(this.stored)
    if (!this.sessionPromise) {
      const context = { page_url: location.href, locale: navigator.language, ...this.prechat }
      const identity = this.identity
      this.sessionPromise = this.api
        .json<{ session: Session; token: string }>('/v1/sessions', {
          body: { key: this.opts.key, visitor_id: this.stored.visitor_id, context, identity },
        })
        .then(({ session, token }) => {
          this.stored = {
            session_id: session.id,
            token,
            visitor_id: session.visitor_id || this.stored.visitor_id,
            user_id: identity && identity.user_id,
          }
          this.save()
          this.setSession(session)
          this.listen()
          return this.stored
        })
      this.sessionPromise.catch(() => (this.sessionPromise = undefined))
    }
    return this.sessionPromise
  }

  /** Adds or replaces a message: same id, or the local copy with the same client_message_id. */
  upsert(m: ViewMessage | null) {
    if (!m || m.private || !m.id) return
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
    const patch: Partial<ChatState> = { messages: list }
    if (m.message_type === 'agent') patch.agentTyping = null
    this.set(patch)
    if (!known && !m.local && !this.quiet) this.opts.onMessage?.(m)
  }

  private remove(id: string) {
    this.set({ messages: this.state.messages.filter((x) => x.id !== id) })
  }

  /** Sends a visitor message; `cmid` is given again by a retry so the server never stores it twice. */
  async send(content: string, cmid = newId()): Promise<void> {
    content = content.trim()
    if (!content) return
    this.typing(false)
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
        if (!isApiError(e) || e.status !== 401 || !this.stored.session_id) throw e
        this.forget() // the stored session is gone: start a new one and send again
        this.upsert(local)
        res = await this.post(content, cmid)
      }
      if (!(res.headers.get('content-type') || '').includes('text/event-stream')) {
        const body = (await res.json()) as { message: Message; reply: Message | null }
        stored = true
        this.upsert(body.message)
        this.upsert(body.reply)
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
          this.set({ waiting: false })
          this.upsert({
            ...local,
            id: streamId,
            seq: userSeq + 0.5,
            message_type: 'ai',
            content: (cur ? cur.content : '') + String(data.text ?? ''),
            client_message_id: null,
            local: 'streaming',
          })
        } else if (ev.event === 'done') {
          this.streamIds.delete(streamId)
          this.remove(streamId)
          this.upsert(data)
        } else if (ev.event === 'escalated') {
          this.setSession({ status: 'escalated', assignee: this.state.assignee })
          this.set({ waiting: false })
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
      content: stringsFor(this.state.lang).error,
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

  /** A session call (escalate, feedback, rating, typing): JSON in, JSON out. */
  private async call<T>(path: string, body: unknown): Promise<T> {
    const s = await this.ensureSession()
    return this.api.json<T>('/v1/sessions/' + s.session_id + path, { body, token: s.token })
  }

  /** The visitor asks for a human. */
  async escalate(): Promise<void> {
    try {
      const { session } = await this.call<{ session: Session }>('/escalate', {})
      this.setSession(session)
    } catch {
      this.showError()
    }
  }

  /** Thumbs up or down on a bot answer, with an optional comment on down. */
  async rateMessage(id: string, rating: 'up' | 'down', comment?: string): Promise<void> {
    const before = this.state.feedback
    this.set({ feedback: { ...before, [id]: rating } })
    try {
      await this.call('/messages/' + id + '/feedback', comment ? { rating, comment } : { rating })
    } catch {
      this.set({ feedback: before })
    }
  }

  /** CSAT, once the session is resolved. */
  async rate(score: number): Promise<void> {
    this.set({ csat: score })
    try {
      await this.call('/rating', { score })
    } catch (e) {
      if (!isApiError(e) || e.status !== 409) this.set({ csat: null }) // 409: already rated
    }
  }

  /**
   * The visitor is typing: tells the agent (only while a person has the session), at most every
   * 3 s, and that typing stopped 4 s after the last key or on send.
   */
  typing(on: boolean) {
    const s = this.stored
    if (!s.session_id || !s.token || this.state.status !== 'escalated') return
    clearTimeout(this.typingTimer)
    const post = (typing: boolean) =>
      this.api
        .raw('/v1/sessions/' + s.session_id + '/typing', { body: { typing }, token: s.token })
        .catch(() => undefined)
    if (on) {
      this.typingTimer = setTimeout(() => this.typing(false), 4000)
      if (Date.now() - this.typingAt < 3000) return
      this.typingAt = Date.now()
      void post(true)
    } else if (this.typingAt) {
      this.typingAt = 0
      void post(false)
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
              else if (ev.event === 'status' && data.status) this.setSession(data)
              else if (ev.event === 'typing' && data.from === 'agent') this.agentTyping(data)
            } catch {
              // a malformed event is skipped
            }
          })
        } catch (e) {
          if (ctl.signal.aborted) return
          if (isApiError(e) && (e.status === 401 || e.status === 404)) return
        }
        const wait = delays[Math.min(attempt++, delays.length - 1)]
        await new Promise((r) => setTimeout(r, wait * (0.75 + Math.random() * 0.5)))
      }
    }
    void loop()
  }

  private agentTyping(data: { name?: string; typing?: boolean }) {
    clearTimeout(this.agentTimer)
    const name = data.typing
      ? String(data.name || (this.state.assignee && this.state.assignee.name) || '')
      : null
    this.set({ agentTyping: name })
    // a lost "stopped typing" must not leave the dots forever
    if (name !== null) this.agentTimer = setTimeout(() => this.set({ agentTyping: null }), 8000)
  }

  /** Stops the event stream and timers (the widget is being removed). */
  destroy() {
    this.events?.abort()
    clearTimeout(this.typingTimer)
    clearTimeout(this.agentTimer)
    this.win?.removeEventListener('storage', this.onStorage as EventListener)
    this.win?.removeEventListener('online', this.onOnline)
    this.listeners.clear()
  }
}
