/**
 * Off-site links in the widget (issue 14, class 10): the renderer refuses a link in a bot answer to
 * a host outside the config's link_domains, even in an answer stored before the server's rule, and
 * lists such a source without a link. The API side: tests/security/offsite-links.test.ts.
 */
import { cleanup, render, screen } from '@testing-library/preact'
import { afterEach, describe, expect, it } from 'vitest'
import { ChatApp } from '../../widget/src/chat/chat-app'
import { ChatStore } from '../../widget/src/chat/chat-store'
import { Markdown } from '../../widget/src/chat/markdown'
import { API, SID, TOKEN, config, fakeFetch, json, memoryStorage, msg, session, sseStream } from './fake-api'

const stores: ChatStore[] = []
afterEach(() => {
  for (const s of stores.splice(0)) s.destroy()
  cleanup()
})

const DOMAINS = ['shop.test']
const hrefs = (c: Element) => Array.from(c.querySelectorAll('a')).map((a) => a.getAttribute('href'))

describe('the markdown renderer with link_domains', () => {
  it.each([
    ['[a](https://shop.test/x)', 'https://shop.test/x'],
    ['[a](https://help.shop.test/x)', 'https://help.shop.test/x'],
    ['[a](HTTPS://SHOP.TEST./x)', 'https://shop.test./x'],
    ['https://help.shop.test/x', 'https://help.shop.test/x'],
    ['[a](mailto:help@shop.test)', 'mailto:help@shop.test'],
    ['[log in](https://evil.test/login)', null],
    ['https://evil.test/login', null],
    ['[a](https://shop.test.evil.test/)', null],
    ['[a](https://evilshop.test/)', null],
    ['[a](https://shop.test@evil.test/)', null],
    ['[a](https://evil.test\\@shop.test/)', null],
    ['[a](https://xn--shp-tma.test/)', null],
    ['[a](//evil.test/)', null],
    ['[a](https://127.0.0.1/)', null],
    ['[a](https://[::1]/)', null],
    ['[a](mailto:refunds@evil.test)', null],
    ['[a](javascript:alert(1))', null],
  ])('%s -> %s', (text, href) => {
    const c = render(<Markdown text={text} domains={DOMAINS} />).container
    expect(hrefs(c)).toEqual(href ? [href] : [])
    expect(c.textContent!.length).toBeGreaterThan(0) // the text stays
  })

  it('without domains (an agent reply) any http(s) host is a link, but never a userinfo trick', () => {
    const c = render(
      <Markdown text="[track](https://carrier.test/t) [x](https://shop.test@evil.test/)" />,
    ).container
    expect(hrefs(c)).toEqual(['https://carrier.test/t'])
  })
})

describe('the chat panel', () => {
  it('shows an old answer with a foreign link as text, keeps allowed links and an agent link', async () => {
    const net = fakeFetch({
      'GET /v1/widget/config': () => json(config),
      [`GET /v1/sessions/${SID}`]: () => json({ session }),
      [`GET /v1/sessions/${SID}/messages`]: () =>
        json({
          messages: [
            msg({
              message_type: 'ai',
              content:
                'Please [confirm your refund](https://evil.test/login) at https://evil.test/r or read ' +
                '[the policy](https://help.shop.test/returns) [1][2].',
              sources: [
                { id: 's1', title: 'Returns', url: 'https://shop.test/returns', snippet: '' },
                { id: 's2', title: 'Mirror', url: 'https://evil.test/mirror', snippet: '' },
              ],
            }),
            msg({
              message_type: 'agent',
              content: 'Your parcel: [tracking](https://carrier.test/t/1)',
              agent: { id: 'a', name: 'Al' },
            }),
          ],
        }),
      [`GET /v1/sessions/${SID}/events`]: (_c, signal) => sseStream(signal).response,
    })
    const store = new ChatStore({
      apiBase: API,
      key: 'pk_demo',
      fetch: net.fetch,
      storage: memoryStorage({
        'parley:pk_demo': JSON.stringify({ session_id: SID, token: TOKEN, visitor_id: 'v1' }),
      }),
      backoff: [5],
      events: new EventTarget() as any,
    })
    stores.push(store)
    const view = render(<ChatApp store={store} open onClose={() => {}} />)
    void store.start()
    await screen.findByText('Mirror')
    expect(view.container.textContent).toContain('Please confirm your refund at')
    expect(screen.getByText('Mirror').closest('a')).toBeNull()
    expect(hrefs(view.container).sort()).toEqual([
      'https://carrier.test/t/1',
      'https://help.shop.test/returns',
      'https://shop.test/returns', // the citation [1]
      'https://shop.test/returns', // the source list
    ])
    expect(view.container.textContent).toContain('https://evil.test/r')
    expect(view.container.innerHTML).not.toContain('href="https://evil.test')
  })
})
