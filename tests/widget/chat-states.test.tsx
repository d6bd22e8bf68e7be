/**
 * The chat panel in each state the issue lists, against the fake API at the network boundary:
 * feedback, CSAT, pre-chat, offline hours, agent identity and typing, visitor typing, retry when the
 * network comes back, identity, reset, several tabs, languages and right-to-left.
 */
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatApp } from '../../widget/src/chat/chat-app'
import { ChatStore, type ChatStoreOptions } from '../../widget/src/chat/chat-store'
import { backAt } from '../../widget/src/chat/message-list'
import { pickLang, strings } from '../../widget/src/i18n'
import {
  API,
  SID,
  TOKEN,
  config,
  fakeFetch,
  json,
  memoryStorage,
  msg,
  session,
  sseStream,
  type Handler,
} from './fake-api'

const stores: ChatStore[] = []
afterEach(() => {
  for (const s of stores.splice(0)) s.destroy()
  cleanup()
})

const KEY = 'parley:pk_demo'
const stored = (extra: object = {}) =>
  memoryStorage({ [KEY]: JSON.stringify({ session_id: SID, token: TOKEN, visitor_id: 'v1', ...extra }) })

function setup(
  routes: Record<string, Handler>,
  {
    storage = memoryStorage(),
    cfg = {},
    opts = {},
    dir,
  }: {
    storage?: ReturnType<typeof memoryStorage>
    cfg?: object
    opts?: Partial<ChatStoreOptions>
    dir?: 'rtl'
  } = {},
) {
  let events: ReturnType<typeof sseStream> | undefined
  const target = new EventTarget()
  const net = fakeFetch({
    'GET /v1/widget/config': () => json({ ...config, ...cfg }),
    'POST /v1/sessions': () => json({ session, token: TOKEN }, 201),
    [`GET /v1/sessions/${SID}`]: () => json({ session }),
    [`GET /v1/sessions/${SID}/messages`]: () => json({ messages: [] }),
    [`GET /v1/sessions/${SID}/events`]: (_c, signal) => (events = sseStream(signal)).response,
    ...routes,
  })
  const store = new ChatStore({
    apiBase: API,
    key: 'pk_demo',
    fetch: net.fetch,
    storage,
    backoff: [5],
    events: target as any,
    ...opts,
  })
  stores.push(store)
  const view = render(<ChatApp store={store} open dir={dir} onClose={() => {}} />)
  void store.start()
  const push = async (event: string, data: unknown, id?: number) => {
    await waitFor(() => expect(events).toBeTruthy())
    events!.send(event, data, id)
  }
  return { ...net, store, storage, view, push, target }
}

const type = (text: string) => {
  const box = screen.getByRole('textbox', { name: /message/i })
  fireEvent.input(box, { target: { value: text } })
  fireEvent.keyDown(box, { key: 'Enter' })
}
const posts = (calls: { method: string; path: string }[], suffix: string) =>
  calls.filter((c) => c.method === 'POST' && c.path.endsWith(suffix))

