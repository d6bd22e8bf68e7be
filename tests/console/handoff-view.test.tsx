import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { SessionView } from '../../console/src/pages/inbox/session-view'
import { cannedReplies, escalation, fakeFetch, members, message, session } from './fake-api'

const noop = () => {}

const escalated = {
  ...session,
  priority: 4,
  customer_context: {
    name: 'Jeanne Martin',
    email: 'jeanne@example.fr',
    page_url: 'https://ma-boutique.example/commande/123',
    locale: 'fr-FR',
    attributes: { plan: 'free' },
  },
  ai_context: { language: 'fr', sentiment: 'negative', intent: 'refund', summary: null },
}

function renderView(props: Partial<Parameters<typeof SessionView>[0]> = {}) {
  return render(
    <SessionView
      tenantId="t1"
      sessionId="s1"
      userId="u1"
      reloadKey={0}
      onChanged={noop}
      onBack={noop}
      members={members as never}
      canned={cannedReplies}
      {...props}
    />,
  )
}

/** Answers the detail route with the escalated session and its escalation, and records the rest. */
function api(
  extra: (req: {
    path: string
    method: string
    body: unknown
  }) => { status?: number; body?: unknown } | undefined = () => undefined,
) {
  return fakeFetch((req) => {
    if (req.path === '/v1/tenants/t1/sessions/s1' && req.method === 'GET')
      return {
        body: {
          session: escalated,
          escalation,
          link_domains: ['ma-boutique.example'],
          messages: [
            message({ seq: 1, content: "je veux parler à un humain, c'est pour un remboursement" }),
            message({
              seq: 2,
              message_type: 'agent',
              content: 'Client fidèle.',
              private: true,
              agent: { id: 'u2', name: 'Bruno' },
            }),
          ],
        },
      }
    if (req.path.endsWith('/typing')) return { status: 204 }
    return extra(req)
  })
}

