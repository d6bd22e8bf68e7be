import ipaddr from 'ipaddr.js'

/** Options of clientIp. */
interface ClientIpOptions {
  /**
   * How many reverse proxies of ours append to X-Forwarded-For in front of the API. 0 ignores the
   * header: without a proxy of ours, every entry in it was written by the client.
   */
  trustedProxyHops: number
}

/**
 * The part of a Hono context clientIp reads: the Node bindings (@hono/node-server puts the
 * IncomingMessage in c.env.incoming) and the request headers. A real Context fits; so does a fake.
 */
export interface ClientIpContext {
  env: unknown
  req: { header(name: string): string | undefined }
}

/**
 * The address to rate-limit a request by: the TCP peer, or with trustedProxyHops > 0 the entry that
 * many hops from the right of X-Forwarded-For (the entries our proxies appended; anything further left
 * is client-controlled and ignored). IPv4-mapped IPv6 becomes plain IPv4, and IPv6 is cut to its /64
 * ("2001:db8:1:2::/64"), since one subscriber usually gets a whole /64 and could rotate through it.
 * 'unknown' when there is no socket (app.request in tests).
 */
export function clientIp(c: ClientIpContext, options: ClientIpOptions): string {
  const socket = normalise(socketAddress(c.env))
  const hops = Math.max(0, Math.floor(options.trustedProxyHops))
  if (hops === 0) return socket ?? 'unknown'
  const forwarded = c.req
    .header('x-forwarded-for')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  if (!forwarded?.length) return socket ?? 'unknown'
  // Like Express's "trust proxy = n": with fewer entries than hops, the leftmost one is the furthest
  // any proxy of ours vouched for (the request skipped a proxy, or the chain is shorter than configured).
  const entry = forwarded[Math.max(0, forwarded.length - hops)]
  // A proxy of ours wrote this entry, so garbage means a misconfigured chain: fall back to the peer
  // rather than let an unparsable string become its own fresh bucket.
  return normalise(entry) ?? socket ?? 'unknown'
}

function socketAddress(env: unknown): string | undefined {
  const bindings = env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined
  return bindings?.incoming?.socket?.remoteAddress
}

/** Canonical form of one address, or undefined when it is not an IP address. */
export function normalise(raw: string | undefined): string | undefined {
  if (!raw) return undefined
  const addr = stripPort(raw.trim())
  if (!ipaddr.isValid(addr)) return undefined
  // process() turns ::ffff:1.2.3.4 into 1.2.3.4, so one client is one bucket on a dual-stack socket.
  const ip = ipaddr.process(addr)
  if (ip.kind() === 'ipv4') return ip.toString()
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).concat([0, 0, 0, 0])
  return `${new ipaddr.IPv6(parts).toString()}/64`
}

/** Some proxies write "1.2.3.4:5678" or "[2001:db8::1]:443"; the port is not part of the client. */
function stripPort(addr: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(addr)
  if (bracketed) return bracketed[1]
  const v4WithPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(addr)
  if (v4WithPort) return v4WithPort[1]
  return addr
}
