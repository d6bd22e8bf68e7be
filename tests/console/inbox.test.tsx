import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { App } from '../../console/src/app'
import { Inbox, readHash, upsertSession, writeHash } from '../../console/src/pages/inbox/inbox'
import { createTypingNotifier } from '../../contract/typing'
import { escalation, fakeFetch, members, openStream, summary } from './fake-api'

const noop = () => {}

const escalatedRow = summary({
  id: 's1',
  status: 'escalated',
  priority: 4,
  escalation: { ...escalation, trace: undefined },
  last_message: {
    message_type: 'user',
    content: "c'est pour un remboursement",
    created_at: '2026-01-10T10:05:00.000Z',
  },
})
const activeRow = summary({
  id: 's2',
  visitor_id: 'v_abcdef99',
  status: 'active',
  last_message_at: '2026-01-10T09:00:00.000Z',
  last_message: {
    message_type: 'ai',
    content: 'Livraison en 2 à 4 jours.',
    created_at: '2026-01-10T09:00:00.000Z',
  },
})

describe('console inbox queue', () => {
  beforeEach(() => {
    history.replaceState(null, '', '/console/')
    localStorage.clear()
    sessionStorage.clear()
  })
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it('flags escalated rows with priority and reason; filters go to the API and the URL hash', async () => {
    const events = openStream()
    const calls = fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/events') return { stream: events.stream }
      if (path.startsWith('/v1/tenants/t1/sessions?') || path === '/v1/tenants/t1/sessions') {
        const q = new URLSearchParams(path.split('?')[1] ?? '')
        const rows = [escalatedRow, activeRow].filter((s) => !q.get('status') || s.status === q.get('status'))
        return { body: { sessions: rows } }
      }
      if (path === '/v1/tenants/t1/canned-replies') return { body: { canned_replies: [] } }
      return undefined
    })
    render(<Inbox tenantId="t1" userId="u1" onUnauthorized={noop} onLive={noop} members={members as never} />)
    const row = await screen.findByRole('button', { name: /Visitor 12345678/ })
    expect(row.classList.contains('row-escalated')).toBe(true)
    expect(row.textContent).toContain('Priority 4 of 5 (high)')
    expect(row.textContent).toContain(escalation.reason)
    expect(row.textContent).toContain('Unassigned')
    expect(screen.getByRole('button', { name: /Visitor abcdef99/ }).textContent).not.toContain('Priority')

    fireEvent.click(screen.getByRole('button', { name: 'Escalated' }))
    await waitFor(() => expect(screen.queryByRole('button', { name: /Visitor abcdef99/ })).toBeNull())
    fireEvent.change(screen.getByRole('combobox', { name: 'Priority' }), { target: { value: '4' } })
    const assignee = screen.getByRole('combobox', { name: 'Assignee' }) as HTMLSelectElement
    // Mine and Unassigned first, then the other members.
    expect([...assignee.options].map((o) => o.textContent)).toEqual([
      'Anyone',
      'Mine',
      'Unassigned',
      'Bruno',
      'Chloé',
    ])
    fireEvent.change(assignee, { target: { value: 'none' } })
    await waitFor(() =>
      expect(calls.at(-1)!.path).toBe('/v1/tenants/t1/sessions?status=escalated&priority=4&assignee=none'),
    )
    expect(location.hash).toBe('#/?status=escalated&priority=4&assignee=none')

    // Opening a session keeps the filters in the hash.
    fireEvent.click(await screen.findByRole('button', { name: /Visitor 12345678/ }))
    expect(location.hash).toBe('#/sessions/s1?status=escalated&priority=4&assignee=none')
  })

  it('updates the one changed row from the event stream, without refetching the list', async () => {
    history.replaceState(null, '', '/console/#/?status=escalated')
    const events = openStream()
    const calls = fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/events') return { stream: events.stream }
      if (path.startsWith('/v1/tenants/t1/sessions')) return { body: { sessions: [escalatedRow] } }
      return undefined
    })
    render(<Inbox tenantId="t1" userId="u1" onUnauthorized={noop} onLive={noop} members={members as never} />)
    await screen.findByRole('button', { name: /Visitor 12345678/ })
    expect(calls.find((c) => c.path.startsWith('/v1/tenants/t1/sessions'))!.path).toBe(
      '/v1/tenants/t1/sessions?status=escalated',
    )
    await waitFor(() => expect(calls.some((c) => c.path === '/v1/tenants/t1/events')).toBe(true))
    const listCalls = () => calls.filter((c) => c.path.startsWith('/v1/tenants/t1/sessions')).length
    const before = listCalls()

    // A new escalation arrives live: it goes on top, flagged.
    const fresh = summary({
      id: 's3',
      visitor_id: 'v_newvisit',
      status: 'escalated',
      priority: 5,
      last_message_at: '2026-01-10T11:00:00.000Z',
      escalation: { ...escalation, id: 'e3', priority: 5, reason: 'Rule "Urgent" (priority 5) fired' },
      last_message: { message_type: 'user', content: 'URGENT', created_at: '2026-01-10T11:00:00.000Z' },
    })
    events.send(
      `event: session\ndata: ${JSON.stringify({ session_id: 's3', reason: 'status', session: fresh })}\n\n`,
    )
    await screen.findByRole('button', { name: /Visitor newvisit/ })
    const rows = screen.getAllByRole('listitem').map((li) => li.textContent)
    expect(rows[0]).toContain('Rule "Urgent" (priority 5) fired')
    expect(rows[0]).toContain('Priority 5 of 5 (urgent)')

    // The visitor types: the row says so; then stops.
    events.send('event: typing\ndata: {"session_id":"s1","from":"visitor","typing":true}\n\n')
    await waitFor(() =>
      expect(screen.getByRole('button', { name: /Visitor 12345678/ }).textContent).toContain(
        'Visitor is typing…',
      ),
    )
    events.send('event: typing\ndata: {"session_id":"s1","from":"visitor","typing":false}\n\n')
    await waitFor(() =>
      expect(screen.getByRole('button', { name: /Visitor 12345678/ }).textContent).not.toContain('typing'),
    )

    // Resolved elsewhere: it leaves the escalated queue.
    events.send(
      `event: session\ndata: ${JSON.stringify({ session_id: 's1', reason: 'status', session: { ...escalatedRow, status: 'resolved' } })}\n\n`,
    )
    await waitFor(() => expect(screen.queryByRole('button', { name: /Visitor 12345678/ })).toBeNull())
    await new Promise((r) => setTimeout(r, 300))
    expect(listCalls()).toBe(before)
  })

  it('shows the visitor typing in the open conversation', async () => {
    history.replaceState(null, '', '/console/#/sessions/s1')
    const events = openStream()
    fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/events') return { stream: events.stream }
      if (path === '/v1/tenants/t1/sessions/s1')
        return { body: { session: escalatedRow, messages: [], escalation } }
      if (path.startsWith('/v1/tenants/t1/sessions')) return { body: { sessions: [escalatedRow] } }
      return undefined
    })
    render(<Inbox tenantId="t1" userId="u1" onUnauthorized={noop} onLive={noop} members={members as never} />)
    await screen.findByRole('textbox', { name: 'Reply' })
    events.send('event: typing\ndata: {"session_id":"s1","from":"visitor","typing":true}\n\n')
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('Visitor is typing…'))
  })

  it('creates, edits and deletes canned replies from the reply box', async () => {
    history.replaceState(null, '', '/console/#/sessions/s1')
    let canned = [{ id: 'c1', shortcut: 'hello', title: 'Greeting', content: 'Bonjour !' }]
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/tenants/t1/events') return { stream: openStream().stream }
      if (path === '/v1/tenants/t1/sessions/s1')
        return { body: { session: escalatedRow, messages: [], escalation } }
      if (path.startsWith('/v1/tenants/t1/sessions')) return { body: { sessions: [escalatedRow] } }
      if (path === '/v1/tenants/t1/canned-replies' && method === 'GET')
        return { body: { canned_replies: canned } }
      if (path === '/v1/tenants/t1/canned-replies' && method === 'POST') {
        const reply = { id: 'c2', ...(body as object) } as (typeof canned)[0]
        canned = [...canned, reply]
        return { status: 201, body: { canned_reply: reply } }
      }
      if (path === '/v1/tenants/t1/canned-replies/c2' && method === 'PATCH') {
        const patch = body as { shortcut: string }
        if (patch.shortcut === 'hello')
          return {
            status: 409,
            body: { error: { code: 'conflict', message: 'shortcut: /hello already exists' } },
          }
        const reply = { ...canned.find((c) => c.id === 'c2')!, ...(body as object) }
        canned = canned.map((c) => (c.id === 'c2' ? reply : c))
        return { body: { canned_reply: reply } }
      }
      if (path === '/v1/tenants/t1/canned-replies/c1' && method === 'DELETE') return { status: 204 }
      return undefined
    })
    render(<Inbox tenantId="t1" userId="u1" onUnauthorized={noop} onLive={noop} members={members as never} />)
    await screen.findByRole('textbox', { name: 'Reply' })
    fireEvent.click(screen.getByRole('button', { name: 'Canned replies' }))
    const dialog = await screen.findByRole('dialog', { name: 'Canned replies' })
    await within(dialog).findByText('/hello')
    fireEvent.click(within(dialog).getByRole('button', { name: '+ New canned reply' }))
    const form = within(dialog).getByRole('group', { name: 'New canned reply' })
    fireEvent.input(within(form).getByRole('textbox', { name: 'Shortcut' }), { target: { value: 'Refund' } })
    fireEvent.input(within(form).getByRole('textbox', { name: 'Title' }), {
      target: { value: 'Refund delay' },
    })
    fireEvent.input(within(form).getByRole('textbox', { name: 'Text' }), {
      target: { value: 'Sous 5 jours.' },
    })
    fireEvent.click(within(form).getByRole('button', { name: 'Save' }))
    await within(dialog).findByText('/refund')
    expect(calls.find((c) => c.method === 'POST' && c.path.endsWith('/canned-replies'))!.body).toEqual({
      shortcut: 'refund',
      title: 'Refund delay',
      content: 'Sous 5 jours.',
    })

    // Edit: a clashing shortcut is refused in place; a new text is saved and shown.
    fireEvent.click(within(dialog).getByRole('button', { name: 'Edit canned reply /refund' }))
    const edit = within(dialog).getByRole('group', { name: 'Edit canned reply /refund' })
    expect((within(edit).getByRole('textbox', { name: 'Text' }) as HTMLTextAreaElement).value).toBe(
      'Sous 5 jours.',
    )
    fireEvent.input(within(edit).getByRole('textbox', { name: 'Shortcut' }), { target: { value: 'hello' } })
    fireEvent.click(within(edit).getByRole('button', { name: 'Save' }))
    expect((await within(edit).findByRole('alert')).textContent).toBe('shortcut: /hello already exists')
    fireEvent.input(within(edit).getByRole('textbox', { name: 'Shortcut' }), { target: { value: 'refund' } })
    fireEvent.input(within(edit).getByRole('textbox', { name: 'Text' }), {
      target: { value: 'Sous 3 jours.' },
    })
    fireEvent.click(within(edit).getByRole('button', { name: 'Save' }))
    await within(dialog).findByText('Sous 3 jours.')
    expect(within(dialog).queryByRole('group', { name: 'Edit canned reply /refund' })).toBeNull()
    expect(calls.filter((c) => c.method === 'PATCH').at(-1)!.body).toEqual({
      shortcut: 'refund',
      title: 'Refund delay',
      content: 'Sous 3 jours.',
    })

    fireEvent.click(within(dialog).getByRole('button', { name: 'Delete canned reply /hello' }))
    await waitFor(() => expect(within(dialog).queryByText('/hello')).toBeNull())
    expect(calls.some((c) => c.method === 'DELETE' && c.path === '/v1/tenants/t1/canned-replies/c1')).toBe(
      true,
    )
  })

  it('sets the agent availability from the header', async () => {
    sessionStorage.setItem('parley.console.token', 'jwt')
    let availability = 'online'
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/me')
        return {
          body: {
            user: { id: 'u1', email: 'alice@demo.local', name: 'Alice' },
            memberships: [
              { tenant_id: 't1', role: 'agent', tenant: { id: 't1', name: 'Ma Boutique', slug: 'mb' } },
            ],
          },
        }
      if (path === '/v1/tenants/t1/members')
        return { body: { members: members.map((m) => (m.user_id === 'u1' ? { ...m, availability } : m)) } }
      if (path === '/v1/tenants/t1/members/me' && method === 'PATCH') {
        availability = (body as { availability: string }).availability
        return {
          body: {
            member: { user_id: 'u1', display_name: 'Alice', role: 'agent', availability, capacity: 5 },
          },
        }
      }
      if (path.startsWith('/v1/tenants/t1/sessions')) return { body: { sessions: [] } }
      return undefined
    })
    render(<App />)
    const select = (await screen.findByRole('combobox', { name: 'Availability' })) as HTMLSelectElement
    await waitFor(() => expect(select.value).toBe('online'))
    fireEvent.change(select, { target: { value: 'away' } })
    await waitFor(() => expect(calls.some((c) => c.method === 'PATCH')).toBe(true))
    expect(calls.find((c) => c.method === 'PATCH')).toMatchObject({
      path: '/v1/tenants/t1/members/me',
      body: { availability: 'away' },
    })
    await waitFor(() => expect(select.value).toBe('away'))
    expect(select.closest('label')!.classList.contains('avail-away')).toBe(true)
  })
})