describe('console escalated session', () => {
  afterEach(async () => {
    cleanup()
    vi.useRealTimers()
    // Let the unmounted reply box send its last `typing: false` to this test's fake, not the next one's.
    await new Promise((r) => setTimeout(r, 50))
    vi.unstubAllGlobals()
  })

  it('shows the reason, the AI summary, the customer context and the trace as a tree', async () => {
    api()
    renderView()
    const panel = await screen.findByRole('complementary', { name: 'Session details' })
    expect(panel.textContent).toContain(escalation.reason)
    expect(panel.textContent).toContain('Waiting for an agent')
    expect(panel.textContent).toContain(escalation.ai_summary)
    expect(panel.textContent).toContain('jeanne@example.fr')
    expect(
      within(panel)
        .getByRole('link', { name: /commande\/123/ })
        .getAttribute('href'),
    ).toBe('https://ma-boutique.example/commande/123')
    expect(panel.textContent).toContain('plan')
    // The header flags the priority.
    expect(screen.getAllByText('Priority 4 of 5 (high)').length).toBeGreaterThan(0)

    // Every rule tried is listed; the fired one is highlighted and open, the other closed.
    const rules = panel.querySelectorAll('.trace-rule')
    expect(rules).toHaveLength(2)
    const [vip, refund] = [...rules]
    expect(refund.classList.contains('trace-fired')).toBe(true)
    expect(refund.querySelector('details')!.open).toBe(true)
    expect(vip.classList.contains('trace-fired')).toBe(false)
    expect(vip.querySelector('details')!.open).toBe(false)
    expect(refund.textContent).toContain('Fired')
    expect(vip.textContent).toContain('Not fired')

    // Keywords and each condition carry a mark (✓ ✗ ?) with a spoken verdict, and their detail.
    expect(refund.textContent).toContain('matched "remboursement"')
    const leaf = (root: Element, text: string) =>
      [...root.querySelectorAll('li.cond')].find(
        (li) => li.textContent!.includes(text) && !li.querySelector('li'),
      )!
    const human = leaf(refund, 'parler à un humain')
    expect(human.querySelector('.verdict')!.textContent).toBe('✓passed:')
    expect(human.textContent).toContain('human requested')
    expect(leaf(refund, 'visitor messages 1 not >= 3').querySelector('.verdict')!.textContent).toBe(
      '✗failed:',
    )
    expect(leaf(vip, 'sentiment unknown: no triage').querySelector('.verdict')!.textContent).toBe('?unknown:')
    // Groups are nested lists named by their operator.
    expect(within(refund as HTMLElement).getByRole('list', { name: 'Any of' })).toBeTruthy()
    expect(within(vip as HTMLElement).getByRole('list', { name: 'All of' })).toBeTruthy()
  })

  it('labels a private note "Private note" and styles it apart from replies', async () => {
    api()
    renderView()
    const note = (await screen.findByText('Client fidèle.')).closest('li')!
    expect(note.classList.contains('msg-note')).toBe(true)
    expect(within(note).getByText('Private note')).toBeTruthy()
    const visitor = screen.getByText(/je veux parler à un humain/).closest('li')!
    expect(visitor.textContent).not.toContain('Private note')
  })

  it('transfers to an online member only', async () => {
    let changed = 0
    const calls = api(({ path, method }) =>
      path.endsWith('/assign') && method === 'POST'
        ? { body: { session: { ...escalated, assignee: { id: 'u2', name: 'Bruno' } } } }
        : undefined,
    )
    const refresh = vi.fn()
    renderView({ onChanged: () => changed++, onRefreshMembers: refresh })
    fireEvent.click(await screen.findByRole('button', { name: 'Transfer' }))
    expect(refresh).toHaveBeenCalled()
    const select = screen.getByRole('combobox', { name: 'Transfer to' }) as HTMLSelectElement
    const options = [...select.options].map((o) => o.textContent)
    // Me (Alice) and the away member (Chloé) are not offered.
    expect(options).toEqual(['Choose an online agent…', 'Bruno'])
    fireEvent.change(select, { target: { value: 'u2' } })
    fireEvent.click(
      within(document.getElementById('transfer-panel')!).getByRole('button', { name: 'Transfer' }),
    )
    await waitFor(() => expect(screen.getByText('Assigned to Bruno')).toBeTruthy())
    expect(calls.find((c) => c.path.endsWith('/assign'))).toMatchObject({
      method: 'POST',
      body: { assignee_id: 'u2' },
    })
    expect(changed).toBe(1)
    expect(document.getElementById('transfer-panel')).toBeNull()
  })

  it('suggests canned replies after "/" and inserts the chosen one with the keyboard', async () => {
    const calls = api()
    renderView()
    const box = (await screen.findByRole('textbox', { name: 'Reply' })) as HTMLTextAreaElement
    box.value = 'Merci. /re'
    box.setSelectionRange(10, 10)
    fireEvent.input(box)
    const list = screen.getByRole('listbox', { name: 'Canned replies' })
    const options = within(list).getAllByRole('option')
    // Shortcuts starting with "re" first (refund, return), then titles containing it (Greeting).
    expect(options.map((o) => o.querySelector('.suggest-key')!.textContent)).toEqual([
      '/refund',
      '/return',
      '/hello',
    ])
    expect(options[0].getAttribute('aria-selected')).toBe('true')
    expect(box.getAttribute('aria-activedescendant')).toBe(options[0].id)
    fireEvent.keyDown(box, { key: 'ArrowDown' })
    expect(within(list).getAllByRole('option')[1].getAttribute('aria-selected')).toBe('true')
    fireEvent.keyDown(box, { key: 'Enter' })
    await waitFor(() => expect(box.value).toBe('Merci. Voici votre étiquette de retour.'))
    expect(screen.queryByRole('listbox')).toBeNull()
    // Enter chose a reply; it did not send anything.
    expect(calls.filter((c) => c.path.endsWith('/messages'))).toHaveLength(0)
  })

  it('Escape dismisses the suggestions; the button lists every canned reply', async () => {
    api()
    renderView()
    const box = (await screen.findByRole('textbox', { name: 'Reply' })) as HTMLTextAreaElement
    fireEvent.input(box, { target: { value: '/' } })
    expect(within(screen.getByRole('listbox')).getAllByRole('option')).toHaveLength(3)
    fireEvent.keyDown(box, { key: 'Escape' })
    expect(screen.queryByRole('listbox')).toBeNull()
    fireEvent.input(box, { target: { value: '' } })

    fireEvent.click(screen.getByRole('button', { name: 'Canned replies' }))
    const dialog = screen.getByRole('dialog', { name: 'Canned replies' })
    const items = within(dialog)
      .getAllByRole('button')
      .filter((b) => b.classList.contains('canned-item'))
    expect(items).toHaveLength(3)
    await waitFor(() => expect(document.activeElement).toBe(items[0]))
    fireEvent.click(items[0])
    await waitFor(() => expect(box.value).toBe(cannedReplies[0].content))
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('sends typing notifications, throttled, stopped on send, never for private notes', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const calls = api(({ path }) =>
      path.endsWith('/messages')
        ? {
            status: 201,
            body: { message: message({ id: 'm9', seq: 3, message_type: 'agent', content: 'ok' }) },
          }
        : undefined,
    )
    renderView()
    const box = (await screen.findByRole('textbox', { name: 'Reply' })) as HTMLTextAreaElement
    const typing = () =>
      calls.filter((c) => c.path.endsWith('/typing')).map((c) => (c.body as { typing: boolean }).typing)

    fireEvent.input(box, { target: { value: 'B' } })
    fireEvent.input(box, { target: { value: 'Bo' } })
    fireEvent.input(box, { target: { value: 'Bon' } })
    expect(typing()).toEqual([true])
    vi.advanceTimersByTime(2100)
    fireEvent.input(box, { target: { value: 'Bonj' } })
    expect(typing()).toEqual([true, true])
    // 3 s without a keystroke: false, once.
    vi.advanceTimersByTime(3100)
    expect(typing()).toEqual([true, true, false])

    fireEvent.input(box, { target: { value: 'Bonjour' } })
    fireEvent.keyDown(box, { key: 'Enter' })
    expect(typing()).toEqual([true, true, false, true, false])
    await waitFor(() => expect(calls.some((c) => c.path.endsWith('/messages'))).toBe(true))

    // A private note says nothing to the visitor.
    fireEvent.click(screen.getByRole('checkbox', { name: 'Private note' }))
    fireEvent.input(box, { target: { value: 'note interne' } })
    vi.advanceTimersByTime(5000)
    expect(typing()).toEqual([true, true, false, true, false])
  })

  it('shows "Visitor is typing…" while the visitor types', async () => {
    api()
    const view = renderView({ visitorTyping: false })
    const status = await screen.findByRole('status')
    expect(status.textContent).toBe('')
    view.rerender(
      <SessionView
        tenantId="t1"
        sessionId="s1"
        userId="u1"
        reloadKey={0}
        onChanged={noop}
        onBack={noop}
        visitorTyping
      />,
    )
    expect(screen.getByRole('status').textContent).toContain('Visitor is typing…')
  })
})
