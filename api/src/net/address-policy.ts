import { promises as dns } from 'node:dns'
import { isIP } from 'node:net'
import ipaddr from 'ipaddr.js'
import { FetchBlocked, FetchFailed } from './errors'

/**
 * Which addresses the guarded client may reach. An owner-supplied URL is an attacker-supplied URL:
 * without this policy it could make the server read its cloud metadata, its database port or any
 * intranet host (SSRF). Every hop is validated (scheme, credentials, port, host name), resolved once,
 * and every resolved address is checked; the transport (guarded-fetch.ts) then pins the socket to the
 * checked address so DNS cannot change its answer between the check and the connection (DNS rebinding).
 */

/** A DNS answer, as `dns.promises.lookup(host, { all: true })` gives it. */
interface LookupAddress {
  address: string
  family: number
}

/** Resolves a host name to every address it has; injected by tests instead of real DNS. */
export type GuardLookup = (hostname: string) => Promise<LookupAddress[]>

/** Which targets are allowed; the defaults are the production policy. */
export interface AddressPolicy {
  /** Lets loopback addresses through, on any port. Tests only: their servers listen on 127.0.0.1. */
  allowLoopback?: boolean
  /** Ports a URL may name (default 80 and 443); 22, 5432, 6379 and friends stay out of reach. */
  allowedPorts?: number[]
  /** DNS resolver; defaults to the system resolver (`dns.promises.lookup`, all addresses). */
  lookup?: GuardLookup
}

const DEFAULTS = {
  allowLoopback: false,
  allowedPorts: [80, 443],
}

/** The verdict on one address. */
type AddressVerdict = { allowed: true } | { allowed: false; reason: string }

/** Why each ipaddr.js range is refused, worded to finish "refused: <ip> is ...". */
const RANGE_REASONS: Record<string, string> = {
  unspecified: 'an unspecified address',
  broadcast: 'a broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT (shared) address',
  private: 'a private address',
  reserved: 'a reserved address',
  benchmarking: 'a benchmarking address',
  as112: 'a special-purpose (AS112) address',
  amt: 'a special-purpose (AMT) address',
  uniqueLocal: 'a unique-local (private) address',
  deprecatedSiteLocal: 'a site-local address',
  discard: 'a discard-only address',
  as112v6: 'a special-purpose (AS112) address',
  deprecatedOrchid: 'an ORCHID address',
  orchid2: 'an ORCHID address',
  droneRemoteIdProtocolEntityTags: 'a special-purpose address',
  segmentRouting: 'a segment-routing address',
}

/** Cloud metadata endpoints, named in the message because they are what an SSRF usually hunts for. */
const METADATA_ADDRESSES = new Set([
  '169.254.169.254',
  '169.254.170.2',
  '100.100.100.200',
  '192.0.0.192',
  'fd00:ec2::254',
])

/**
 * Decides whether the guard may connect to one IP address. Only globally routable unicast passes:
 * private, loopback (unless `allowLoopback`), link-local (cloud metadata), CGNAT, multicast,
 * broadcast, reserved, benchmarking, unique-local and the rest of the special-purpose ranges are
 * refused, and IPv6 forms that embed an IPv4 address (mapped, translated, NAT64, 6to4, Teredo) are
 * judged by the address they embed.
 */
