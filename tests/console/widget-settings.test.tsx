import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { WidgetSettings, widgetSnippet } from '../../console/src/pages/widget/preview'
import { fakeFetch } from './fake-api'

describe('console widget page', () => {
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  const bots = [
    { id: 'b1', name: 'Support', status: 'active' },
    { id: 'b2', name: 'Sales', status: 'active' },
  ]

  it('shows the snippet for the chosen bot and a live preview running it', async () => {
    fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/bots') return { body: { bots } }
      if (path === '/v1/bots/b1/widget')
        return { body: { widget: { publishable_key: 'pk_one', allowed_origins: ['https://shop.example'] } } }
      if (path === '/v1/bots/b2/widget')
        return { body: { widget: { publishable_key: 'pk_two', allowed_origins: [] } } }
      return undefined
    })
    render(<WidgetSettings tenantId="t1" />)
    const snippet = await screen.findByLabelText('Widget snippet')
    expect(snippet.textContent).toBe(
      `<script src="${location.origin}/widget.js" data-key="pk_one" async></script>`,
    )
    expect((screen.getByRole('textbox') as HTMLTextAreaElement).value).toBe('https://shop.example')
    const frame = screen.getByTitle('Widget preview') as HTMLIFrameElement
    expect(frame.getAttribute('srcdoc')).toContain('data-key="pk_one"')

    fireEvent.change(screen.getByRole('combobox'), { target: { value: 'b2' } })
    await waitFor(() => expect(screen.getByLabelText('Widget snippet').textContent).toContain('pk_two'))
    expect((screen.getByTitle('Widget preview') as HTMLIFrameElement).getAttribute('srcdoc')).toContain(
      'pk_two',
    )
  })

  it('saves the sites one per line, and shows the API refusal when one is malformed', async () => {
    let stored = ['https://shop.example']
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/tenants/t1/bots') return { body: { bots: bots.slice(0, 1) } }
      if (path === '/v1/bots/b1/widget' && method === 'GET')
        return { body: { widget: { publishable_key: 'pk_one', allowed_origins: stored } } }
      if (path === '/v1/bots/b1/widget' && method === 'PATCH') {
        const next = (body as { allowed_origins: string[] }).allowed_origins
        if (next.some((o) => !/^https?:\/\/[a-z0-9.-]+$/.test(o)))
          return {
            status: 400,
            body: {
              error: {
                code: 'validation',
                message: 'allowed_origins.1: an origin like https://shop.example.com',
              },
            },
          }
        stored = next
        return { body: { widget: { publishable_key: 'pk_one', allowed_origins: stored } } }
      }
      return undefined
    })
    render(<WidgetSettings tenantId="t1" />)
    const box = (await screen.findByRole('textbox')) as HTMLTextAreaElement
    fireEvent.input(box, { target: { value: 'https://shop.example\n\nhttps://blog.example/\n' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save sites' }))
    await screen.findByText('Saved.')
    expect(calls.find((c) => c.method === 'PATCH')?.body).toEqual({
      allowed_origins: ['https://shop.example', 'https://blog.example'],
    })
    expect(box.value).toBe('https://shop.example\nhttps://blog.example')

    fireEvent.input(box, { target: { value: 'https://shop.example\nftp://files.example' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save sites' }))
    expect((await screen.findByRole('alert')).textContent).toContain('allowed_origins.1')
    expect(stored).toEqual(['https://shop.example', 'https://blog.example'])
  })

  it('escapes the key and the origin in the snippet', () => {
    expect(widgetSnippet('https://chat.example/', 'pk_"><script>')).toBe(
      '<script src="https://chat.example/widget.js" data-key="pk_&quot;&gt;&lt;script&gt;" async></script>',
    )
  })
})
