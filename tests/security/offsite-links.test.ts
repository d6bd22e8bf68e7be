import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, DEMO_ORIGIN, OWNER, readEvents, TENANT, type TestApp } from '../helpers/app'
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai'
import { ok } from './tenants'

/**
 * Class 10, off-site links in answers: a crawled page, an uploaded document or the model must not make
 * the bot show a clickable link to someone else's domain ("log in to confirm your refund"). Links in
 * bot answers go to the tenant's own domains only: the widget's allowed origins (the demo's
 * http://shop.test), its website sources' hosts and settings.link_domains (here example.com),
 * subdomains included. Any other markdown link keeps its text only; any other bare URL or autolink
 * becomes code (shown, not clickable). Through the API, with the extractive answerer (the passage is
 * quoted) and with a model (the stand-in streams the link), stored and streamed alike. The widget's
 * renderer: tests/widget/offsite-links.test.tsx.
 */
const CASES: [label: string, written: string, shown: string][] = [
  [
    'markdown link',
    '[log in to confirm your refund](https://evil.net/login)',
    'log in to confirm your refund',
  ],
  ['bare URL', 'https://evil.net/refund', '`https://evil.net/refund`'],
  ['autolink', '<https://evil.net/a>', '`https://evil.net/a`'],
  ['bare http URL with a query', 'http://evil.net/a?b=1&c=2', '`http://evil.net/a?b=1&c=2`'],
  ['listed domain as a prefix', '[x](https://example.com.evil.net/)', 'x'],
  ['listed domain as a suffix', '[x](https://evilexample.com/)', 'x'],
  ['punycode look-alike', '[x](https://xn--exmple-cua.com/)', 'x'],
  ['unicode look-alike', '[x](https://exаmple.com/)', 'x'],
  ['userinfo trick', '[x](https://example.com@evil.net/)', 'x'],
  ['userinfo trick, bare', 'https://example.com@evil.net/', '`https://example.com@evil.net/`'],
  ['backslash before @', '[x](https://evil.net\\@example.com/)', 'x'],
  ['backslashes for slashes', '[x](https:\\\\evil.net/)', 'x'],
  ['protocol-relative', '[x](//evil.net/)', 'x'],
  ['javascript: scheme', '[x](javascript:void0)', 'x'],
  ['data: scheme', '[x](data:text/html;base64,PHNjcmlwdD4=)', 'x'],
  ['uppercase foreign host', '[x](HTTPS://EVIL.NET/)', 'x'],
  ['uppercase bare URL', 'HTTPS://EVIL.NET/a', '`HTTPS://EVIL.NET/a`'],
  ['trailing dot', '[x](https://evil.net./)', 'x'],
  ['IPv4 literal', '[x](http://127.0.0.1/admin)', 'x'],
  ['IPv4 in hex', '[x](http://0x7f000001/)', 'x'],
  ['IPv6 literal, bare', 'http://[::1]/', '`http://[::1]/`'],
  ['link with a title', '[x](https://evil.net/ "Official")', 'x'],
  ['angle-bracket destination', '[x](<https://evil.net/>)', 'x'],
  ['empty link text', 'before [](https://evil.net/) after', 'before  after'],
  ['foreign mailto', '[write to us](mailto:refunds@evil.net)', 'write to us'],
  ['listed domain', '[help](https://example.com/help)', '[help](https://example.com/help)'],
  ['listed subdomain', '[help](https://help.example.com/a)', '[help](https://help.example.com/a)'],
  [
    'listed, uppercase, trailing dot',
    '[help](https://HELP.EXAMPLE.COM./a)',
    '[help](https://HELP.EXAMPLE.COM./a)',
  ],
  ['widget origin, bare', 'https://shop.test/returns', 'https://shop.test/returns'],
  ['widget origin subdomain', '[faq](https://faq.shop.test/)', '[faq](https://faq.shop.test/)'],
  ['listed mailto', '[mail](mailto:support@example.com)', '[mail](mailto:support@example.com)'],
]

/** Made-up words, one per case, so each question finds its own FAQ. */
const WORDS = CASES.map((_, i) => `zq${'bcdfghjklmnprstvwxz'[i % 19]}${'aeiou'[Math.floor(i / 19)]}orb`)

let llm: FakeOpenAI
let extractive: TestApp
let model: TestApp

async function prepare(t: TestApp) {
  const owner = await t.login(OWNER)
  await ok(
    await t.json('PATCH', `/v1/tenants/${TENANT}`, { settings: { link_domains: ['Example.COM.'] } }, owner),
  )
  for (const [i, [, written]] of CASES.entries())
    await ok(
      await t.json(
        'POST',
        `/v1/tenants/${TENANT}/knowledge/faqs`,
        {
          question: `Where is the ${WORDS[i]} page?`,
          answer: `The ${WORDS[i]} page: ${written} ok.`,
          language: 'en',
        },
        owner,
      ),
      201,
    )
  await t.deps.worker?.drain()
}

