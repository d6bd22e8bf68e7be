import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact'
import { Inbox, readHash } from '../../console/src/pages/inbox/inbox'
import { SessionView } from '../../console/src/pages/inbox/session-view'
import { fakeFetch, message, openStream, session, summary } from './fake-api'

/** The inbox on messaging channels: each row's channel, the channel filter, the platform user, delivery states. */
const noop = () => {}

const telegramRow = summary({
  id: 's1',
  channel: 'telegram',
  external_user: { id: '4242', name: 'Marie Curie', phone: null, handle: '@mcurie' },
  customer_context: { channel: 'telegram', name: 'Marie Curie' },
})
const widgetRow = summary({ id: 's2', visitor_id: 'v_abcdef99', channel: 'widget' })

describe('inbox on messaging channels', () => {
  beforeEach(() => {
    history.replaceState(null, '', '/console/')
    localStorage.clear()
  })
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it("shows each conversation's channel and filters by channel through the API and the hash", async () => {
    const events = openStream()
    const calls = fakeFetch(({ path }) => {
      if (path === '/v1/tenants/t1/events') return { stream: events.stream }
      if (path.startsWith('/v1/tenants/t1/sessions')) {
        const channel = new URLSearchParams(path.split('?')[1] ?? '').get('channel')
        return {
          body: {
            sessions: [telegramRow, widgetRow].filter(
              (s) => !channel || (s as { channel?: string }).channel === channel,
            ),
          },
        }
      }
      if (path === '/v1/tenants/t1/canned-replies') return { body: { canned_replies: [] } }
      return undefined
    })
    render(<Inbox tenantId="t1" userId="u1" onUnauthorized={noop} onLive={noop} members={[]} />)
    const row = await screen.findByRole('button', { name: /Marie Curie/ })
    expect(row.textContent).toContain('Telegram')
    expect(row.querySelector('[data-channel="telegram"]')).not.toBeNull()
    expect(
      screen.getByRole('button', { name: /Visitor abcdef99/ }).querySelector('[data-channel="widget"]'),
    ).not.toBeNull()

    const filter = screen.getByRole('combobox', { name: 'Channel' }) as HTMLSelectElement
    expect([...filter.options].map((o) => o.textContent)).toEqual([
      'Any',
      'Widget',
      'Telegram',
      'WhatsApp',
      'Messenger',
      'Instagram',
    ])
    fireEvent.change(filter, { target: { value: 'telegram' } })
    await waitFor(() => expect(calls.at(-1)!.path).toBe('/v1/tenants/t1/sessions?channel=telegram'))
    await waitFor(() => expect(screen.queryByRole('button', { name: /Visitor abcdef99/ })).toBeNull())
    expect(location.hash).toBe('#/?channel=telegram')
    expect(readHash('#/?channel=whatsapp').filters.channel).toBe('whatsapp')
    expect(readHash('#/?channel=fax').filters.channel).toBeUndefined()
  })

  it('shows the platform user, delivery states compactly and the reason a reply was not delivered', async () => {
    const recent = new Date(Date.now() - 3600_000).toISOString()
    fakeFetch(({ path }) =>
      path === '/v1/tenants/t1/sessions/s1'
        ? {
            body: {
              session: {
                ...session,
                channel: 'whatsapp',
                external_user: { id: '33612345678', name: 'Ana Souza', phone: '+33612345678', handle: null },
                customer_context: { channel: 'whatsapp', name: 'Ana Souza', phone: '+33612345678' },
              },
              messages: [
                message({ seq: 1, content: 'Bonjour', created_at: recent }),
                message({
                  seq: 2,
                  message_type: 'ai',
                  content: 'Bonjour !',
                  delivery: { status: 'read' },
                  created_at: recent,
                }),
                message({
                  seq: 3,
                  message_type: 'agent',
                  agent: { id: 'u1', name: 'Alice' },
                  content: 'Je regarde.',
                  created_at: recent,
                  delivery: {
                    status: 'failed',
                    error: 'HTTP 400: Recipient phone number not in allowed list',
                  },
                }),
              ],
            },
          }
        : undefined,
    )
    render(
      <SessionView tenantId="t1" sessionId="s1" userId="u1" reloadKey={0} onChanged={noop} onBack={noop} />,
    )
    expect(await screen.findByRole('heading', { name: 'Ana Souza' })).toBeTruthy()
    const details = screen.getByRole('complementary', { name: 'Session details' })
    expect(details.textContent).toContain('+33612345678')
    expect(details.textContent).toContain('WhatsApp id33612345678')
    // The context repeats the platform's name and phone: shown once, not as a "claimed" name.
    expect(details.textContent).not.toContain('claimed')
    const items = screen.getAllByRole('listitem').filter((li) => li.classList.contains('msg'))
    expect(items[1]!.querySelector('[data-delivery]')!.textContent).toContain('Read')
    expect(items[2]!.querySelector('[data-delivery]')!.textContent).toContain('Not delivered')
    expect(items[2]!.textContent).toContain('Recipient phone number not in allowed list')
    // The customer wrote an hour ago: no window warning.
    expect(screen.queryByTestId('window-closed')).toBeNull()
  })

  it("says WhatsApp's 24-hour window is closed, and after a 422 whatsapp_window_closed", async () => {
    const old = new Date(Date.now() - 30 * 3600_000).toISOString()
    const recent = new Date(Date.now() - 60_000).toISOString()
    let last = old
    const calls = fakeFetch(({ path, method, body }) => {
      if (path === '/v1/tenants/t1/sessions/s1')
        return {
          body: {
            session: { ...session, channel: 'whatsapp' },
            messages: [message({ seq: 1, content: 'Bonjour', created_at: last })],
          },
        }
      if (path === '/v1/tenants/t1/sessions/s1/messages' && method === 'POST' && (body as any).template)
        return {
          status: 201,
          body: {
            message: message({ seq: 2, message_type: 'agent', content: '[template order_update (pt_BR)]' }),
          },
        }
      if (path === '/v1/tenants/t1/sessions/s1/messages' && method === 'POST')
        return {
          status: 422,
          body: { error: { code: 'whatsapp_window_closed', message: 'A template is needed.' } },
        }
      return undefined
    })
    const { unmount } = render(
      <SessionView tenantId="t1" sessionId="s1" userId="u1" reloadKey={0} onChanged={noop} onBack={noop} />,
    )
    expect((await screen.findByTestId('window-closed')).textContent).toContain('24-hour window is closed')
    // An approved template goes out instead: its name and language to the API.
    const form = screen.getByRole('form', { name: 'Send a WhatsApp template' })
    fireEvent.input(within(form).getByLabelText('Template name'), { target: { value: 'order_update' } })
    fireEvent.input(within(form).getByLabelText('Language'), { target: { value: 'pt_BR' } })
    fireEvent.click(within(form).getByRole('button', { name: 'Send template' }))
    await screen.findByText('[template order_update (pt_BR)]')
    expect(calls.find((c) => c.method === 'POST')!.body).toEqual({
      template: { name: 'order_update', language: 'pt_BR' },
    })
    unmount()

    // Open by the messages' times, but the API says closed (the clock moved on): the composer says so.
    last = recent
    render(
      <SessionView tenantId="t1" sessionId="s1" userId="u1" reloadKey={0} onChanged={noop} onBack={noop} />,
    )
    await screen.findByText('Bonjour')
    expect(screen.queryByTestId('window-closed')).toBeNull()
    fireEvent.input(screen.getByRole('textbox', { name: 'Reply' }), { target: { value: 'Hello again' } })
    fireEvent.click(screen.getByRole('button', { name: /^Send/ }))
    await screen.findByTestId('window-closed')
    expect(screen.getByRole('alert').textContent).toContain('A template is needed.')
  })

  it("follows the live stream: the customer's new message opens WhatsApp's window again, without a reload", async () => {
    history.replaceState(null, '', '/console/#/sessions/s1')
    const events = openStream()
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString()
    const whatsappRow = summary({ id: 's1', channel: 'whatsapp' })
    let messages = [message({ seq: 1, content: 'Olá', created_at: ago(30 * 3600_000) })]
    let refuse = false
    const calls = fakeFetch(({ path, method }) => {
      if (path === '/v1/tenants/t1/events') return { stream: events.stream }
      if (path === '/v1/tenants/t1/sessions/s1')
        return { body: { session: { ...session, channel: 'whatsapp' }, messages } }
      if (path === '/v1/tenants/t1/sessions/s1/messages' && method === 'POST')
        return refuse
          ? {
              status: 422,
              body: { error: { code: 'whatsapp_window_closed', message: 'A template is needed.' } },
            }
          : { status: 201, body: { message: message({ seq: 9, message_type: 'agent', content: 'Sent' }) } }
      if (path.startsWith('/v1/tenants/t1/sessions')) return { body: { sessions: [whatsappRow] } }
      if (path === '/v1/tenants/t1/canned-replies') return { body: { canned_replies: [] } }
      return undefined
    })
    render(<Inbox tenantId="t1" userId="u1" onUnauthorized={noop} onLive={noop} members={[]} />)
    await screen.findByTestId('window-closed')
    await waitFor(() => expect(calls.some((c) => c.path === '/v1/tenants/t1/events')).toBe(true))
    const customerWrites = (seq: number, content: string) => {
      messages = [...messages, message({ seq, content, created_at: ago(1000) })]
      events.send(
        `event: session\ndata: ${JSON.stringify({ session_id: 's1', reason: 'message', session: { ...whatsappRow, last_message: { message_type: 'user', content, created_at: ago(1000) } } })}\n\n`,
      )
    }

    // Closed by time; the customer writes: open again.
    customerWrites(2, 'Ainda está aí?')
    await screen.findByText('Ainda está aí?')
    await waitFor(() => expect(screen.queryByTestId('window-closed')).toBeNull())

    // The API refuses a reply (its clock says closed): closed until the customer writes again.
    refuse = true
    fireEvent.input(screen.getByRole('textbox', { name: 'Reply' }), { target: { value: 'Sim!' } })
    fireEvent.click(screen.getByRole('button', { name: /^Send/ }))
    await screen.findByTestId('window-closed')
    refuse = false
    customerWrites(3, 'Obrigado')
    await screen.findByText('Obrigado')
    await waitFor(() => expect(screen.queryByTestId('window-closed')).toBeNull())
  })

  it("closes WhatsApp's window the moment 24 hours have passed, with the conversation open", async () => {
    const closesSoon = new Date(Date.now() - 24 * 3600_000 + 1200).toISOString()
    fakeFetch(({ path }) =>
      path === '/v1/tenants/t1/sessions/s1'
        ? {
            body: {
              session: { ...session, channel: 'whatsapp' },
              messages: [message({ seq: 1, content: 'Bonjour', created_at: closesSoon })],
            },
          }
        : undefined,
    )
    render(
      <SessionView tenantId="t1" sessionId="s1" userId="u1" reloadKey={0} onChanged={noop} onBack={noop} />,
    )
    await screen.findByText('Bonjour')
    expect(screen.queryByTestId('window-closed')).toBeNull()
    expect((await screen.findByTestId('window-closed', {}, { timeout: 5000 })).textContent).toContain(
      '24-hour window is closed',
    )
  })
})
