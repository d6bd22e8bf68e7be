import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact'
import { App } from '../../console/src/app'
import { fakeFetch, openStream, session } from './fake-api'

describe('console sign-in', () => {
  beforeEach(() => {
    sessionStorage.clear()
    localStorage.clear()
  })
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it('shows the API error message when the credentials are wrong', async () => {
    const calls = fakeFetch(({ path }) =>
      path === '/v1/auth/login'
        ? {
            status: 401,
            body: { error: { code: 'unauthorized', message: 'Email or password is incorrect.' } },
          }
        : undefined,
    )
    render(<App />)
    fireEvent.input(screen.getByRole('textbox', { name: 'Email' }), { target: { value: 'agent@demo.local' } })
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'nope' } })
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))

    expect(await screen.findByRole('alert')).toHaveProperty('textContent', 'Email or password is incorrect.')
    expect(calls.find((c) => c.path === '/v1/auth/login')).toMatchObject({
      method: 'POST',
      path: '/v1/auth/login',
      body: { email: 'agent@demo.local', password: 'nope' },
    })
    expect(sessionStorage.length).toBe(0)
  })

  it('signs in, keeps the token for the tab, lists the sessions and follows tenant events', async () => {
    const events = openStream()
    let status = 'escalated'
    const calls = fakeFetch(({ path, method }) => {
      if (path === '/v1/auth/login' && method === 'POST')
        return { body: { access_token: 'jwt-1', token_type: 'bearer' } }
      if (path === '/v1/me')
        return {
          body: {
            user: { id: 'u1', email: 'agent@demo.local', name: 'Alice' },
            memberships: [
              { tenant_id: 't1', role: 'agent', tenant: { id: 't1', name: 'Ma Boutique', slug: 'mb' } },
            ],
          },
        }
      if (path === '/v1/tenants/t1/events') return { stream: events.stream }
      if (path.startsWith('/v1/tenants/t1/sessions'))
        return {
          body: {
            sessions: [
              {
                ...session,
                status,
                last_message: {
                  message_type: 'user',
                  content: 'Bonjour !',
                  created_at: session.last_message_at,
                },
                message_count: 1,
              },
            ],
          },
        }
      return undefined
    })
    render(<App />)
    fireEvent.input(screen.getByRole('textbox', { name: 'Email' }), { target: { value: 'agent@demo.local' } })
    fireEvent.input(screen.getByLabelText('Password'), { target: { value: 'demo1234' } })
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }))

    const row = await screen.findByRole('button', { name: /Visitor 12345678/ })
    expect(row.textContent).toContain('Bonjour !')
    expect(row.textContent).toContain('Escalated')
    expect(sessionStorage.getItem('parley.console.token')).toBe('jwt-1')
    const sessionsCall = calls.find((c) => c.path === '/v1/tenants/t1/sessions')
    expect(sessionsCall?.headers.authorization).toBe('Bearer jwt-1')
    await waitFor(() => expect(calls.some((c) => c.path === '/v1/tenants/t1/events')).toBe(true))
    expect(calls.find((c) => c.path === '/v1/tenants/t1/events')?.headers.authorization).toBe('Bearer jwt-1')

    // A tenant event makes the list refetch: the row shows the new status.
    status = 'resolved'
    events.send('event: session\ndata: {"session_id":"s1","reason":"status"}\n\n')
    await waitFor(() =>
      expect(screen.getByRole('button', { name: /Visitor 12345678/ }).textContent).toContain('Resolved'),
    )

    fireEvent.click(screen.getByRole('button', { name: 'Sign out' }))
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy()
    expect(sessionStorage.getItem('parley.console.token')).toBeNull()
  })

  it('goes back to sign-in with a notice when the stored token is refused', async () => {
    sessionStorage.setItem('parley.console.token', 'expired')
    fakeFetch(({ path }) =>
      path === '/v1/me'
        ? { status: 401, body: { error: { code: 'unauthorized', message: 'Token expired.' } } }
        : undefined,
    )
    render(<App />)
    expect(await screen.findByText('Your session has expired. Please sign in again.')).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy()
    expect(sessionStorage.getItem('parley.console.token')).toBeNull()
  })
})