describe('console inbox helpers', () => {
  it('reads and writes the hash, ignoring junk filters', () => {
    expect(readHash('#/sessions/abc?status=escalated&priority=5&assignee=me')).toEqual({
      selectedId: 'abc',
      filters: { status: 'escalated', priority: 5, assignee: 'me' },
    })
    expect(readHash('#/?status=nope&priority=9&assignee=<script>')).toEqual({ selectedId: null, filters: {} })
    expect(readHash('')).toEqual({ selectedId: null, filters: {} })
    expect(writeHash(null, {})).toBe('')
    expect(writeHash('a b', { assignee: 'none' })).toBe('#/sessions/a%20b?assignee=none')
  })

  it('upserts in queue order (escalated, most urgent, newest) and drops sessions that leave the filters', () => {
    const a = summary({ id: 'a', status: 'active', last_message_at: '2026-01-10T10:00:00Z' })
    const b = summary({ id: 'b', status: 'active', last_message_at: '2026-01-10T09:00:00Z' })
    const bNew = { ...b, last_message_at: '2026-01-10T11:00:00Z' }
    expect(upsertSession([a, b] as never, bNew as never, {}, 'u1').map((s) => s.id)).toEqual(['b', 'a'])
    const p2 = summary({
      id: 'p2',
      status: 'escalated',
      priority: 2,
      last_message_at: '2026-01-10T12:00:00Z',
    })
    const p5 = summary({
      id: 'p5',
      status: 'escalated',
      priority: 5,
      last_message_at: '2026-01-10T08:00:00Z',
    })
    const queue = upsertSession(upsertSession([a, b] as never, p2 as never, {}, 'u1'), p5 as never, {}, 'u1')
    expect(queue.map((s) => s.id)).toEqual(['p5', 'p2', 'a', 'b'])
    const mine = { ...a, assignee: { id: 'u2', name: 'Bruno' } }
    expect(upsertSession([a, b] as never, mine as never, { assignee: 'me' }, 'u1').map((s) => s.id)).toEqual([
      'b',
    ])
    expect(
      upsertSession([b] as never, { ...a, priority: 3 } as never, { priority: 3 }, 'u1').map((s) => s.id),
    ).toEqual(['a', 'b'])
  })

  it('throttles typing notifications: true at most every 2 s, false after 3 s idle or on stop', () => {
    vi.useFakeTimers()
    try {
      const sent: boolean[] = []
      const n = createTypingNotifier((v) => void sent.push(v))
      n.keystroke()
      vi.advanceTimersByTime(1000)
      n.keystroke()
      expect(sent).toEqual([true])
      vi.advanceTimersByTime(1000)
      n.keystroke()
      expect(sent).toEqual([true, true])
      vi.advanceTimersByTime(2999)
      expect(sent).toEqual([true, true])
      vi.advanceTimersByTime(1)
      expect(sent).toEqual([true, true, false])
      n.stop()
      expect(sent).toEqual([true, true, false])
      n.keystroke()
      n.stop()
      expect(sent).toEqual([true, true, false, true, false])
    } finally {
      vi.useRealTimers()
    }
  })
})
