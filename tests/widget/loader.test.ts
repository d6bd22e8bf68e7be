import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

/** A script URL whose chat.js neighbour is a fake chunk that records the loader's calls. */
const FIXTURE = pathToFileURL(resolve('tests/widget/fixtures/widget.js')).href

async function evaluateLoader() {
  vi.resetModules()
  await import('../../widget/src/loader')
}

function tag(attrs: Record<string, string>) {
  const s = document.createElement('script')
  for (const [k, v] of Object.entries(attrs)) s.setAttribute(k, v)
  document.head.appendChild(s)
}

const shadow = () => document.getElementById('parley-widget')!.shadowRoot!
const launcher = () => shadow().querySelector('button')!
const chunk = () => (globalThis as any).__chunk

describe('loader', () => {
  beforeEach(() => {
    document.body.innerHTML = ''
    delete (window as any).Parley
    delete (window as any).ParleySettings
    delete (globalThis as any).__chunk
  })
  afterEach(() => {
    document.head.innerHTML = ''
    vi.restoreAllMocks()
  })

  it('is idempotent: two copies of the tag create one launcher and one global', async () => {
    tag({ src: 'https://api.test/widget.js', 'data-key': 'pk_demo' })
    await evaluateLoader()
    const first = (window as any).Parley
    await evaluateLoader()
    expect(document.querySelectorAll('parley-widget')).toHaveLength(1)
    expect((window as any).Parley).toBe(first)
    expect(launcher().getAttribute('aria-label')).toBe('Open chat')
    expect(launcher().getAttribute('aria-expanded')).toBe('false')
    expect(launcher().querySelector('svg')).toBeTruthy()
    for (const m of ['open', 'close', 'toggle', 'identify', 'setLocale', 'on', 'off', 'reset', 'shutdown'])
      expect(typeof first[m]).toBe('function')
    // only the launcher before any use: no panel, no chunk
    expect(shadow().querySelectorAll('*').length).toBeLessThan(8)
    expect(chunk()).toBeUndefined()
  })

  it('reads window.ParleySettings, with data- attributes winning, and passes them to the chunk', async () => {
    ;(window as any).ParleySettings = {
      key: 'pk_settings',
      locale: 'pt-BR',
      position: 'left',
      api: 'https://api.other',
    }
    tag({ src: FIXTURE, 'data-locale': 'es' })
    await evaluateLoader()
    expect(document.getElementById('parley-widget')!.hasAttribute('data-left')).toBe(true)
    ;(window as any).Parley.open()
    await vi.waitFor(() => expect(chunk()).toBeTruthy())
    expect(chunk().opts).toMatchObject({ key: 'pk_settings', locale: 'es', apiBase: 'https://api.other' })
  })

  it('queues calls made before the chunk arrives and replays them in order, with their arguments', async () => {
    tag({ src: FIXTURE, 'data-key': 'pk_demo', 'data-api': 'https://api.test' })
    await evaluateLoader()
    const P = (window as any).Parley
    P.identify({ user_id: 'u1', user_hash: 'h' })
    P.setLocale('fr')
    P.open()
    await vi.waitFor(() => expect(chunk()?.calls.length).toBe(3))
    expect(chunk().calls).toEqual([
      ['identify', { user_id: 'u1', user_hash: 'h' }],
      ['setLocale', 'fr'],
      ['open'],
    ])
    expect(chunk().root).toBe(shadow())
    P.toggle()
    expect(chunk().calls[3]).toEqual(['toggle']) // direct once loaded
  })

  it('passes chunk events to Parley.on listeners, shows the unread count on the launcher and relabels it', async () => {
    tag({ src: FIXTURE, 'data-key': 'pk_demo' })
    await evaluateLoader()
    const P = (window as any).Parley
    const seen: unknown[] = []
    const fn = (n: unknown) => seen.push(n)
    P.on('unread-count', fn)
    P.open()
    await vi.waitFor(() => expect(chunk()).toBeTruthy())
    const emit = chunk().opts.emit
    emit('unread-count', 3)
    const badge = shadow().querySelector('.b') as HTMLElement
    expect(badge.hidden).toBe(false)
    expect(badge.textContent).toBe('3')
    emit('unread-count', 12)
    expect(badge.textContent).toBe('9+')
    emit('open')
    expect(launcher().getAttribute('aria-expanded')).toBe('true')
    P.off('unread-count', fn)
    emit('unread-count', 0)
    expect(badge.hidden).toBe(true)
    expect(seen).toEqual([3, 12])
    emit('label', 'Ouvrir le chat')
    expect(launcher().getAttribute('aria-label')).toBe('Ouvrir le chat')
  })

  it('shutdown removes the widget from the page and later calls do nothing', async () => {
    tag({ src: FIXTURE, 'data-key': 'pk_demo' })
    await evaluateLoader()
    const P = (window as any).Parley
    P.open()
    await vi.waitFor(() => expect(chunk()).toBeTruthy())
    P.shutdown()
    expect(document.getElementById('parley-widget')).toBeNull()
    P.open()
    expect(chunk().calls.map((c: unknown[]) => c[0])).toEqual(['open', 'shutdown'])
  })

  it('warns once and leaves the page intact when the chat chunk cannot load', async () => {
    tag({ src: 'https://api.test/widget.js', 'data-key': 'pk_demo' })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    await evaluateLoader()
    launcher().click()
    ;(window as any).Parley.open()
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(1))
    launcher().click()
    await new Promise((r) => setTimeout(r, 50))
    expect(warn).toHaveBeenCalledTimes(1)
    expect(document.getElementById('parley-widget')).toBeTruthy()
  })

  it('without a key: the global exists, nothing is drawn, one warning', async () => {
    tag({ src: 'https://api.test/widget.js' })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    await evaluateLoader()
    expect(document.getElementById('parley-widget')).toBeNull()
    expect(() => (window as any).Parley.open()).not.toThrow()
    expect(warn).toHaveBeenCalledTimes(1)
  })
})
