import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatApp } from '../../widget/src/chat/chat-app'
import { ChatStore } from '../../widget/src/chat/chat-store'
import {
  API,
  SID,
  TOKEN,
  apiError,
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

const storedSession = () =>
  memoryStorage({ 'parley:pk_demo': JSON.stringify({ session_id: SID, token: TOKEN, visitor_id: 'v1' }) })

/** An events stream that stays open; `push` sends on the latest one. */
function liveEvents() {
  let current: ReturnType<typeof sseStream> | undefined
  const handler: Handler = (_call, signal) => {
    current = sseStream(signal)
    return current.response
  }
  return { handler, push: (event: string, data: any, id?: number) => current!.send(event, data, id) }
}

function setup(routes: Record<string, Handler>, storage = memoryStorage()) {
  const events = liveEvents()
  const net = fakeFetch({
    'GET /v1/widget/config': () => json(config),
    'POST /v1/sessions': () => json({ session, token: TOKEN }, 201),
    'GET /v1/sessions/11111111-1111-4111-8111-111111111111': () => json({ session }),
    [`GET /v1/sessions/${SID}/events`]: events.handler,
    ...routes,
  })
  const store = new ChatStore({ apiBase: API, key: 'pk_demo', fetch: net.fetch, storage, backoff: [5] })
  stores.push(store)
  const view = render(<ChatApp store={store} open onClose={() => {}} />)
  void store.start()
  return { ...net, store, storage, events, view }
}

const type = (text: string) => {
  const box = screen.getByRole('textbox')
  fireEvent.input(box, { target: { value: text } })
  fireEvent.keyDown(box, { key: 'Enter' })
}

describe('chat panel', () => {
  it('greets with the config and offers suggestion chips before any message', async () => {
    setup({})
    expect(screen.getByRole('dialog')).toBeTruthy()
    await screen.findByText('Hello! Ask me anything.')
    expect(screen.getByRole('button', { name: 'Delivery times' })).toBeTruthy()
    expect(screen.getByText('Parley Bot')).toBeTruthy()
  })

  it('shows the stored session history, with HTML shown as text', async () => {
    const { view } = setup(
      {
        [`GET /v1/sessions/${SID}/messages`]: () =>
          json({
            messages: [
              msg({ message_type: 'user', content: 'Hi <img src=x onerror="alert(1)"> there' }),
              msg({ message_type: 'ai', content: 'Line one\nLine two' }),
            ],
          }),
      },
      storedSession(),
    )
    await screen.findByText('Hi <img src=x onerror="alert(1)"> there')
    expect(view.container.querySelector('img')).toBeNull()
    const para = screen.getByText(/Line one/)
    expect(para.textContent).toBe('Line oneLine two')
    expect(para.querySelector('br')).toBeTruthy() // the line break kept
    expect(screen.queryByText('Hello! Ask me anything.')).toBeNull()
  })

  it('starts a new session when the stored one is gone (401)', async () => {
    const posted = sseStream()
    const net = setup(
      {
        [`GET /v1/sessions/${SID}`]: () => apiError(401, 'unauthorized'),
        [`GET /v1/sessions/${SID}/messages`]: () => apiError(401, 'unauthorized'),
        [`POST /v1/sessions/${SID}/messages`]: () => posted.response,
      },
      storedSession(),
    )
    await waitFor(() => expect(JSON.parse(net.storage.map.get('parley:pk_demo')!).session_id).toBeUndefined())
    type('hello')
    await waitFor(() =>
      expect(net.calls.some((c) => c.method === 'POST' && c.path === '/v1/sessions')).toBe(true),
    )
    expect(net.calls.find((c) => c.path === '/v1/sessions')!.body.visitor_id).toBe('v1')
  })

  it('sends, streams the answer live, then shows the stored answer with numbered sources', async () => {
    const posted = sseStream()
    const net = setup({ [`POST /v1/sessions/${SID}/messages`]: () => posted.response })
    await screen.findByText('Hello! Ask me anything.')
    type('How long is delivery?')
    await screen.findByText('How long is delivery?')
    await screen.findByRole('status', { name: 'Typing' })

    const isPost = (c: { method: string; path: string }) =>
      c.method === 'POST' && c.path.endsWith('/messages')
    await waitFor(() => expect(net.calls.some(isPost)).toBe(true))
    const post = net.calls.find(isPost)!
    expect(post.headers.Accept).toBe('text/event-stream')
    expect(post.headers.Authorization).toBe('Bearer ' + TOKEN)
    const cmid = post.body.client_message_id
    expect(cmid).toMatch(/^[0-9a-f-]{32,36}$/)
    expect(JSON.parse(net.storage.map.get('parley:pk_demo')!)).toMatchObject({
      session_id: SID,
      token: TOKEN,
    })

    posted.send(
      'message',
      msg({ message_type: 'user', content: 'How long is delivery?', client_message_id: cmid }),
    )
    posted.send('delta', { text: 'Delivery takes ' })
    await screen.findByText('Delivery takes')
    expect(screen.queryByRole('status', { name: 'Typing' })).toBeNull()
    posted.send('delta', { text: '2 days.' })
    await screen.findByText('Delivery takes 2 days.')

    posted.send(
      'done',
      msg({
        message_type: 'ai',
        content: 'Delivery takes 2 to 3 days [1].',
        sources: [
          { id: 's1', title: 'Delivery times', url: 'https://shop.test/delivery', snippet: '' },
          { id: 's2', title: 'Evil', url: 'javascript:alert(1)', snippet: '' },
          { id: 's3', title: 'FAQ entry', url: null, snippet: '' },
        ],
      }),
    )
    posted.end()
    await screen.findByText('Delivery takes 2 to 3 days', { exact: false })
    expect(screen.queryByText('Delivery takes 2 days.')).toBeNull()
    const link = screen.getByRole('link', { name: 'Delivery times' }) as HTMLAnchorElement
    expect(link.href).toBe('https://shop.test/delivery')
    expect(link.rel).toBe('noopener noreferrer')
    expect(link.target).toBe('_blank')
    // the citation [1] in the text opens the same source
    const cite = screen.getByRole('link', { name: '1' }) as HTMLAnchorElement
    expect(cite.href).toBe('https://shop.test/delivery')
    expect(cite.rel).toBe('noopener noreferrer')
    expect(screen.getByText('Evil').closest('a')).toBeNull()
    expect(screen.getByText('FAQ entry').closest('a')).toBeNull()
    expect(screen.getAllByRole('link')).toHaveLength(2)
    expect(screen.getByText('3')).toBeTruthy() // numbered
    expect(screen.getAllByText('How long is delivery?')).toHaveLength(1)
  })

  it('shows a failed send with retry, and the retry reuses the same client_message_id', async () => {
    let attempt = 0
    const net = setup({
      [`POST /v1/sessions/${SID}/messages`]: () => {
        if (++attempt === 1) throw new TypeError('Failed to fetch')
        return json({
          message: msg({ message_type: 'user', content: 'Where is my order?', client_message_id: 'x' }),
          reply: msg({ message_type: 'ai', content: 'It ships today.' }),
        })
      },
    })
    type('Where is my order?')
    const retry = await screen.findByRole('button', { name: 'Retry' })
    expect(screen.getByText('Not sent', { exact: false })).toBeTruthy()
    fireEvent.click(retry)
    await screen.findByText('It ships today.')
    expect(screen.queryByRole('button', { name: 'Retry' })).toBeNull()
    const posts = net.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/messages'))
    expect(posts).toHaveLength(2)
    expect(posts[1].body.client_message_id).toBe(posts[0].body.client_message_id)
  })

  it('receives agent replies live with the agent name, deduped, and the resolved status', async () => {
    const first = msg({ message_type: 'user', content: 'I need help' })
    const net = setup(
      { [`GET /v1/sessions/${SID}/messages`]: () => json({ messages: [first] }) },
      storedSession(),
    )
    await screen.findByText('I need help')
    await waitFor(() => expect(net.calls.some((c) => c.path.endsWith('/events'))).toBe(true))
    const agentMsg = msg({
      message_type: 'agent',
      content: 'Hi, Alice here.',
      agent: { id: 'a1', name: 'Alice' },
    })
    net.events.push('message', first, first.seq) // replayed: not shown twice
    net.events.push('message', agentMsg, agentMsg.seq)
    net.events.push('message', agentMsg, agentMsg.seq)
    await screen.findByText('Hi, Alice here.')
    expect(screen.getByText('Alice')).toBeTruthy()
    expect(screen.getAllByText('Hi, Alice here.')).toHaveLength(1)
    expect(screen.getAllByText('I need help')).toHaveLength(1)
    net.events.push('status', { status: 'resolved', assignee: null })
    await screen.findByText('This conversation was resolved')
  })

  it('reconnects the event stream with Last-Event-ID set to the last seen seq', async () => {
    const first = msg({ message_type: 'user', content: 'hello?' })
    let n = 0
    const net = setup(
      {
        [`GET /v1/sessions/${SID}/messages`]: () => json({ messages: [first] }),
        [`GET /v1/sessions/${SID}/events`]: (_c, signal) => {
          const s = sseStream(signal)
          if (++n === 1) queueMicrotask(() => s.end()) // the first connection drops
          return s.response
        },
      },
      storedSession(),
    )
    await waitFor(() => expect(n).toBeGreaterThanOrEqual(2))
    const ev = net.calls.filter((c) => c.path.endsWith('/events'))
    expect(ev[1].headers['Last-Event-ID']).toBe(String(first.seq))
    expect(ev[1].headers.Authorization).toBe('Bearer ' + TOKEN)
  })

  it('asks for a human, once the visitor has written (never an empty escalation)', async () => {
    const net = setup(
      {
        [`GET /v1/sessions/${SID}/messages`]: () =>
          json({ messages: [msg({ message_type: 'user', content: 'My parcel is late' })] }),
        [`POST /v1/sessions/${SID}/escalate`]: () => json({ session: { ...session, status: 'escalated' } }),
      },
      storedSession(),
    )
    fireEvent.click(await screen.findByRole('button', { name: 'Talk to a human' }))
    await screen.findByText('A human will reply here soon')
    expect(net.calls.some((c) => c.method === 'POST' && c.path === `/v1/sessions/${SID}/escalate`)).toBe(true)
    expect(screen.queryByRole('button', { name: 'Talk to a human' })).toBeNull()
  })

  it("shows the bot's choices (meeting slots) as buttons on its last answer; a button sends its label", async () => {
    const posted = sseStream()
    const net = setup(
      {
        [`GET /v1/sessions/${SID}/messages`]: () =>
          json({
            messages: [
              msg({ message_type: 'user', content: 'Book a meeting' }),
              msg({
                message_type: 'ai',
                content: 'Here are the next free times.',
                choices: [{ label: 'Tuesday 10:00' }, { label: 'Tuesday 10:30' }],
              }),
            ],
          }),
        [`POST /v1/sessions/${SID}/messages`]: () => posted.response,
      },
      storedSession(),
    )
    fireEvent.click(await screen.findByRole('button', { name: 'Tuesday 10:30' }))
    await waitFor(() =>
      expect(
        net.calls.find((c) => c.method === 'POST' && c.path === `/v1/sessions/${SID}/messages`)?.body.content,
      ).toBe('Tuesday 10:30'),
    )
  })

  it('speaks French when the config says fr', async () => {
    setup({ 'GET /v1/widget/config': () => json({ ...config, language: 'fr' }) })
    await screen.findByRole('button', { name: 'Envoyer' })
    expect(screen.getByPlaceholderText('Écrivez un message…')).toBeTruthy()
  })
})
