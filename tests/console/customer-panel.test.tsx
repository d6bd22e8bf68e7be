/**
 * The inbox's Customer panel shows who the visitor is, and everything in it but `verified` is the
 * visitor's word (POST /v1/sessions takes any context from anyone with the publishable key): a claimed
 * name or e-mail must never carry the "verified" badge (the API side: tests/security/claimed-identity.test.ts),
 * and a claimed page URL must not become a link to someone else's site (issue 14).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { cleanup, render, screen } from '@testing-library/preact'
import { SessionDetails } from '../../console/src/pages/inbox/session-details'
import { SessionView } from '../../console/src/pages/inbox/session-view'
import { fakeFetch, message, summary } from './fake-api'

afterEach(() => {
  cleanup()
  vi.unstubAllGlobals()
})

/** The badge next to a shown value: 'verified', 'claimed' or null. */
function badgeOf(value: string): string | null {
  const dd = screen.getByText((_, el) => el?.tagName === 'DD' && el.textContent!.startsWith(value))
  return dd.querySelector('.badge')?.textContent ?? null
}

const panel = (customer_context: Record<string, unknown>) =>
  render(<SessionDetails session={summary({ customer_context }) as any} escalation={null} />)

describe('verified and claimed identity in the Customer panel', () => {
  it.each([
    ['a claimed e-mail and name', { email: 'ceo@shop.test', name: 'The CEO' }],
    [
      'a claimed e-mail that says it is verified',
      { email: 'ceo@shop.test', name: 'The CEO', identity_verified: true, user_id: 'admin' },
    ],
    [
      'a claimed "verified" that is not an object',
      { email: 'ceo@shop.test', name: 'The CEO', verified: 'yes' },
    ],
  ])('%s is shown as claimed, never verified', (_, context) => {
    const { container } = panel(context)
    expect(badgeOf('ceo@shop.test')).toBe('claimed')
    expect(badgeOf('The CEO')).toBe('claimed')
    expect(container.querySelector('.badge-verified')).toBeNull()
  })

  it("shows the server's verified identity as verified, and a different claimed e-mail beside it as claimed", () => {
    const { container } = panel({
      verified: { user_id: 'u-42', name: 'Ana Lima', email: 'ana@shop.test' },
      email: 'boss@shop.test',
    })
    expect(badgeOf('u-42')).toBe('verified')
    expect(badgeOf('Ana Lima')).toBe('verified')
    expect(badgeOf('ana@shop.test')).toBe('verified')
    expect(badgeOf('boss@shop.test')).toBe('claimed')
    expect(container.querySelectorAll('.badge-verified')).toHaveLength(3)
  })
})

describe('the visitor page URL', () => {
  it.each([
    ['https://evil.test/login', null],
    ['https://shop.test.evil.test/', null],
    ['https://shop.test@evil.test/', null],
    ['javascript:alert(1)', null],
    ['https://shop.test/checkout', 'https://shop.test/checkout'],
    ['https://www.shop.test/p', 'https://www.shop.test/p'],
  ])('%s -> link %s, with link_domains from the session detail', async (pageUrl, href) => {
    fakeFetch(({ path }) =>
      path === '/v1/tenants/t1/sessions/s1'
        ? {
            body: {
              session: summary({ customer_context: { page_url: pageUrl, referrer: 'https://evil.test/r' } }),
              messages: [message({ seq: 1, content: 'Hello' })],
              link_domains: ['shop.test'],
            },
          }
        : undefined,
    )
    const { container } = render(
      <SessionView
        tenantId="t1"
        sessionId="s1"
        userId="u1"
        reloadKey={0}
        onChanged={() => {}}
        onBack={() => {}}
      />,
    )
    await screen.findByText(pageUrl)
    const links = Array.from(container.querySelectorAll('.details a')).map((a) => a.getAttribute('href'))
    expect(links).toEqual(href ? [href] : [])
    // The referrer is another site by nature: shown, never a link.
    expect(screen.getByText('https://evil.test/r').closest('a')).toBeNull()
  })
})