/** Asks over SSE; returns the stored answer and what streamed. */
async function ask(t: TestApp, question: string) {
  const v = await t.visitor()
  const res = await t.app.request(`/v1/sessions/${v.id}/messages`, {
    method: 'POST',
    headers: { ...v.auth, 'content-type': 'application/json', accept: 'text/event-stream' },
    body: JSON.stringify({ content: question, client_message_id: crypto.randomUUID() }),
  })
  const events = await readEvents(
    res,
    (e) => e.some((x) => x.event === 'done' || x.event === 'error'),
    15_000,
  )
  const done = events.find((e) => e.event === 'done')?.data
  const streamed = events
    .filter((e) => e.event === 'delta')
    .map((e) => e.data.text)
    .join('')
  const stored = (await v.messages()).find((m: any) => m.message_type === 'ai')
  return { done, streamed, stored: stored?.content as string }
}

beforeAll(async () => {
  llm = await startFakeOpenAI()
  ;[extractive, model] = await Promise.all([
    createTestApp({ WORKER_POLL_MS: '60000' }),
    createTestApp({ LLM_API_KEY: 'k', LLM_BASE_URL: llm.url, LLM_MODEL: 'fake', WORKER_POLL_MS: '60000' }),
  ])
  await Promise.all([prepare(extractive), prepare(model)])
}, 120_000)
afterAll(async () => {
  await extractive?.close()
  await model?.close()
  await llm?.close()
})

describe('links in bot answers', () => {
  it.each(CASES.map((c, i) => [...c, i] as const))(
    'extractive, %s: %s -> %s',
    async (_label, written, shown, i) => {
      const { streamed, stored } = await ask(extractive, `Where is the ${WORDS[i]} page?`)
      expect(stored).toContain(`The ${WORDS[i]} page: ${shown} ok.`)
      if (written !== shown) expect(stored.replace(/`[^`]*`/g, '')).not.toContain(written) // only as code
      expect(streamed.trim()).toBe(stored)
    },
    30_000,
  )

  it.each(CASES.map((c, i) => [...c, i] as const))(
    'model, %s: %s -> %s',
    async (_label, written, shown, i) => {
      const reply = `Sure: ${written} now [1].`
      // The answer call streams; any other call (triage) gets the same text and falls back on its own.
      llm.script = [{ reply }, { reply }]
      const { streamed, stored } = await ask(model, `Where is the ${WORDS[i]} page?`)
      llm.script = []
      expect(stored).toBe(`Sure: ${shown} now [1].`)
      expect(streamed).toBe(stored)
    },
    30_000,
  )
})

describe('settings.link_domains', () => {
  it('is normalised (lowercase ASCII, no trailing dot) and shown in the widget config', async () => {
    const res = await extractive.json('GET', '/v1/widget/config?key=pk_demo', undefined, {
      origin: DEMO_ORIGIN,
    })
    const body = await ok(res)
    expect(body.link_domains).toEqual(expect.arrayContaining(['example.com', 'shop.test']))
    expect(body.link_domains).not.toContain('Example.COM.')
  })

  it.each([
    ['a URL', 'https://example.com'],
    ['a path', 'example.com/help'],
    ['a port', 'example.com:8080'],
    ['an IP address', '127.0.0.1'],
    ['a single label', 'localhost'],
    ['a wildcard', '*.example.com'],
    ['spaces', 'exa mple.com'],
  ])('refuses %s, naming the field, and stores nothing', async (_label, domain) => {
    const owner = await extractive.login(OWNER)
    const res = await extractive.json(
      'PATCH',
      `/v1/tenants/${TENANT}`,
      { settings: { link_domains: ['ok.example.org', domain] } },
      owner,
    )
    const body = await ok(res, 400)
    expect(body.error.message).toContain('settings.link_domains.1')
    const tenant = (await ok(await extractive.json('GET', `/v1/tenants/${TENANT}`, undefined, owner))).tenant
    expect(tenant.settings.link_domains).toEqual(['example.com'])
  })

  it('a website source adds its host (without www.) to the allowed domains', async () => {
    await extractive.deps.pool.query(
      `insert into knowledge_sources (tenant_id, kind, title, url, status) values ($1, 'website', 'Docs', 'https://www.docs-site.org/start', 'ready')`,
      [TENANT],
    )
    const body = await ok(
      await extractive.json('GET', '/v1/widget/config?key=pk_demo', undefined, { origin: DEMO_ORIGIN }),
    )
    expect(body.link_domains).toContain('docs-site.org')
  })
})

describe("the visitor's own URLs in the inbox", () => {
  it('the session detail carries the domains the console may link page_url to; a claimed one elsewhere is not among them', async () => {
    const res = await extractive.json('POST', '/v1/sessions', {
      key: 'pk_demo',
      context: { page_url: 'https://evil.net/login', referrer: 'https://evil.net/r' },
    })
    const { session } = await ok(res, 201)
    const agent = await extractive.login()
    const detail = await ok(
      await extractive.json('GET', `/v1/tenants/${TENANT}/sessions/${session.id}`, undefined, agent),
    )
    expect(detail.session.customer_context.page_url).toBe('https://evil.net/login') // shown as the visitor's word
    expect(detail.link_domains).toEqual(expect.arrayContaining(['example.com', 'shop.test']))
    expect(detail.link_domains.some((d: string) => 'evil.net'.endsWith(d))).toBe(false)
  })
})