export function checkAddress(ip: string, opts: Pick<AddressPolicy, 'allowLoopback'> = {}): AddressVerdict {
  const allowLoopback = opts.allowLoopback ?? DEFAULTS.allowLoopback
  const raw = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip
  let addr: ipaddr.IPv4 | ipaddr.IPv6
  try {
    addr = ipaddr.parse(raw)
  } catch {
    return { allowed: false, reason: `refused: ${ip} is not an IP address` }
  }
  const shown = addr.toString()
  const refuse = (what: string): AddressVerdict => {
    const metadata = METADATA_ADDRESSES.has(shown) ? ' (cloud metadata endpoint)' : ''
    return { allowed: false, reason: `refused: ${shown} is ${what}${metadata}` }
  }

  if (addr.kind() === 'ipv4') {
    const range = (addr as ipaddr.IPv4).range()
    if (range === 'unicast') return { allowed: true }
    if (range === 'loopback' && allowLoopback) return { allowed: true }
    return refuse(RANGE_REASONS[range] ?? `a special-purpose (${range}) address`)
  }

  const v6 = addr as ipaddr.IPv6
  if (v6.zoneId) return refuse('a scoped (zone) address')
  const range = v6.range() as string
  const p = v6.parts
  // IPv6 forms that carry an IPv4 address reach that IPv4 host, so the IPv4 rules decide.
  const embedded = (v4: ipaddr.IPv4, form: string): AddressVerdict => {
    const inner = checkAddress(v4.toString(), opts)
    return inner.allowed ? inner : refuse(`${form} embedding ${inner.reason.replace(/^refused: /, '')}`)
  }
  const v4At = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff])
  switch (range) {
    case 'unicast':
      // ::a.b.c.d (IPv4-compatible, deprecated by RFC 4291) is not in ipaddr.js's table.
      if (p.slice(0, 6).every((x) => x === 0)) return refuse('an IPv4-compatible IPv6 address')
      return { allowed: true }
    case 'loopback':
      return allowLoopback ? { allowed: true } : refuse('a loopback address')
    case 'ipv4Mapped':
      return embedded(v6.toIPv4Address(), 'an IPv4-mapped address')
    case 'rfc6145':
      return embedded(v4At(p[6], p[7]), 'an IPv4-translated address')
    case 'rfc6052':
      // 64:ff9b::/96 carries the IPv4 address in its last 32 bits; 64:ff9b:1::/48 is local-use NAT64.
      if (p[2] === 0 && p[3] === 0 && p[4] === 0 && p[5] === 0)
        return embedded(v4At(p[6], p[7]), 'a NAT64 address')
      return refuse('a local-use NAT64 address')
    case '6to4':
      return embedded(v4At(p[1], p[2]), 'a 6to4 address')
    case 'teredo': {
      // Teredo: the server's IPv4 in bits 32-63, the client's (bit-inverted) in the last 32 bits.
      const server = embedded(v4At(p[2], p[3]), 'a Teredo address')
      if (!server.allowed) return server
      return embedded(v4At(p[6] ^ 0xffff, p[7] ^ 0xffff), 'a Teredo address')
    }
    default:
      return refuse(RANGE_REASONS[range] ?? `a special-purpose (${range}) address`)
  }
}

/** A URL that passed the checks that need no DNS, with what the connection needs from it. */
interface ParsedTarget {
  url: URL
  /** The host to resolve or connect to: brackets and a trailing dot removed. */
  host: string
  port: number
  /** The host is an IP address (already checked). */
  literal: boolean
}

/**
 * Host names that only mean something inside a network: cloud metadata services, mDNS, the
 * loopback name, and the suffixes clouds use for internal DNS. DNS would catch most of them too
 * (they resolve to refused ranges), but refusing by name also holds where a resolver is odd.
 */
const BLOCKED_NAMES = new Set([
  'localhost',
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
])
const BLOCKED_SUFFIXES = ['.localhost', '.internal', '.local', '.home.arpa', '.intranet', '.corp', '.lan']

/**
 * The checks that need no network: a parseable http(s) URL without credentials, on an allowed port,
 * whose host is not an internal name and, when it is an IP literal in any spelling (decimal, octal,
 * hex, shortened, bracketed IPv6 — WHATWG URL normalises them all to one form first), an allowed
 * address. A host name on a port outside `allowedPorts` passes only with `allowLoopback`, and then
 * only if it resolves to loopback (checked by `checkTarget`). Returns the parsed URL; throws
 * FetchBlocked with a message naming the reason.
 */
export function validateUrl(input: string | URL, opts: AddressPolicy = {}): URL {
  return parseTarget(input, opts).url
}

