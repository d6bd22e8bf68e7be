import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  deliverWebhook,
  signWebhook,
  verifyWebhook,
  type WebhookFetch,
} from '../../../api/src/escalation/webhook'

const SECRET = 'whsec_test_0123456789'

describe('signWebhook / verifyWebhook', () => {
  const ts = Math.floor(Date.now() / 1000)
  const body = JSON.stringify({ event: 'escalation.created', data: { id: 1 } })

  it('signs `${timestamp}.${body}` with HMAC-SHA256 and verifies it', () => {
    const sig = signWebhook(SECRET, ts, body)
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/)
    expect(verifyWebhook(SECRET, ts, body, sig)).toBe(true)
    // A vector computed with `printf '1700000000.{}' | openssl dgst -sha256 -hmac secret`, so receivers
    // in other languages can check their implementation.
    expect(signWebhook('secret', 1700000000, '{}')).toBe(
      'sha256=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163',
    )
  })

  it('refuses a tampered body, another timestamp, another secret or a malformed signature', () => {
    const sig = signWebhook(SECRET, ts, body)
    expect(verifyWebhook(SECRET, ts, body.replace('1', '2'), sig)).toBe(false)
    expect(verifyWebhook(SECRET, ts + 1, body, sig)).toBe(false)
    expect(verifyWebhook('other', ts, body, sig)).toBe(false)
    expect(verifyWebhook(SECRET, ts, body, 'sha256=abc')).toBe(false)
    expect(verifyWebhook(SECRET, ts, body, undefined)).toBe(false)
  })

  it('refuses a stale timestamp (replay) unless the check is off', () => {
    const old = ts - 3600
    const sig = signWebhook(SECRET, old, body)
    expect(verifyWebhook(SECRET, old, body, sig)).toBe(false)
    expect(verifyWebhook(SECRET, old, body, sig, { toleranceSeconds: 0 })).toBe(true)
    expect(verifyWebhook(SECRET, old, body, sig, { now: old + 10 })).toBe(true)
  })
})

/** A fetch-like client over node:http, standing in for the SSRF-guarded client in production. */
const httpFetch: WebhookFetch = (url, init) =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers }, (res) => {
      res.resume()
      res.on('end', () => {
        const headers: Record<string, string> = {}
        for (const [k, v] of Object.entries(res.headers))
          if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v
        resolve({ status: res.statusCode ?? 0, headers })
      })
    })
    req.on('error', reject)
    req.end(init.body)
  })

interface Received {
  headers: IncomingHttpHeaders
  body: string
}

