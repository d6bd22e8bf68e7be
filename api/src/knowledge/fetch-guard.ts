import { promises as dns } from 'node:dns'
import http from 'node:http'
import https from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import ipaddr from 'ipaddr.js'

/**
 * The one way the API talks to the outside world (crawler, webhooks). An owner-supplied URL is an
 * attacker-supplied URL: without this guard it could make the server read its cloud metadata, its
 * database port or any intranet host (SSRF). Every hop is validated (scheme, credentials, port, host
 * name), resolved once, every resolved address is checked, and the socket is pinned to the checked
 * address so DNS cannot change its answer between the check and the connection (DNS rebinding).
 */

/** A DNS answer, as `dns.promises.lookup(host, { all: true })` gives it. */
export interface LookupAddress {
  address: string
  family: number
}

/** Resolves a host name to every address it has; injected by tests instead of real DNS. */
export type GuardLookup = (hostname: string) => Promise<LookupAddress[]>

/** What the guard allows; the defaults are the production policy. */
export interface GuardOptions {
  /** Lets loopback addresses through, on any port. Tests only: their servers listen on 127.0.0.1. */
  allowLoopback?: boolean
  /** Ports a URL may name (default 80 and 443); 22, 5432, 6379 and friends stay out of reach. */
  allowedPorts?: number[]
  /** Largest body accepted, counted after decompression (default 5 MB). */
  maxBytes?: number
  /** Deadline for the whole fetch, redirects and DNS included (default 10 s). */
  timeoutMs?: number
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number
  userAgent?: string
  /** DNS resolver; defaults to the system resolver (`dns.promises.lookup`, all addresses). */
  lookup?: GuardLookup
}

/** One request's settings; the size and time limits override the guard's for this call only. */
export interface GuardedFetchInit {
  method?: string
  headers?: Record<string, string>
  body?: string | Uint8Array
  maxBytes?: number
  timeoutMs?: number
  maxRedirects?: number
  /** The Accept header (default `*\/*`). */
  accept?: string
  /** Aborts the fetch (reported as FetchFailed 'aborted'). */
  signal?: AbortSignal
  /**
   * Called before a redirect is followed, after the guard has validated the target; throwing vetoes
   * the hop and the error reaches the caller unchanged (the crawler uses it to stay on its site).
   */
  onRedirect?: (from: URL, to: URL) => void
}

/** A finished response whose body has been read in full (within the size limit). */
export interface GuardedResponse {
  /** The final URL, after redirects. */
  url: string
  status: number
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>
  /** The body, decompressed. */
  body: Uint8Array
  /** The body decoded with the charset of Content-Type (UTF-8 when absent or unknown). */
  text(): string
  /** Every URL that answered with a redirect, in order (empty when there was none). */
  redirects: string[]
}

/** The function `createGuardedFetch` returns. */
export type GuardedFetch = (url: string, init?: GuardedFetchInit) => Promise<GuardedResponse>

/** The guard refused a URL or an address; nothing was sent to it. */
export class FetchBlocked extends Error {
  readonly code = 'fetch_blocked'
  constructor(
    message: string,
    /** The URL that was refused, when there was one. */
    readonly url?: string,
  ) {
    super(message)
    this.name = 'FetchBlocked'
  }
}

/** Why an allowed fetch still failed. */
export type FetchFailure =
  'timeout' | 'too_large' | 'too_many_redirects' | 'network' | 'bad_response' | 'aborted'

/** An allowed fetch that did not produce a usable response. */
export class FetchFailed extends Error {
  readonly code = 'fetch_failed'
  constructor(
    readonly reason: FetchFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'FetchFailed'
  }
}

const DEFAULTS = {
  allowLoopback: false,
  allowedPorts: [80, 443],
  maxBytes: 5 * 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 5,
  userAgent: 'ParleyBot/1.0 (+https://parley.invalid/bot)',
}

/** The verdict on one address. */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string }

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
export function checkAddress(ip: string, opts: Pick<GuardOptions, 'allowLoopback'> = {}): AddressVerdict {
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
export function validateUrl(input: string | URL, opts: GuardOptions = {}): URL {
  return parseTarget(input, opts).url
}

function parseTarget(input: string | URL, opts: GuardOptions): ParsedTarget {
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
export async function checkTarget(input: string | URL, opts: GuardOptions = {}): Promise<CheckedTarget> {
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

/**
 * A `lookup` for http.request that answers with the checked address and nothing else, so the socket
 * connects where the guard looked. Node calls it with `all: true` when it races address families.
 */
function pinnedLookup(target: CheckedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }])
    else callback(null, target.address, target.family)
  }
}