function parseTarget(input: string | URL, opts: AddressPolicy): ParsedTarget {
  const allowLoopback = opts.allowLoopback ?? DEFAULTS.allowLoopback
  const allowedPorts = opts.allowedPorts ?? DEFAULTS.allowedPorts
  let url: URL
  try {
    url = new URL(String(input))
  } catch {
    throw new FetchBlocked(`refused: ${JSON.stringify(String(input).slice(0, 200))} is not a valid URL`)
  }
  const href = url.href
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new FetchBlocked(
      `refused: the ${url.protocol.replace(/:$/, '')} scheme is not allowed (http and https only)`,
      href,
    )
  }
  // Credentials in a URL end up in logs and in the Authorization header of whatever host answers.
  if (url.username || url.password)
    throw new FetchBlocked('refused: URLs with credentials are not allowed', href)

  let host = url.hostname
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1)
  if (host.endsWith('.')) host = host.slice(0, -1)
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80
  const portAllowed = allowedPorts.includes(port)

  if (isIP(host)) {
    const verdict = checkAddress(host, opts)
    if (!verdict.allowed) throw new FetchBlocked(verdict.reason, href)
    const loopback = ipaddr.process(host).range() === 'loopback'
    if (!portAllowed && !(allowLoopback && loopback)) throw portBlocked(port, href)
    return { url, host, port, literal: true }
  }

  const name = host.toLowerCase()
  if (!name) throw new FetchBlocked('refused: the URL has no host', href)
  const loopbackName = name === 'localhost' || name.endsWith('.localhost')
  if (!(allowLoopback && loopbackName)) {
    if (BLOCKED_NAMES.has(name) || BLOCKED_SUFFIXES.some((s) => name.endsWith(s))) {
      throw new FetchBlocked(`refused: ${name} is an internal host name`, href)
    }
    // A single-label name is completed by the resolver's search domains: an intranet host.
    if (!name.includes('.'))
      throw new FetchBlocked(`refused: ${name} is not a fully qualified host name`, href)
  }
  if (!portAllowed && !allowLoopback) throw portBlocked(port, href)
  return { url, host, port, literal: false }
}

function portBlocked(port: number, href: string) {
  return new FetchBlocked(`refused: port ${port} is not allowed`, href)
}

/** A URL validated and resolved: the address the connection must use. */
export interface CheckedTarget {
  url: URL
  /** The host name (or IP literal) from the URL, without brackets or a trailing dot. */
  host: string
  port: number
  /** The host is an IP address, checked without DNS. */
  literal: boolean
  /** The checked address the socket is pinned to. */
  address: string
  family: 4 | 6
}

const systemLookup: GuardLookup = (hostname) => dns.lookup(hostname, { all: true })

/**
 * `validateUrl`, then DNS: every address the name resolves to must pass `checkAddress` (one private
 * answer among public ones refuses the URL, since the OS may pick any of them), and a port outside
 * `allowedPorts` needs every address to be loopback with `allowLoopback`. Returns the address to pin
 * the connection to. Throws FetchBlocked, or FetchFailed when the name does not resolve.
 */
export async function checkTarget(input: string | URL, opts: AddressPolicy = {}): Promise<CheckedTarget> {
  const v = parseTarget(input, opts)
  if (v.literal) return { ...v, address: v.host, family: isIP(v.host) as 4 | 6 }

  const lookup = opts.lookup ?? systemLookup
  let answers: LookupAddress[]
  try {
    answers = await lookup(v.host)
  } catch (cause) {
    throw new FetchFailed('network', `could not resolve ${v.host}`, { cause })
  }
  if (!answers.length) throw new FetchFailed('network', `could not resolve ${v.host}`)

  const allowedPorts = opts.allowedPorts ?? DEFAULTS.allowedPorts
  for (const a of answers) {
    const verdict = checkAddress(a.address, opts)
    if (!verdict.allowed) throw new FetchBlocked(`${verdict.reason} (${v.host} resolves to it)`, v.url.href)
    if (!allowedPorts.includes(v.port) && ipaddr.process(a.address).range() !== 'loopback') {
      throw portBlocked(v.port, v.url.href)
    }
  }
  const first = answers[0]
  return { ...v, address: first.address, family: (isIP(first.address) || first.family) as 4 | 6 }
}
