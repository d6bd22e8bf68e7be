import { createHmac } from 'node:crypto'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createTestApp, type TestApp } from '../../helpers/app'

/**
 * A local server speaking the platforms' HTTP protocols, for tests and the benchmark: Telegram's Bot
 * API (setWebhook, deleteWebhook, sendMessage) under /tg, and Meta's Graph API (/{phone-number-id}/messages
 * for WhatsApp, /me/messages for Messenger and Instagram) under /graph/v21.0. Every request is
 * recorded; `failures` scripts the next answers (an HTTP status each) before the normal one.
 */
export interface Sent {
  path: string
  headers: IncomingMessage['headers']
  body: any
}

export interface StandIn {
  url: string
  telegramUrl: string
  graphUrl: string
  requests: Sent[]
  /** Statuses answered to the next send requests, in order (then success again). */
  failures: number[]
  /** Graph profiles by user id (GET /{user-id}?fields=...); an unknown id answers 400 like Graph. */
  profiles: Record<string, Record<string, unknown>>
  /** Resolves when `n` send requests (sendMessage or messages) have arrived. */
  waitForSends(n: number, timeoutMs?: number): Promise<Sent[]>
  sends(): Sent[]
  close(): Promise<void>
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = ''
    req.on('data', (c) => (data += c))
    req.on('end', () => resolve(data))
  })

export async function startStandIn(): Promise<StandIn> {
  const requests: Sent[] = []
  const failures: number[] = []
  const profiles: Record<string, Record<string, unknown>> = {}
  let n = 0
  const waiters: (() => void)[] = []
  const isSend = (p: string) => /\/sendMessage$|\/messages$/.test(p)
  const server = createServer(async (req, res) => {
    const raw = await read(req)
    let body: any = null
    try {
      body = raw ? JSON.parse(raw) : null
    } catch {
      body = raw
    }
    const path = req.url ?? ''
    requests.push({ path, headers: req.headers, body })
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(payload))
    }
    if (isSend(path)) {
      waiters.splice(0).forEach((w) => w())
      const fail = failures.shift()
      if (fail)
        return reply(
          fail,
          path.startsWith('/tg')
            ? { ok: false, error_code: fail, description: `Stand-in failure ${fail}` }
            : { error: { message: `Stand-in failure ${fail}`, code: fail } },
        )
    }
    n++
    // A bot token Telegram does not know (tests use the bot id 400000 for it).
    if (path.startsWith('/tg/bot400000:'))
      return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' })
    if (path.startsWith('/tg/')) {
      if (path.endsWith('/setWebhook') || path.endsWith('/deleteWebhook'))
        return reply(200, { ok: true, result: true })
      if (path.endsWith('/sendMessage'))
        return reply(200, {
          ok: true,
          result: { message_id: n, chat: { id: body.chat_id }, text: body.text },
        })
      return reply(404, { ok: false, description: 'Not Found' })
    }
    const profile = /^\/graph\/v21\.0\/(\d+)\?fields=([\w,]+)$/.exec(path)
    if (req.method === 'GET' && profile) {
      const p = profiles[profile[1]!]
      if (!p) return reply(400, { error: { message: 'Unsupported get request.', code: 100 } })
      const fields = profile[2]!.split(',')
      return reply(200, {
        id: profile[1],
        ...Object.fromEntries(Object.entries(p).filter(([k]) => fields.includes(k))),
      })
    }
    if (path === '/graph/v21.0/me/messages')
      return reply(200, { recipient_id: body?.recipient?.id, message_id: `m_${n}` })
    if (/^\/graph\/v21\.0\/\d+\/messages$/.test(path))
      return reply(200, {
        messaging_product: 'whatsapp',
        contacts: [{ input: body?.to, wa_id: body?.to }],
        messages: [{ id: `wamid.${n}` }],
      })
    reply(404, { error: { message: 'Unknown path' } })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const sends = () => requests.filter((r) => isSend(r.path))
  return {
    url,
    telegramUrl: `${url}/tg`,
    graphUrl: `${url}/graph/v21.0`,
    requests,
    failures,
    profiles,
    sends,
    async waitForSends(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs
      while (sends().length < count) {
        const left = deadline - Date.now()
        if (left <= 0) throw new Error(`waited for ${count} sends, got ${sends().length}`)
        await new Promise<void>((r) => {
          waiters.push(r)
          setTimeout(r, Math.min(left, 50))
        })
      }
      return sends()
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  }
}

/** The header Meta sends: HMAC-SHA256 of the raw body under the app secret. */
export const metaSignature = (appSecret: string, raw: string) =>
  `sha256=${createHmac('sha256', appSecret).update(raw).digest('hex')}`

export interface LogCapture {
  lines: string[]
  text(): string
}

/** Routes the app's log into memory, so a test can check what it would have written. */
export function captureLogs(t: TestApp): LogCapture {
  const lines: string[] = []
  for (const level of ['debug', 'info', 'warn', 'error'] as const)
    t.deps.log[level] = (msg, fields) => void lines.push(JSON.stringify({ level, msg, ...fields }))
  return { lines, text: () => lines.join('\n') }
}

/** The test app with its platform URLs on the stand-in, quick retries, and the worker driven by the test. */
export async function createChannelApp(standIn: StandIn, overrides: Record<string, string> = {}) {
  return createTestApp({
    TELEGRAM_API_URL: standIn.telegramUrl,
    META_GRAPH_URL: standIn.graphUrl,
    PUBLIC_URL: 'https://parley.example',
    CHANNEL_RETRY_BASE_MS: '20',
    WORKER_POLL_MS: '60000',
    ...overrides,
  })
}

/** Runs the channel worker until nothing is due. */
export const drain = (t: TestApp) => t.deps.channels!.drain()

export const BOT = '00000000-0000-4000-8000-0000000000b1'

/** Runs the channel worker until no event or send is waiting, retries with backoff included. */
export async function settle(t: TestApp, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await drain(t)
    const { rows } = await t.deps.pool.query(
      `select (select count(*) from channel_events where status in ('pending', 'processing'))
            + (select count(*) from channel_outbox where status in ('pending', 'sending')) as n`,
    )
    if (!Number(rows[0].n)) return
    if (Date.now() > deadline) throw new Error('channel work did not settle')
    await new Promise((r) => setTimeout(r, 20))
  }
}
