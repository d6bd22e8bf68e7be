import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { SessionView } from '../../console/src/pages/inbox/session-view'
import { fakeFetch, message, session } from './fake-api'

const noop = () => {}

function renderView(reloadKey = 0) {
  return render(
    <SessionView
      tenantId="t1"
      sessionId="s1"
      userId="u1"
      reloadKey={reloadKey}
      onChanged={noop}
      onBack={noop}
    />,
  )
}

describe('console session view', () => {
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it('renders message content as text: an HTML payload creates no element', async () => {
    const payload = '<img src=x onerror="window.__pwned=1"><b>bold</b>\nsecond line'
    fakeFetch(({ path }) =>
      path === '/v1/tenants/t1/sessions/s1'
        ? { body: { session, messages: [message({ seq: 1, content: payload })] } }
        : undefined,
    )
    const { container } = renderView()
    const text = await screen.findByText((_, el) => el?.classList.contains('msg-text') === true)
    expect(text.textContent).toBe(payload)
    expect(container.querySelector('img')).toBeNull()
    expect(container.querySelector('b')).toBeNull()
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined()
  })

  it('labels private notes, names agents and lists bot sources (only http links)', async () => {
    fakeFetch(({ path }) =>
      path === '/v1/tenants/t1/sessions/s1'
        ? {
            body: {
              session,
              messages: [
                message({
                  seq: 1,
                  message_type: 'ai',
                  content: 'Livraison en 2 à 4 jours.',
                  sources: [
                    {
                      id: 'k1',
                      title: 'Délais de livraison',
                      url: 'https://shop.example/livraison',
                      snippet: '',
                    },
                    { id: 'k2', title: 'Piège', url: 'javascript:alert(1)', snippet: '' },
                  ],
                }),
                message({
                  seq: 2,
                  message_type: 'agent',
                  content: 'Je regarde.',
                  agent: { id: 'u2', name: 'Bruno' },
                }),
                message({
                  seq: 3,
                  message_type: 'agent',
                  content: 'Colis bloqué à Lyon.',
                  private: true,
                  agent: { id: 'u2', name: 'Bruno' },
                }),
              ],
            },
          }
        : undefined,
    )
    renderView()
    const note = await screen.findByText('Colis bloqué à Lyon.')
    const item = note.closest('li')!
    expect(item.classList.contains('msg-note')).toBe(true)
    expect(item.textContent).toContain('Private note')
    expect(screen.getByText('Je regarde.').closest('li')!.textContent).not.toContain('Private note')
    expect(screen.getAllByText('Bruno')).toHaveLength(2)
    expect(screen.getByRole('link', { name: 'Délais de livraison' }).getAttribute('href')).toBe(
      'https://shop.example/livraison',
    )
    expect(screen.queryByRole('link', { name: 'Piège' })).toBeNull()
    expect(screen.getByText('Piège')).toBeTruthy()
  })

  it('sends a private note with Enter and shows it labelled', async () => {
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/tenants/t1/sessions/s1')
        return { body: { session, messages: [message({ seq: 1, content: 'Bonjour' })] } }
      if (path === '/v1/tenants/t1/sessions/s1/messages' && method === 'POST') {
        const b = body as { content: string; private: boolean }
        return {
          status: 201,
          body: {
            message: message({
              id: 'm2',
              seq: 2,
              message_type: 'agent',
              content: b.content,
              private: b.private,
              agent: { id: 'u1', name: 'Alice' },
            }),
          },
        }
      }
      return undefined
    })
    renderView()
    const box = await screen.findByRole('textbox', { name: 'Reply' })
    fireEvent.click(screen.getByRole('checkbox', { name: 'Private note' }))
    fireEvent.input(box, { target: { value: 'Vérifier le transporteur' } })
    fireEvent.keyDown(box, { key: 'Enter' })

    const note = await screen.findByText('Vérifier le transporteur')
    expect(note.closest('li')!.textContent).toContain('Private note')
    expect(calls.at(-1)).toMatchObject({
      method: 'POST',
      body: { content: 'Vérifier le transporteur', private: true },
    })
    await waitFor(() => expect((box as HTMLTextAreaElement).value).toBe(''))
  })

  it('Shift+Enter does not send; Claim, Hand back to bot and Resolve call the API', async () => {
    let current: Record<string, unknown> = { ...session }
    const calls = fakeFetch(({ path, method }) => {
      if (path === '/v1/tenants/t1/sessions/s1') return { body: { session: current, messages: [] } }
      if (path.endsWith('/claim') && method === 'POST') {
        current = { ...current, assignee: { id: 'u1', name: 'Alice' } }
        return { body: { session: current } }
      }
      if (path.endsWith('/handback') && method === 'POST') {
        current = { ...current, status: 'active' }
        return { body: { session: current } }
      }
      if (path.endsWith('/resolve') && method === 'POST') {
        current = { ...current, status: 'resolved' }
        return { body: { session: current } }
      }
      if (path.endsWith('/typing')) return { status: 204 }
      return undefined
    })
    renderView()
    const box = await screen.findByRole('textbox', { name: 'Reply' })
    fireEvent.input(box, { target: { value: 'ligne 1' } })
    fireEvent.keyDown(box, { key: 'Enter', shiftKey: true })
    const actions = () =>
      calls.filter((c) => c.method === 'POST' && !c.path.endsWith('/typing')).map((c) => c.path)
    expect(actions()).toEqual([])

    fireEvent.click(screen.getByRole('button', { name: 'Claim' }))
    await waitFor(() => expect(screen.getByText('Assigned to you')).toBeTruthy())
    expect(screen.queryByRole('button', { name: 'Claim' })).toBeNull()

    fireEvent.click(screen.getByRole('button', { name: 'Hand back to bot' }))
    await waitFor(() => expect(screen.getByText('Active', { selector: '.badge' })).toBeTruthy())
    expect(screen.queryByRole('button', { name: 'Hand back to bot' })).toBeNull()

    fireEvent.click(screen.getByRole('button', { name: 'Resolve' }))
    await waitFor(() => expect(screen.getByText('Resolved', { selector: '.badge' })).toBeTruthy())
    expect(screen.getByRole('button', { name: 'Resolved' })).toHaveProperty('disabled', true)
    expect(actions()).toEqual([
      '/v1/tenants/t1/sessions/s1/claim',
      '/v1/tenants/t1/sessions/s1/handback',
      '/v1/tenants/t1/sessions/s1/resolve',
    ])
  })
})
