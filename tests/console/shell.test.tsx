import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { App } from '../../console/src/app'
import { pageOf } from '../../console/src/router'
import { accessibleAccent, applyAccent, contrastRatio, softTint } from '../../console/src/theme'
import { openStream } from './fake-api'
import { fakeFetch } from './fake-api'

function signedInAs(role: 'owner' | 'agent', color = '#4f46e5') {
  sessionStorage.setItem('parley.console.token', 'jwt')
  const events = openStream()
  return fakeFetch(({ path }) => {
    if (path === '/v1/me')
      return {
        body: {
          user: { id: 'u1', email: 'a@demo.local', name: 'Alice' },
          memberships: [{ tenant_id: 't1', role, tenant: { id: 't1', name: 'Ma Boutique', slug: 'mb' } }],
        },
      }
    if (path === '/v1/tenants/t1/members')
      return { body: { members: [{ user_id: 'u1', name: 'Alice', role, availability: 'online' }] } }
    if (path === '/v1/tenants/t1/events') return { stream: events.stream }
    if (path.startsWith('/v1/tenants/t1/sessions')) return { body: { sessions: [] } }
    if (path === '/v1/tenants/t1/bots')
      return { body: { bots: [{ id: 'b1', name: 'Lina', status: 'active' }] } }
    if (path === '/v1/bots/b1/widget')
      return {
        body: { widget: { publishable_key: 'pk', allowed_origins: [], theme: { primary_color: color } } },
      }
    if (path === '/v1/tenants/t1/knowledge/sources') return { body: { sources: [] } }
    return undefined
  })
}

describe('console shell', () => {
  beforeEach(() => {
    sessionStorage.clear()
    localStorage.clear()
    history.replaceState(null, '', '/')
  })
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
    document.documentElement.removeAttribute('style')
  })

  it('routes by hash; the inbox keeps its own sessions and filters', () => {
    expect(pageOf('')).toEqual({ page: 'inbox', rest: '' })
    expect(pageOf('#/?status=escalated')).toEqual({ page: 'inbox', rest: '' })
    expect(pageOf('#/sessions/abc')).toEqual({ page: 'inbox', rest: '' })
    expect(pageOf('#widget')).toEqual({ page: 'widget', rest: '' })
    expect(pageOf('#/knowledge/sources/s1')).toEqual({ page: 'knowledge', rest: 'sources/s1' })
    expect(pageOf('#/nope')).toEqual({ page: 'nope', rest: '' })
  })

  it('an owner sees every page in the menu; a page loads lazily on its link', async () => {
    signedInAs('owner')
    render(<App />)
    const nav = await screen.findByRole('navigation', { name: 'Console' })
    await waitFor(() =>
      expect(
        within(nav)
          .getAllByRole('link')
          .map((a) => a.textContent),
      ).toEqual([
        'Inbox',
        'Contacts',
        'Knowledge',
        'Bot',
        'Rules',
        'Feedback',
        'Widget',
        'Team',
        'Channels',
        'Analytics',
        'Settings',
        'My account',
      ]),
    )
    expect(within(nav).getByRole('link', { name: 'Inbox' }).getAttribute('aria-current')).toBe('page')
    location.hash = '#/knowledge'
    await screen.findByRole('heading', { name: 'Knowledge', level: 1 })
    expect(within(nav).getByRole('link', { name: 'Knowledge' }).getAttribute('aria-current')).toBe('page')
    await screen.findByText('No documents or websites yet')
  })

  it('an agent sees the inbox, contacts, the feedback page and their account; an owner page says it is not for them', async () => {
    signedInAs('agent')
    location.hash = '#/widget'
    render(<App />)
    await screen.findByText('This page is for owners and admins. Your role in this workspace is agent.')
    const nav = screen.getByRole('navigation', { name: 'Console' })
    expect(
      within(nav)
        .getAllByRole('link')
        .map((a) => a.textContent),
    ).toEqual(['Inbox', 'Contacts', 'Feedback', 'My account'])
  })

  it('speaks the browser language, switches language from the top bar, and remembers the choice', async () => {
    vi.spyOn(navigator, 'languages', 'get').mockReturnValue(['pt-BR', 'en'])
    signedInAs('owner')
    render(<App />)
    const nav = await screen.findByRole('navigation', { name: 'Console' })
    await within(nav).findByRole('link', { name: 'Caixa de entrada' })
    fireEvent.change(screen.getByRole('combobox', { name: 'Idioma' }), { target: { value: 'fr' } })
    await within(nav).findByRole('link', { name: 'Règles' })
    expect(localStorage.getItem('parley.console.locale')).toBe('fr')
    expect(document.documentElement.lang).toBe('fr')
    expect(screen.getByRole('button', { name: 'Se déconnecter' })).toBeTruthy()
  })

  it('takes the widget colour as the accent, darker when white text would not read on it', async () => {
    signedInAs('owner', '#ffd400')
    render(<App />)
    await screen.findByRole('navigation', { name: 'Console' })
    await waitFor(() => expect(document.documentElement.style.getPropertyValue('--accent')).not.toBe(''))
    const accent = document.documentElement.style.getPropertyValue('--accent')
    expect(accent).not.toBe('#ffd400')
    expect(contrastRatio(accent, '#ffffff')).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(accent, softTint(accent))).toBeGreaterThanOrEqual(4.5)

    // A colour that already reads stays as it is.
    expect(accessibleAccent('#1d4ed8')).toBe('#1d4ed8')
    applyAccent(null)
    expect(document.documentElement.style.getPropertyValue('--accent')).toBe('#2f5bea')
  })
})
