import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { widgetSnippet } from '../../console/src/pages/widget/preview'
import { WidgetSettings } from '../../console/src/pages/widget/widget-form'
import { contrastRatio } from '../../console/src/theme'
import { fakeFetch } from './fake-api'

const bots = [
  { id: 'b1', name: 'Support', status: 'active' },
  { id: 'b2', name: 'Sales', status: 'active' },
]

function widget(over: Record<string, unknown> = {}) {
  return {
    publishable_key: 'pk_one',
    allowed_origins: ['https://shop.example'],
    theme: { primary_color: '#4f46e5', position: 'right' },
    greeting: 'Bonjour !',
    suggestions: ['Livraison ?'],
    language: 'auto',
    identity_mode: 'off',
    business_hours: null,
    prechat: null,
    updated_at: '2026-01-10T10:00:00.000Z',
    ...over,
  }
}

describe('console widget page', () => {
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it('shows the snippet for the chosen bot and a live preview running it', async () => {
    fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/bots') return { body: { bots } }
      if (path === '/v1/bots/b1/widget') return { body: { widget: widget() } }
      if (path === '/v1/bots/b2/widget') return { body: { widget: widget({ publishable_key: 'pk_two' }) } }
      return undefined
    })
    render(<WidgetSettings tenantId="t1" />)
    const snippet = await screen.findByLabelText('Widget snippet')
    expect(snippet.textContent).toBe(
      `<script src="${location.origin}/widget.js" data-key="pk_one" async></script>`,
    )
    expect((screen.getByRole('textbox', { name: 'Sites' }) as HTMLTextAreaElement).value).toBe(
      'https://shop.example',
    )
    const frame = screen.getByTitle('Widget preview') as HTMLIFrameElement
    expect(frame.getAttribute('srcdoc')).toContain('data-key="pk_one"')
    // The unsaved colour is in the preview's page, as an override of the widget's variables.
    expect(frame.getAttribute('srcdoc')).toContain('--parley-primary:#4f46e5 !important')

    fireEvent.change(screen.getByRole('combobox', { name: 'Bot' }), { target: { value: 'b2' } })
    await waitFor(() => expect(screen.getByLabelText('Widget snippet').textContent).toContain('pk_two'))
    expect((screen.getByTitle('Widget preview') as HTMLIFrameElement).getAttribute('srcdoc')).toContain(
      'pk_two',
    )
  })

  it('saves everything in one PATCH, and shows the API refusal under the field it names', async () => {
    let stored = widget()
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/tenants/t1/bots') return { body: { bots: bots.slice(0, 1) } }
      if (path === '/v1/bots/b1/widget' && method === 'GET') return { body: { widget: stored } }
      if (path === '/v1/bots/b1/widget' && method === 'PATCH') {
        const next = body as { allowed_origins: string[] }
        if (next.allowed_origins.some((o) => !/^https?:\/\/[a-z0-9.-]+$/.test(o)))
          return {
            status: 400,
            body: {
              error: {
                code: 'validation_failed',
                message: 'allowed_origins.1: an origin like https://shop.example.com',
              },
            },
          }
        stored = { ...stored, ...(body as object), updated_at: '2026-01-10T11:00:00.000Z' }
        return { body: { widget: stored } }
      }
      return undefined
    })
    const brand = vi.fn()
    render(<WidgetSettings tenantId="t1" onBrand={brand} />)
    const sites = (await screen.findByRole('textbox', { name: 'Sites' })) as HTMLTextAreaElement
    const save = screen.getByRole('button', { name: 'Save widget' }) as HTMLButtonElement
    expect(save.disabled).toBe(true) // nothing changed yet
    fireEvent.input(sites, { target: { value: 'https://shop.example\n\nhttps://blog.example/\n' } })
    fireEvent.input(screen.getByRole('textbox', { name: 'Greeting' }), { target: { value: 'Hello!' } })
    fireEvent.click(save)
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true))
    expect(calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({
      allowed_origins: ['https://shop.example', 'https://blog.example'],
      greeting: 'Hello!',
      theme: { primary_color: '#4f46e5', position: 'right' },
      business_hours: null,
      prechat: null,
      identity_mode: 'off',
    })
    await waitFor(() => expect(sites.value).toBe('https://shop.example\nhttps://blog.example'))
    expect(brand).toHaveBeenCalledWith('#4f46e5')

    fireEvent.input(sites, { target: { value: 'https://shop.example\nftp://files.example' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save widget' }))
    await waitFor(() => expect(sites.getAttribute('aria-invalid')).toBe('true'))
    const describedBy = sites.getAttribute('aria-describedby')!.split(' ')
    expect(describedBy.map((id) => document.getElementById(id)?.textContent).join(' ')).toContain(
      'an origin like https://shop.example.com',
    )
    expect(screen.queryByRole('alert')).toBeNull() // shown in place, not as a banner
  })

  it('checks the colour contrast and offers a darker shade that reads', async () => {
    fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/bots') return { body: { bots: bots.slice(0, 1) } }
      if (path === '/v1/bots/b1/widget') return { body: { widget: widget() } }
      return undefined
    })
    render(<WidgetSettings tenantId="t1" />)
    const hex = (await screen.findByRole('textbox', { name: 'Brand colour' })) as HTMLInputElement
    fireEvent.input(hex, { target: { value: '#ff8800' } })
    const warning = await screen.findByText(/hard to read/)
    expect(warning.textContent).toMatch(/contrast 2\.\d:1/)
    const use = screen.getByRole('button', { name: /^Use #/ })
    fireEvent.click(use)
    await waitFor(() => expect(hex.value).not.toBe('#ff8800'))
    expect(contrastRatio(hex.value, '#ffffff')).toBeGreaterThanOrEqual(4.5)
    expect(screen.getByText(/reads well/)).toBeTruthy()
  })

  it('rotates the identity secret after a confirmation and shows it once, with a warning', async () => {
    const calls = fakeFetch(({ path, method }) => {
      if (path === '/v1/tenants/t1/bots') return { body: { bots: bots.slice(0, 1) } }
      if (path === '/v1/bots/b1/widget') return { body: { widget: widget() } }
      if (path === '/v1/bots/b1/widget/identity-secret' && method === 'POST')
        return { status: 201, body: { identity_secret: 'isec_0123456789abcdef' } }
      return undefined
    })
    render(<WidgetSettings tenantId="t1" />)
    fireEvent.click(await screen.findByRole('button', { name: 'Create a new secret' }))
    const dialog = screen.getByRole('alertdialog', { name: 'Create a new identity secret?' })
    expect(calls.some((c) => c.path.endsWith('/identity-secret'))).toBe(false)
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create new secret' }))
    const box = await screen.findByRole('group', { name: 'Identity secret' })
    expect((within(box).getByRole('textbox') as HTMLInputElement).value).toBe('isec_0123456789abcdef')
    expect(box.textContent).toContain('will not be shown again')
    fireEvent.click(within(box).getByRole('button', { name: 'I have copied it' }))
    expect(screen.queryByRole('group', { name: 'Identity secret' })).toBeNull()
  })

  it('escapes the key and the origin in the snippet', () => {
    expect(widgetSnippet('https://chat.example/', 'pk_"><script>')).toBe(
      '<script src="https://chat.example/widget.js" data-key="pk_&quot;&gt;&lt;script&gt;" async></script>',
    )
  })
})
