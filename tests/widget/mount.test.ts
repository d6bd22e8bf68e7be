import { afterEach, describe, expect, it, vi } from 'vitest'
import { mount, type ChatController } from '../../widget/src/chat/index'
import { API, config, fakeFetch, json } from './fake-api'

let chat: ChatController | undefined
afterEach(() => {
  chat?.destroy()
  document.body.innerHTML = ''
})

describe('mount', () => {
  it('opens and closes the panel in the shadow root, emits events, themes the host and returns focus', async () => {
    const host = document.createElement('div')
    document.body.appendChild(host)
    const root = host.attachShadow({ mode: 'open' })
    const launcher = document.createElement('button')
    root.appendChild(launcher)
    const emit = vi.fn()
    const net = fakeFetch({
      'GET /v1/widget/config': () =>
        json({ ...config, theme: { primary_color: 'red;x:y', position: 'left' } }),
    })
    chat = mount(root, { apiBase: API, key: 'pk_demo', launcher, emit, fetch: net.fetch as typeof fetch })
    const panel = () => root.querySelector('[role=dialog]') as HTMLElement
    await vi.waitFor(() => expect(panel()).toBeTruthy())
    expect(panel().hidden).toBe(true)
    chat.open()
    await vi.waitFor(() => expect(panel().hidden).toBe(false))
    expect(emit).toHaveBeenCalledWith('open')
    expect(panel().querySelector('[aria-live=polite]')).toBeTruthy()
    await vi.waitFor(() => expect(host.style.getPropertyValue('--parley-primary')).toBe('#4f46e5')) // invalid colour rejected
    expect(host.getAttribute('data-position')).toBe('left')
    panel()
      .querySelector('textarea')!
      .dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }))
    await vi.waitFor(() => expect(panel().hidden).toBe(true))
    expect(emit).toHaveBeenCalledWith('close')
    expect(root.activeElement).toBe(launcher)
  })
})
