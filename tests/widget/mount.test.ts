import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount, type ChatController } from '../../widget/src/chat/index'
import { API, SID, TOKEN, config, fakeFetch, json, memoryStorage, msg, session, sseStream } from './fake-api'

let chat: ChatController | undefined
afterEach(() => {
  chat?.shutdown()
  document.body.innerHTML = ''
})

function start(cfg: object = config, storage = memoryStorage()) {
  const host = document.createElement('parley-widget')
  document.body.appendChild(host)
  const root = host.attachShadow({ mode: 'open' })
  const launcher = document.createElement('button')
  root.appendChild(launcher)
  const emit = vi.fn()
  let events: ReturnType<typeof sseStream> | undefined
  const net = fakeFetch({
    'GET /v1/widget/config': () => json(cfg),
    [`GET /v1/sessions/${SID}`]: () => json({ session }),
    [`GET /v1/sessions/${SID}/messages`]: () => json({ messages: [] }),
    [`GET /v1/sessions/${SID}/events`]: (_c, signal) => (events = sseStream(signal)).response,
    [`POST /v1/sessions/${SID}/escalate`]: () => json({ session: { ...session, status: 'escalated' } }),
  })
  chat = mount(root, {
    apiBase: API,
    key: 'pk_demo',
    launcher,
    emit,
    fetch: net.fetch as typeof fetch,
    storage,
  })
  const panel = () => root.querySelector('[role=dialog]') as HTMLElement | null
  const push = async (event: string, data: unknown, id?: number) => {
    await vi.waitFor(() => expect(events).toBeTruthy())
    events!.send(event, data, id)
  }
  return { host, root, launcher, emit, panel, push, chat }
}

const key = (el: Element, k: string, shiftKey = false) =>
  el.dispatchEvent(
    new KeyboardEvent('keydown', { key: k, shiftKey, bubbles: true, composed: true, cancelable: true }),
  )

describe('mount', () => {
  it('renders nothing until first open, then a modal dialog; Esc closes it and focus returns to the launcher', async () => {
    const { host, root, launcher, emit, panel, chat } = start({
      ...config,
      theme: { primary_color: 'red;x:y', position: 'left' },
    })
    await vi.waitFor(() => expect(emit).toHaveBeenCalledWith('label', 'Open chat'))
    expect(panel()).toBeNull() // an idle preload costs no rendering
    await vi.waitFor(() => expect(host.style.getPropertyValue('--parley-primary')).toBe('#4f46e5')) // invalid colour rejected
    expect(host.hasAttribute('data-left')).toBe(true)
    chat.open()
    await vi.waitFor(() => expect(panel()?.hidden).toBe(false))
    expect(panel()!.getAttribute('aria-modal')).toBe('true')
    expect(panel()!.getAttribute('aria-label')).toBe('Chat with Parley Bot')
    expect(emit).toHaveBeenCalledWith('open')
    expect(panel()!.querySelector('[role=log][aria-live=polite]')).toBeTruthy()
    await vi.waitFor(() => expect(root.activeElement).toBe(root.querySelector('textarea'))) // focus moves in
    key(root.querySelector('textarea')!, 'Escape')
    await vi.waitFor(() => expect(panel()!.hidden).toBe(true))
    expect(emit).toHaveBeenCalledWith('close')
    expect(root.activeElement).toBe(launcher)
  })

  it('keeps Tab inside the open panel, both ways', async () => {
    const { root, panel, chat } = start()
    chat.open()
    await vi.waitFor(() => expect(root.activeElement).toBe(root.querySelector('textarea')))
    const focusables = Array.from(panel()!.querySelectorAll<HTMLElement>('button:not([disabled]),textarea'))
    const first = focusables[0]
    const last = focusables[focusables.length - 1]
    last.focus()
    key(last, 'Tab')
    expect(root.activeElement).toBe(first)
    key(first, 'Tab', true)
    expect(root.activeElement).toBe(last)
  })

  it('counts unread replies while closed, resets on open, and reports escalation', async () => {
    const storage = memoryStorage({
      'parley:pk_demo': JSON.stringify({ session_id: SID, token: TOKEN, visitor_id: 'v' }),
    })
    const { emit, push, chat } = start(config, storage)
    const a = msg({ message_type: 'agent', content: 'Hello?', agent: { id: 'x', name: 'Al' } })
    const b = msg({ message_type: 'agent', content: 'Still there?', agent: { id: 'x', name: 'Al' } })
    await push('message', a, a.seq)
    await push('message', b, b.seq)
    await vi.waitFor(() => expect(emit).toHaveBeenCalledWith('unread-count', 2))
    expect(emit).toHaveBeenCalledWith('message', expect.objectContaining({ content: 'Still there?' }))
    chat.open()
    expect(emit).toHaveBeenLastCalledWith('open')
    expect(emit).toHaveBeenCalledWith('unread-count', 0)
    await push('status', { status: 'escalated', assignee: null })
    await vi.waitFor(() => expect(emit).toHaveBeenCalledWith('escalated'))
  })

  it('setLocale relabels the launcher and the panel', async () => {
    const { root, emit, chat } = start()
    chat.setLocale('fr')
    await vi.waitFor(() => expect(emit).toHaveBeenCalledWith('label', 'Ouvrir le chat'))
    chat.open()
    await vi.waitFor(() => expect(root.querySelector('[aria-label="Fermer le chat"]')).toBeTruthy())
  })
})
