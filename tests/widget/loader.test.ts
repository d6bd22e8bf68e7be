import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

async function evaluateLoader() {
  vi.resetModules()
  await import('../../widget/src/loader')
}

describe('loader', () => {
  beforeEach(() => {
    document.body.innerHTML = ''
    delete (window as any).Parley
    const s = document.createElement('script')
    s.setAttribute('src', 'https://api.test/widget.js')
    s.setAttribute('data-key', 'pk_demo')
    document.head.appendChild(s)
  })
  afterEach(() => {
    document.head.innerHTML = ''
    vi.restoreAllMocks()
  })

  it('is idempotent: two copies of the tag create one launcher and one global', async () => {
    await evaluateLoader()
    const first = (window as any).Parley
    await evaluateLoader()
    expect(document.querySelectorAll('#parley-widget')).toHaveLength(1)
    expect((window as any).Parley).toBe(first)
    const host = document.getElementById('parley-widget')!
    expect(host.shadowRoot).toBeTruthy()
    const button = host.shadowRoot!.querySelector('button')!
    expect(button.getAttribute('aria-label')).toBe('Open chat')
    expect(button.querySelector('svg')).toBeTruthy()
    for (const m of ['open', 'close', 'toggle', 'on', 'off']) expect(typeof first[m]).toBe('function')
  })

  it('warns once and leaves the page intact when the chat chunk cannot load', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {})
    await evaluateLoader()
    const button = document.getElementById('parley-widget')!.shadowRoot!.querySelector('button')!
    button.click()
    ;(window as any).Parley.open()
    await vi.waitFor(() => expect(warn).toHaveBeenCalledTimes(1))
    button.click()
    await new Promise((r) => setTimeout(r, 50))
    expect(warn).toHaveBeenCalledTimes(1)
    expect(document.getElementById('parley-widget')).toBeTruthy()
  })
})