describe('chat states', () => {
  it('thumbs up on an answer is sent once; thumbs down asks for an optional comment and sends it', async () => {
    const a1 = msg({ message_type: 'ai', content: 'Answer one' })
    const a2 = msg({ message_type: 'ai', content: 'Answer two' })
    const net = setup(
      {
        [`GET /v1/sessions/${SID}/messages`]: () => json({ messages: [a1, a2] }),
        [`POST /v1/sessions/${SID}/messages/${a1.id}/feedback`]: () => json({ feedback: {} }, 201),
        [`POST /v1/sessions/${SID}/messages/${a2.id}/feedback`]: () => json({ feedback: {} }, 201),
      },
      { storage: stored() },
    )
    await screen.findByText('Answer two')
    const [up1] = screen.getAllByRole('button', { name: 'Helpful' })
    fireEvent.click(up1)
    await waitFor(() => expect(up1.getAttribute('aria-pressed')).toBe('true'))
    expect((up1 as HTMLButtonElement).disabled).toBe(true)
    const down2 = screen.getAllByRole('button', { name: 'Not helpful' })[1]
    fireEvent.click(down2)
    const comment = await screen.findByRole('textbox', { name: 'What went wrong? (optional)' })
    fireEvent.input(comment, { target: { value: 'Wrong price' } })
    fireEvent.submit(comment.closest('form')!)
    await waitFor(() => expect(posts(net.calls, `${a2.id}/feedback`)).toHaveLength(2))
    expect(posts(net.calls, `${a1.id}/feedback`).map((c) => (c as any).body)).toEqual([{ rating: 'up' }])
    expect(posts(net.calls, `${a2.id}/feedback`).map((c) => (c as any).body)).toEqual([
      { rating: 'down' },
      { rating: 'down', comment: 'Wrong price' },
    ])
    expect(screen.queryByRole('textbox', { name: 'What went wrong? (optional)' })).toBeNull()
    // no thumbs on the visitor's own messages or agent replies
    expect(screen.getAllByRole('button', { name: 'Helpful' })).toHaveLength(2)
  })

  it('asks for CSAT 1-5 only once the session is resolved, and thanks after a score', async () => {
    const net = setup(
      {
        [`POST /v1/sessions/${SID}/rating`]: () =>
          json({ session: { ...session, status: 'resolved', csat: 4 } }),
      },
      { storage: stored() },
    )
    await waitFor(() => expect(net.calls.some((c) => c.path.endsWith('/events'))).toBe(true))
    expect(screen.queryByRole('group', { name: 'How was this conversation?' })).toBeNull()
    await net.push('status', { status: 'resolved', assignee: null })
    await screen.findByRole('group', { name: 'How was this conversation?' })
    expect(screen.getAllByRole('button', { name: /out of 5/ })).toHaveLength(5)
    fireEvent.click(screen.getByRole('button', { name: '4 out of 5' }))
    await screen.findByText('Thanks for your feedback')
    expect(posts(net.calls, '/rating').map((c) => (c as any).body)).toEqual([{ score: 4 }])
    expect(screen.queryByRole('button', { name: /out of 5/ })).toBeNull()
    expect(screen.queryByRole('button', { name: 'Talk to a human' })).toBeNull()
  })

  it('asks the pre-chat questions before the first message and sends the answers with the new session', async () => {
    const prechat = {
      fields: [
        { name: 'name', label: 'Your name', type: 'text', required: false },
        { name: 'email', label: 'Email', type: 'email', required: true },
      ],
    }
    const net = setup(
      { [`POST /v1/sessions/${SID}/messages`]: () => sseStream().response },
      { cfg: { prechat } },
    )
    const email = (await screen.findByLabelText(/Email/)) as HTMLInputElement
    expect(email.type).toBe('email')
    expect(email.required).toBe(true)
    expect(screen.queryByRole('textbox', { name: /message/i })).toBeNull()
    fireEvent.input(screen.getByLabelText(/Your name/), { target: { value: 'Ana' } })
    fireEvent.input(email, { target: { value: 'ana@example.com' } })
    fireEvent.submit(email.closest('form')!)
    type('Hello')
    await waitFor(() => expect(posts(net.calls, '/v1/sessions')).toHaveLength(1))
    expect((posts(net.calls, '/v1/sessions')[0] as any).body.context).toMatchObject({
      name: 'Ana',
      email: 'ana@example.com',
    })
  })

  it('outside business hours shows the offline notice with when the team is back, and still takes a message', async () => {
    const next = new Date(Date.now() + 26 * 3600_000)
    next.setHours(9, 0, 0, 0)
    setup({}, { cfg: { open: false, next_open_at: next.toISOString() } })
    const note = await screen.findByRole('note')
    expect(note.textContent).toContain('We are away right now')
    expect(note.textContent).toContain('Back ' + next.toLocaleDateString('en', { weekday: 'long' }))
    expect(note.textContent).toMatch(/9:00/)
    expect(screen.getByRole('textbox', { name: /message/i })).toBeTruthy()
    expect(screen.queryByText('Typically replies instantly')).toBeNull()
  })

  it('without open/next_open_at in the config, the chat is online', async () => {
    const { open: _o, ...legacy } = config
    setup({ 'GET /v1/widget/config': () => json(legacy) })
    await screen.findByText('Typically replies instantly')
    expect(screen.queryByRole('note')).toBeNull()
    expect(backAt(null, 'en', strings.en)).toBe('')
  })

  it('shows the agent who took the session (name, avatar), their typing, and tells them when the visitor types', async () => {
    const alice = { id: 'a1', name: 'Alice', avatar_url: 'https://cdn.test/alice.png' }
    const net = setup(
      {
        [`GET /v1/sessions/${SID}`]: () =>
          json({ session: { ...session, status: 'escalated', assignee: alice } }),
        [`POST /v1/sessions/${SID}/typing`]: () => new Response(null, { status: 204 }),
      },
      { storage: stored() },
    )
    const header = await screen.findByRole('heading', { name: 'Alice' })
    expect(header.closest('.header')!.querySelector('img')!.getAttribute('src')).toBe(
      'https://cdn.test/alice.png',
    )
    await net.push('typing', { from: 'agent', name: 'Alice', typing: true })
    await screen.findByRole('status', { name: 'Alice is typing…' })
    const reply = msg({ message_type: 'agent', content: 'On it', agent: { id: 'a1', name: 'Alice' } })
    await net.push('message', reply, reply.seq)
    await screen.findByText('On it')
    expect(screen.queryByRole('status')).toBeNull() // the reply ends the typing dots
    expect(screen.getByText('On it').closest('.row')!.querySelector('.who img')!.getAttribute('src')).toBe(
      'https://cdn.test/alice.png',
    )
    const box = screen.getByRole('textbox', { name: /message/i })
    fireEvent.input(box, { target: { value: 'a' } })
    fireEvent.input(box, { target: { value: 'ab' } }) // throttled: one "typing" for a burst
    await waitFor(() => expect(posts(net.calls, '/typing')).toHaveLength(1))
    expect((posts(net.calls, '/typing')[0] as any).body).toEqual({ typing: true })
    fireEvent.keyDown(box, { key: 'Enter' })
    await waitFor(() => expect(posts(net.calls, '/typing')).toHaveLength(2))
    expect((posts(net.calls, '/typing')[1] as any).body).toEqual({ typing: false })
  })

  it('does not send typing to the API while only the bot answers', async () => {
    const net = setup({}, { storage: stored() })
    await waitFor(() => expect(net.calls.some((c) => c.path.endsWith('/events'))).toBe(true))
    fireEvent.input(screen.getByRole('textbox', { name: /message/i }), { target: { value: 'hi' } })
    await new Promise((r) => setTimeout(r, 20))
    expect(posts(net.calls, '/typing')).toHaveLength(0)
  })

  it('resends failed messages with the same client_message_id when the browser is back online', async () => {
    let up = false
    const net = setup({
      [`POST /v1/sessions/${SID}/messages`]: (c) => {
        if (!up) throw new TypeError('Failed to fetch')
        return json({
          message: msg({
            message_type: 'user',
            content: 'Still there?',
            client_message_id: c.body.client_message_id,
          }),
          reply: null,
        })
      },
    })
    type('Still there?')
    await screen.findByText('Not sent', { exact: false })
    up = true
    act(() => void net.target.dispatchEvent(new Event('online')))
    await waitFor(() => expect(screen.queryByText('Not sent', { exact: false })).toBeNull())
    const sent = posts(net.calls, '/messages')
    expect(sent).toHaveLength(2)
    expect((sent[1] as any).body.client_message_id).toBe((sent[0] as any).body.client_message_id)
    expect(screen.getAllByText('Still there?')).toHaveLength(1)
  })

  it('shows "Sending…" under a message until the API stored it', async () => {
    const posted = sseStream()
    let cmid = ''
    setup({
      [`POST /v1/sessions/${SID}/messages`]: (c) => {
        cmid = c.body.client_message_id
        return posted.response
      },
    })
    type('Quick question')
    await screen.findByText('Sending…')
    await waitFor(() => expect(cmid).not.toBe(''))
    posted.send('message', msg({ message_type: 'user', content: 'Quick question', client_message_id: cmid }))
    posted.end()
    await waitFor(() => expect(screen.queryByText('Sending…')).toBeNull())
  })

  it('sends the identity with a new session; another user on the same browser never sees the stored conversation', async () => {
    const other = msg({ message_type: 'user', content: 'Private order 123' })
    const net = setup(
      {
        [`GET /v1/sessions/${SID}/messages`]: () => json({ messages: [other] }),
        [`POST /v1/sessions/${SID}/messages`]: () => sseStream().response,
      },
      {
        storage: stored({ user_id: 'alice' }),
        opts: { identity: { user_id: 'bob', user_hash: 'f00d', name: 'Bob' } },
      },
    )
    await screen.findByText('Hello! Ask me anything.')
    await new Promise((r) => setTimeout(r, 20))
    expect(screen.queryByText('Private order 123')).toBeNull()
    expect(net.calls.some((c) => c.path === `/v1/sessions/${SID}/messages`)).toBe(false)
    type('Hi')
    await waitFor(() => expect(posts(net.calls, '/v1/sessions')).toHaveLength(1))
    expect((posts(net.calls, '/v1/sessions')[0] as any).body.identity).toEqual({
      user_id: 'bob',
      user_hash: 'f00d',
      name: 'Bob',
    })
    await waitFor(() => expect(JSON.parse(net.storage.map.get(KEY)!).user_id).toBe('bob'))
  })

  it('reset: the conversation leaves the screen and storage; the next message starts a new anonymous session', async () => {
    const mine = msg({ message_type: 'user', content: 'My address is 1 rue X' })
    const net = setup(
      { [`GET /v1/sessions/${SID}/messages`]: () => json({ messages: [mine] }) },
      { storage: stored({ user_id: 'alice' }) },
    )
    await screen.findByText('My address is 1 rue X')
    act(() => net.store.reset())
    await screen.findByText('Hello! Ask me anything.')
    expect(screen.queryByText('My address is 1 rue X')).toBeNull()
    const after = JSON.parse(net.storage.map.get(KEY)!)
    expect(after.session_id).toBeUndefined()
    expect(after.user_id).toBeUndefined()
    expect(after.visitor_id).not.toBe('v1') // a new visitor, not linkable to the old one
  })

  it('follows another tab: a session created there appears here, its messages once', async () => {
    const storage = memoryStorage()
    const net = setup({}, { storage })
    await screen.findByText('Hello! Ask me anything.')
    const fromOtherTab = msg({ message_type: 'user', content: 'Sent from tab A', client_message_id: 'c1' })
    // the other tab wrote the session to localStorage
    const value = JSON.stringify({ session_id: SID, token: TOKEN, visitor_id: 'v1' })
    storage.setItem(KEY, value)
    act(
      () => void net.target.dispatchEvent(Object.assign(new Event('storage'), { key: KEY, newValue: value })),
    )
    await waitFor(() => expect(net.calls.some((c) => c.path.endsWith('/events'))).toBe(true))
    await net.push('message', fromOtherTab, fromOtherTab.seq)
    await net.push('message', fromOtherTab, fromOtherTab.seq)
    await screen.findByText('Sent from tab A')
    expect(screen.getAllByText('Sent from tab A')).toHaveLength(1)
    // a reset in the other tab empties this one too
    act(
      () => void net.target.dispatchEvent(Object.assign(new Event('storage'), { key: KEY, newValue: null })),
    )
    await waitFor(() => expect(screen.queryByText('Sent from tab A')).toBeNull())
  })

  it('speaks Portuguese and Spanish, follows setLocale, and lays out right to left', async () => {
    expect(pickLang(null, 'auto', ['pt-BR', 'en'])).toBe('pt')
    expect(pickLang(null, 'auto', ['ja-JP', 'es-MX'])).toBe('es')
    expect(pickLang(null, 'auto', ['de-DE', 'es-MX'])).toBe('de')
    expect(pickLang('fr', 'es', ['pt'])).toBe('fr')
    expect(pickLang(null, 'auto', ['ja'])).toBe('en')
    const net = setup({}, { cfg: { language: 'pt' }, dir: 'rtl' })
    await screen.findByPlaceholderText('Escreva uma mensagem…')
    expect(screen.getByRole('dialog').getAttribute('dir')).toBe('rtl')
    expect(screen.getByRole('dialog').getAttribute('lang')).toBe('pt')
    act(() => net.store.setLocale('es-ES'))
    await screen.findByRole('button', { name: 'Enviar' })
    expect(screen.getByPlaceholderText('Escribe un mensaje…')).toBeTruthy()
    for (const l of ['en', 'fr', 'pt', 'es', 'de', 'it', 'nl'] as const)
      for (const v of Object.values(strings[l])) expect(v).toBeTruthy()
  })

  it('an agent reply is safe markdown; visitor text stays plain text', async () => {
    const net = setup(
      {
        [`GET /v1/sessions/${SID}/messages`]: () =>
          json({
            messages: [
              msg({ message_type: 'user', content: '**not bold** [x](https://a.test)' }),
              msg({
                message_type: 'agent',
                content: 'See **this** [guide](https://shop.test/g) <b>x</b>',
                agent: { id: 'a', name: 'Al' },
              }),
            ],
          }),
      },
      { storage: stored() },
    )
    await screen.findByText('this')
    expect(screen.getByText('this').tagName).toBe('STRONG')
    expect(screen.getByText('**not bold** [x](https://a.test)')).toBeTruthy()
    expect(screen.getAllByRole('link').map((a) => a.getAttribute('href'))).toEqual(['https://shop.test/g'])
    expect(net.view.container.querySelector('b')).toBeNull()
  })
})