const gunzip = promisify(zlib.gunzip)
const inflate = promisify(zlib.inflate)
const inflateRaw = promisify(zlib.inflateRaw)
const brotli = promisify(zlib.brotliDecompress)

/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization']

/**
 * Builds the guarded fetch. Redirects (301, 302, 303, 307, 308) are followed by hand so every hop
 * goes through `checkTarget` again; 303, and 301/302 after a POST, continue as GET without a body
 * (as browsers do); credentials headers are dropped when a hop changes origin.
 */
export function createGuardedFetch(options: GuardOptions = {}): GuardedFetch {
  const opts = { ...DEFAULTS, ...options }

  return async function guardedFetch(url, init = {}) {
    const maxBytes = init.maxBytes ?? opts.maxBytes
    const timeoutMs = init.timeoutMs ?? opts.timeoutMs
    const maxRedirects = init.maxRedirects ?? opts.maxRedirects
    const deadline = AbortSignal.timeout(timeoutMs)
    const signal = init.signal ? AbortSignal.any([deadline, init.signal]) : deadline
    const failure = () =>
      deadline.aborted
        ? new FetchFailed('timeout', `timed out after ${timeoutMs} ms`)
        : new FetchFailed('aborted', 'the fetch was aborted')

    let method = (init.method ?? 'GET').toUpperCase()
    let body = init.body
    let headers: Record<string, string> = {
      'user-agent': opts.userAgent,
      accept: init.accept ?? '*/*',
      'accept-encoding': 'gzip, deflate, br',
      ...lowerKeys(init.headers ?? {}),
    }
    const redirects: string[] = []
    let current = url

    for (;;) {
      if (signal.aborted) throw failure()
      const target = await withSignal(checkTarget(current, opts), signal, failure)
      const res = await send(target, method, headers, body, signal, failure)
      const status = res.statusCode ?? 0
      const location = res.headers.location
      if ([301, 302, 303, 307, 308].includes(status) && location) {
        res.destroy()
        if (redirects.length >= maxRedirects) {
          throw new FetchFailed('too_many_redirects', `more than ${maxRedirects} redirects from ${url}`)
        }
        let next: URL
        try {
          next = new URL(location, target.url)
        } catch {
          throw new FetchFailed('bad_response', `invalid redirect location from ${target.url.href}`)
        }
        // Validate before the caller's hook so a refused hop always reads as refused.
        validateUrl(next, opts)
        init.onRedirect?.(target.url, next)
        redirects.push(target.url.href)
        if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET'
          body = undefined
          delete headers['content-type']
        }
        if (next.origin !== target.url.origin) {
          headers = Object.fromEntries(
            Object.entries(headers).filter(([k]) => !CREDENTIAL_HEADERS.includes(k)),
          )
        }
        current = next.href
        continue
      }

      const responseHeaders = flattenHeaders(res.headers)
      const raw = await readBody(res, maxBytes, signal, failure)
      const decoded = await decode(raw, responseHeaders['content-encoding'], maxBytes)
      const charset = /charset\s*=\s*"?([\w.:-]+)/i.exec(responseHeaders['content-type'] ?? '')?.[1]
      return {
        url: target.url.href,
        status,
        headers: responseHeaders,
        body: decoded,
        text: () => decodeText(decoded, charset),
        redirects,
      }
    }
  }
}

/** Caller headers, lower-cased; Host and Content-Length are always computed here, per hop. */
function lowerKeys(h: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(h)
      .map(([k, v]) => [k.toLowerCase(), v])
      .filter(([k]) => k !== 'host' && k !== 'content-length'),
  )
}

function flattenHeaders(h: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v
  return out
}

/** Races a promise against the signal, so a slow DNS answer cannot outlive the deadline. */
function withSignal<T>(p: Promise<T>, signal: AbortSignal, failure: () => Error): Promise<T> {
  if (signal.aborted) return Promise.reject(failure())
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(failure())
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}

