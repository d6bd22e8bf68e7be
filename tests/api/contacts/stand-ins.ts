import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'

/** Local servers speaking a shop's order-lookup protocol and Cal.com's API v2 (tests only). */

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let b = ''
    req.on('data', (c) => (b += c))
    req.on('end', () => resolve(b))
  })

async function listen(server: Server) {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) }
}

export interface ShopOrder {
  id: string
  status: string
  currency?: string
  items: { name: string; quantity: number; unit_price: number }[]
  customer: { user_id: string }
}

/**
 * A shop's order-lookup endpoint: checks the HMAC-SHA256 signature over "<timestamp>.<body>" (401
 * without a good one), answers the order when it is the asking customer's, else 404.
 */
export async function startShop(secret: string, orders: ShopOrder[]) {
  const calls: { body: any; signed: boolean }[] = []
  const server = createServer(async (req, res) => {
    const raw = await readBody(req)
    const ts = String(req.headers['x-parley-timestamp'] ?? '')
    const sig = String(req.headers['x-parley-signature'] ?? '')
    const expected = 'sha256=' + createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex')
    const signed =
      sig.length === expected.length &&
      timingSafeEqual(Buffer.from(sig), Buffer.from(expected)) &&
      Math.abs(Date.now() / 1000 - Number(ts)) < 300
    const body = JSON.parse(raw || '{}')
    calls.push({ body, signed })
    if (!signed) return res.writeHead(401).end('{"error":"bad signature"}')
    const order = orders.find((o) => o.id === body.order_id && o.customer.user_id === body.customer?.user_id)
    if (!order) return res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}')
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ order }))
  })
  return { ...(await listen(server)), calls }
}

/**
 * Cal.com API v2: GET /slots (free slots of an event type), POST /bookings (a taken slot: 400),
 * POST /bookings/:uid/cancel. `down` makes every call a 503.
 */
export async function startCalcom(apiKey: string, slots: string[]) {
  const state = {
    down: false,
    slots: [...slots],
    /** Slots someone else books between the offer and the pick. */
    takenMeanwhile: new Set<string>(),
    bookings: [] as { uid: string; start: string; attendee: any; status: string }[],
    calls: [] as { method: string; path: string; version: string }[],
  }
  const server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x')
    const raw = await readBody(req)
    state.calls.push({
      method: req.method!,
      path: url.pathname,
      version: String(req.headers['cal-api-version'] ?? ''),
    })
    const json = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
    if (state.down) return json(503, { status: 'error' })
    if (req.headers.authorization !== `Bearer ${apiKey}`)
      return json(401, { status: 'error', error: { message: 'Unauthorized' } })
    if (req.method === 'GET' && url.pathname === '/v2/slots') {
      if (!url.searchParams.get('eventTypeId') || !url.searchParams.get('start'))
        return json(400, { status: 'error' })
      const free = state.slots.filter(
        (s) => !state.bookings.some((b) => b.start === s && b.status === 'accepted'),
      )
      const data: Record<string, { start: string }[]> = {}
      for (const s of free) (data[s.slice(0, 10)] ??= []).push({ start: s })
      return json(200, { status: 'success', data })
    }
    if (req.method === 'POST' && url.pathname === '/v2/bookings') {
      const body = JSON.parse(raw)
      const start = new Date(body.start).toISOString()
      if (
        state.takenMeanwhile.has(start) ||
        state.bookings.some((b) => b.start === start && b.status === 'accepted')
      ) {
        state.slots = state.slots.filter((s) => s !== start)
        return json(400, {
          status: 'error',
          error: { message: 'User either already has booking at this time or is not available' },
        })
      }
      const uid = `bk_${state.bookings.length + 1}`
      state.bookings.push({ uid, start, attendee: body.attendee, status: 'accepted' })
      return json(201, {
        status: 'success',
        data: {
          uid,
          title: 'Call with Ma Boutique',
          start,
          end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
          meetingUrl: `https://cal.example/video/${uid}`,
          status: 'accepted',
        },
      })
    }
    const cancel = /^\/v2\/bookings\/([^/]+)\/cancel$/.exec(url.pathname)
    if (req.method === 'POST' && cancel) {
      const b = state.bookings.find((x) => x.uid === cancel[1])
      if (!b) return json(404, { status: 'error' })
      b.status = 'cancelled'
      return json(200, { status: 'success', data: { uid: b.uid, status: 'cancelled' } })
    }
    json(404, { status: 'error' })
  })
  return { ...(await listen(server)), state }
}
