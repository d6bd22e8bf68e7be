/**
 * The chat's state and network logic, outside the components: session lifecycle (lazy creation,
 * storage across page loads and tabs, identity), streamed sends with retry, the live event stream
 * with resumption, feedback, CSAT, typing in both directions, dedupe.
 */
import { createApi, isApiError, type ApiClient } from '../api'
import { pickLang, stringsFor } from '../i18n'
import type {
  CreateSessionResult,
  Identity,
  Message,
  Session,
  StatusEvent,
  TypingEvent,
  WidgetConfig,
} from '../../../contract'
import { createTypingNotifier } from '../../../contract/typing'
import type { ChatState, ChatStoreOptions, ViewMessage } from './chat-state'
import { listenSession } from './event-loop'
import { localMessage, sendMessage } from './send-protocol'
import {
  newId,
  parseStored,
  safeStorage,
  saveStored,
  watchTabs,
  type StorageLike,
  type StoredSession,
} from './session-storage'

export { newId }
export type { ChatState, ChatStoreOptions, ViewMessage }

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
  private stopEvents?: () => void
  private sessionPromise?: Promise<StoredSession>
  /** @internal */ readonly streamIds = new Set<string>()
  private agentTimer?: ReturnType<typeof setTimeout>
  /** True while history is read: old messages are not news. */
  private quiet = false
  private unwatch: () => void
  /** The visitor's typing, told to the agent (only while a person has the session). */
  private typingNotifier = createTypingNotifier((typing) => {
    const { session_id: id, token } = this.stored
    if (id && token) return this.api.raw('/v1/sessions/' + id + '/typing', { body: { typing }, token })
  })

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
    const win = opts.events === undefined ? (typeof window !== 'undefined' ? window : null) : opts.events
    this.unwatch = watchTabs(
      win,
      this.storageKey,
      (raw) => this.adopt(raw),
      () => {
        for (const m of this.state.messages) if (m.local === 'failed') this.retry(m.id)
      },
    )
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  /** @internal */ set(patch: Partial<ChatState>) {
    this.state = { ...this.state, ...patch }
    for (const fn of this.listeners) fn()
  }

  private read(raw = this.storage?.getItem(this.storageKey)): StoredSession | null {
    return parseStored(raw)
  }

  private save() {
    saveStored(this.storage, this.storageKey, this.stored)
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

  /** @internal */ setSession(
    s: Pick<Session, 'status' | 'assignee'> & { csat?: number | null },
    quiet?: boolean,
  ) {
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
    this.stopEvents?.()
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
  /** @internal */ forget() {
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
        .json<CreateSessionResult>('/v1/sessions', {
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

  /** @internal */ remove(id: string) {
    this.set({ messages: this.state.messages.filter((x) => x.id !== id) })
  }

  /** Sends a visitor message; `cmid` is given again by a retry so the server never stores it twice. */
  send(content: string, cmid = newId()): Promise<void> {
    return sendMessage(this, content, cmid)
  }

  /** @internal */ hasStoredSession() {
    return !!this.stored.session_id
  }

  /** @internal */ async post(content: string, cmid: string): Promise<Response> {
    const s = await this.ensureSession()
    return this.api.raw('/v1/sessions/' + s.session_id + '/messages', {
      body: { content, client_message_id: cmid },
      token: s.token,
      headers: { Accept: 'text/event-stream' },
    })
  }

  /** @internal */ showError() {
    this.upsert({
      ...localMessage('system', stringsFor(this.state.lang).error, null, 'failed'),
      id: 'error:' + newId(),
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
   * The visitor is typing (or stopped: on send): tells the agent, only while a person has the
   * session, through the contract's typing throttle.
   */
  typing(on: boolean) {
    if (!on) return this.typingNotifier.stop()
    const s = this.stored
    if (s.session_id && s.token && this.state.status === 'escalated') this.typingNotifier.keystroke()
  }

  /** Keeps the session's event stream open, resuming after the last seen seq, with backoff. */
  private listen() {
    this.stopEvents?.()
    const { session_id: id, token } = this.stored
    if (!id || !token) return
    this.stopEvents = listenSession({
      apiBase: this.opts.apiBase,
      sessionId: id,
      token,
      lastSeq: () => this.lastSeq,
      backoff: this.opts.backoff,
      fetch: this.opts.fetch,
      on: {
        message: (m) => this.upsert(m),
        status: (st: StatusEvent) => this.setSession(st),
        typing: (t: TypingEvent) => this.agentTyping(t),
      },
    })
  }

  private agentTyping(data: Pick<TypingEvent, 'name' | 'typing'>) {
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
    this.stopEvents?.()
    this.typingNotifier.stop()
    clearTimeout(this.agentTimer)
    this.unwatch()
    this.listeners.clear()
  }
}