/** Sends one request to the pinned address and resolves with the response head. */
function send(
  target: CheckedTarget,
  method: string,
  headers: Record<string, string>,
  body: string | Uint8Array | undefined,
  signal: AbortSignal,
  failure: () => Error,
): Promise<http.IncomingMessage> {
  const payload = typeof body === 'string' ? Buffer.from(body) : body
  const requestHeaders: Record<string, string> = { ...headers, host: target.url.host }
  if (payload) requestHeaders['content-length'] = String(payload.byteLength)
  const request = target.url.protocol === 'https:' ? https.request : http.request
  return new Promise((resolve, reject) => {
    const req = request({
      protocol: target.url.protocol,
      // The name, not the address: TLS verifies the certificate for it and SNI names it; the
      // pinned lookup makes the socket go to the checked address anyway.
      host: target.host,
      port: target.port,
      servername: target.literal ? undefined : target.host,
      path: target.url.pathname + target.url.search,
      method,
      headers: requestHeaders,
      lookup: pinnedLookup(target),
      // A fresh socket per request: a pooled one could have been connected for another check.
      agent: false,
      signal,
    })
    req.once('response', resolve)
    // 'on', not 'once': a second error after the first (say, while destroying) must not go unhandled.
    req.on('error', (err) => {
      if (signal.aborted) reject(failure())
      else
        reject(
          new FetchFailed('network', `could not fetch ${target.url.href}: ${err.message}`, { cause: err }),
        )
    })
    req.end(payload)
  })
}

/** Reads the (possibly compressed) body, refusing to hold more than maxBytes of it. */
function readBody(
  res: http.IncomingMessage,
  maxBytes: number,
  signal: AbortSignal,
  failure: () => Error,
): Promise<Uint8Array> {
  const tooLarge = () => new FetchFailed('too_large', `the response is larger than ${maxBytes} bytes`)
  const declared = Number(res.headers['content-length'])
  if (Number.isFinite(declared) && declared > maxBytes) {
    res.destroy()
    return Promise.reject(tooLarge())
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    // Settles once: destroying the response emits 'aborted' and 'error' synchronously, and those
    // must not replace the reason that made us destroy it.
    const finish = (err: Error | null) => {
      if (settled) return
      settled = true
      signal.removeEventListener('abort', onAbort)
      if (err) {
        res.destroy()
        reject(err)
      } else resolve(Buffer.concat(chunks))
    }
    const onAbort = () => finish(failure())
    signal.addEventListener('abort', onAbort, { once: true })
    res.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > maxBytes) finish(tooLarge())
      else chunks.push(chunk)
    })
    res.once('end', () => finish(null))
    res.once('error', (err) =>
      finish(
        signal.aborted
          ? failure()
          : new FetchFailed('network', `the response broke off: ${err.message}`, { cause: err }),
      ),
    )
    res.once('aborted', () =>
      finish(signal.aborted ? failure() : new FetchFailed('network', 'the response broke off')),
    )
  })
}

/**
 * Decompresses with the size cap on the output: a few kilobytes of gzip can inflate to gigabytes,
 * so the limit that matters is on what comes out.
 */
async function decode(raw: Uint8Array, encoding: string | undefined, maxBytes: number): Promise<Uint8Array> {
  const enc = (encoding ?? '').trim().toLowerCase()
  if (!enc || enc === 'identity' || raw.byteLength === 0) return raw
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength)
  const limit = { maxOutputLength: maxBytes }
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return await gunzip(buf, limit)
    if (enc === 'br') return await brotli(buf, limit)
    if (enc === 'deflate') {
      // "deflate" is meant to be zlib-wrapped, but some servers send raw deflate.
      const zlibHeader = buf.length >= 2 && (buf[0] & 0x0f) === 8 && ((buf[0] << 8) | buf[1]) % 31 === 0
      return await (zlibHeader ? inflate(buf, limit) : inflateRaw(buf, limit))
    }
  } catch (cause) {
    if ((cause as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || cause instanceof RangeError) {
      throw new FetchFailed('too_large', `the decompressed response is larger than ${maxBytes} bytes`, {
        cause,
      })
    }
    throw new FetchFailed('bad_response', `could not decompress the ${enc} response`, { cause })
  }
  throw new FetchFailed('bad_response', `unsupported content encoding "${enc}"`)
}

function decodeText(body: Uint8Array, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body)
  } catch {
    // An unknown label: UTF-8 with replacement characters beats failing the whole page.
    return new TextDecoder('utf-8').decode(body)
  }
}
