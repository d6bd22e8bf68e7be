import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { afterEach, describe, expect, it, vi } from 'vitest'
import ContactsPage from '../../console/src/pages/contacts'
import type { PageProps } from '../../console/src/pages/types'
import { fakeFetch } from './fake-api'

/** The Contacts page: a contact's facts with their sources, orders, notes, and an explicit merge. */
afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

const contact = (over: Record<string, unknown>) => ({
  id: 'c1',
  user_id: 'ana-1',
  name: 'Ana Lima',
  email: 'ana@example.com',
  phone: null,
  sources: { name: 'verified', email: 'claimed', phone: null },
  identities: [{ kind: 'user', value: 'ana-1' }],
  attributes: {},
  notes: '',
  updated_at: '2026-11-30T10:00:00Z',
  ...over,
})
const props = (path: string) =>
  ({
    tenantId: 't1',
    path,
    role: 'agent',
    me: {},
    members: [],
    refreshMembers() {},
    setBrand() {},
  }) as unknown as PageProps

describe('contact page', () => {
  it('shows how each fact was learnt and the orders, saves notes, and merges only after confirmation', async () => {
    const other = contact({
      id: 'c2',
      user_id: null,
      name: 'Ana L.',
      email: 'ana@example.com',
      identities: [],
    })
    let detail = {
      contact: contact({}),
      sessions: [],
      orders: [
        {
          id: 'o1',
          external_id: '4512',
          status: 'shipped',
          currency: 'EUR',
          items: [{ name: 'Mug', quantity: 2, unit_price: 12, line_total: 24 }],
          total: 24,
          updated_at: '2026-11-30T10:00:00Z',
        },
      ],
      meetings: [],
    }
    const calls = fakeFetch(({ method, path, body }) => {
      if (method === 'GET' && path === '/v1/tenants/t1/contacts/c1') return { body: detail }
      if (method === 'GET' && path.startsWith('/v1/tenants/t1/contacts?q='))
        return { body: { contacts: [contact({}), other] } }
      if (method === 'PATCH') return { body: { contact: contact({ notes: (body as any).notes }) } }
      if (method === 'POST' && path === '/v1/tenants/t1/contacts/c1/merge') {
        detail = { ...detail, sessions: [] }
        return { body: detail }
      }
      return undefined
    })
    render(<ContactsPage {...props('c1')} />)
    await screen.findByRole('heading', { name: 'Ana Lima', level: 1 })
    const facts = screen.getByRole('region', { name: 'Details' })
    expect(within(facts).getByText('ana@example.com').parentElement!.textContent).toContain('claimed')
    expect(screen.getByText(/Order 4512/)).toBeTruthy()
    expect(screen.getByText(/2 × Mug/)).toBeTruthy()

    fireEvent.input(screen.getByRole('textbox', { name: 'Notes' }), { target: { value: 'VIP' } })
    fireEvent.click(screen.getByRole('button', { name: 'Save notes' }))
    await waitFor(() =>
      expect(calls.some((c) => c.method === 'PATCH' && (c.body as any).notes === 'VIP')).toBe(true),
    )

    fireEvent.input(screen.getByRole('searchbox', { name: 'Find the other contact' }), {
      target: { value: 'Ana' },
    })
    const results = await screen.findByRole('list', { name: 'Find the other contact' })
    // The contact itself is never offered.
    expect(within(results).getAllByRole('listitem')).toHaveLength(1)
    fireEvent.click(within(results).getByRole('button', { name: 'Merge' }))
    expect(calls.some((c) => c.path.endsWith('/merge'))).toBe(false)
    const dialog = await screen.findByRole('alertdialog')
    fireEvent.click(within(dialog).getByRole('button', { name: 'Merge' }))
    await waitFor(() =>
      expect(calls.find((c) => c.path.endsWith('/merge'))?.body).toEqual({ other_id: 'c2' }),
    )
  })
})