/** A receiver on 127.0.0.1 answering with the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[], extraHeaders: Record<string, string> = {}) {
  const received: Received[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.setEncoding('utf8')
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      const status = statuses[Math.min(received.length - 1, statuses.length - 1)]
      res.writeHead(status, status >= 400 ? extraHeaders : {}).end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/parley`, received }
}
const servers: Server[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))))
})

describe('deliverWebhook', () => {
  const payload = { escalation_id: 'e1', session_id: 's1', priority: 4, summary: 'Visitor wants a refund' }

  it('retries 503 twice then delivers, same delivery id, every try validly signed, with backoff', async () => {
    const { url, received } = await receiver([503, 503, 200])
    const sleeps: number[] = []
    const result = await deliverWebhook({
      url,
      secret: SECRET,
      event: 'escalation.created',
      payload,
      fetch: httpFetch,
      baseDelayMs: 100,
      random: () => 0.999,
      sleep: async (ms) => void sleeps.push(ms),
    })
    expect(result).toMatchObject({ delivered: true, attempts: 3, status: 200 })
    expect(received).toHaveLength(3)
    const ids = new Set(received.map((r) => r.headers['x-parley-delivery']))
    expect(ids.size).toBe(1)
    expect([...ids][0]).toBe(result.delivery_id)
    expect(result.delivery_id).toMatch(/^[0-9a-f-]{36}$/)
    for (const r of received) {
      expect(r.headers['content-type']).toBe('application/json')
      expect(r.headers['x-parley-event']).toBe('escalation.created')
      expect(
        verifyWebhook(
          SECRET,
          r.headers['x-parley-timestamp'] as string,
          r.body,
          r.headers['x-parley-signature'] as string,
        ),
      ).toBe(true)
      expect(JSON.parse(r.body)).toMatchObject({
        id: result.delivery_id,
        event: 'escalation.created',
        data: payload,
      })
    }
    // The body is identical on every try, so receivers may hash it too.
    expect(new Set(received.map((r) => r.body)).size).toBe(1)
    // Exponential: ~100 then ~200 ms (jitter keeps each between half and all of the step).
    expect(sleeps).toHaveLength(2)
    expect(sleeps[0]).toBeGreaterThan(50)
    expect(sleeps[0]).toBeLessThanOrEqual(100)
    expect(sleeps[1]).toBeGreaterThan(100)
    expect(sleeps[1]).toBeLessThanOrEqual(200)
  })

  it('does not retry a 400', async () => {
    const { url, received } = await receiver([400])
    const result = await deliverWebhook({
      url,
      secret: SECRET,
      event: 'escalation.created',
      payload,
      fetch: httpFetch,
      sleep: async () => {},
    })
    expect(result).toMatchObject({ delivered: false, attempts: 1, status: 400, error: 'HTTP 400' })
    expect(received).toHaveLength(1)
  })

  it('gives up after `attempts` tries of 500', async () => {
    const { url, received } = await receiver([500])
    const result = await deliverWebhook({
      url,
      secret: SECRET,
      event: 'e',
      payload,
      fetch: httpFetch,
      attempts: 3,
      sleep: async () => {},
    })
    expect(result).toMatchObject({ delivered: false, attempts: 3, status: 500, error: 'HTTP 500' })
    expect(received).toHaveLength(3)
  })

  it('honours Retry-After on 429, up to the cap', async () => {
    const { url } = await receiver([429, 200], { 'retry-after': '7' })
    const sleeps: number[] = []
    const result = await deliverWebhook({
      url,
      secret: SECRET,
      event: 'e',
      payload,
      fetch: httpFetch,
      sleep: async (ms) => void sleeps.push(ms),
    })
    expect(result).toMatchObject({ delivered: true, attempts: 2 })
    expect(sleeps).toEqual([7000])

    const capped = await receiver([429, 200], { 'retry-after': '3600' })
    const sleeps2: number[] = []
    await deliverWebhook({
      url: capped.url,
      secret: SECRET,
      event: 'e',
      payload,
      fetch: httpFetch,
      maxDelayMs: 5000,
      sleep: async (ms) => void sleeps2.push(ms),
    })
    expect(sleeps2).toEqual([5000])
  })

  it('retries network errors, stops at once on a permanent one, and never throws', async () => {
    const { url } = await receiver([200])
    let calls = 0
    const flaky: WebhookFetch = (u, init) =>
      ++calls === 1 ? Promise.reject(new Error('ECONNRESET')) : httpFetch(u, init)
    expect(
      await deliverWebhook({ url, secret: SECRET, event: 'e', payload, fetch: flaky, sleep: async () => {} }),
    ).toMatchObject({ delivered: true, attempts: 2 })

    const blocked: WebhookFetch = () =>
      Promise.reject(Object.assign(new Error('address not allowed'), { permanent: true }))
    expect(
      await deliverWebhook({
        url: 'http://10.0.0.1/',
        secret: SECRET,
        event: 'e',
        payload,
        fetch: blocked,
        sleep: async () => {},
      }),
    ).toMatchObject({
      delivered: false,
      attempts: 1,
      error: 'address not allowed',
    })

    const down: WebhookFetch = () => Promise.reject(new Error('ECONNREFUSED'))
    const r = await deliverWebhook({
      url: 'http://127.0.0.1:9/',
      secret: SECRET,
      event: 'e',
      payload,
      fetch: down,
      attempts: 2,
      sleep: async () => {},
    })
    expect(r).toMatchObject({ delivered: false, attempts: 2, error: 'ECONNREFUSED' })
    expect(r.status).toBeUndefined()
  })

  it('times out a hanging try and retries it', async () => {
    let calls = 0
    const hang: WebhookFetch = () =>
      ++calls === 1 ? new Promise(() => {}) : Promise.resolve({ status: 204, headers: {} })
    const r = await deliverWebhook({
      url: 'http://x/',
      secret: SECRET,
      event: 'e',
      payload,
      fetch: hang,
      timeoutMs: 20,
      sleep: async () => {},
    })
    expect(r).toMatchObject({ delivered: true, attempts: 2, status: 204 })
  })
})
