import http from 'node:http'
import https from 'node:https'
import type { LookupFunction } from 'node:net'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { checkTarget, validateUrl, type AddressPolicy, type CheckedTarget } from './address-policy'
import { FetchFailed } from './errors'

/**
 * The one way the API talks to the outside world (crawler, webhooks): every hop goes through the
 * address policy (address-policy.ts), and the socket is pinned to the address the policy checked.
 * Redirects are followed by hand, bodies are capped (after decompression) and the whole fetch has
 * one deadline.
 */

/** What the guard allows; the defaults are the production policy. */
interface GuardOptions extends AddressPolicy {
  /** Largest body accepted, counted after decompression (default 5 MB). */
  maxBytes?: number
  /** Deadline for the whole fetch, redirects and DNS included (default 10 s). */
  timeoutMs?: number
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number
  userAgent?: string
}

/** One request's settings; the size and time limits override the guard's for this call only. */
interface GuardedFetchInit {
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

const DEFAULTS = {
  maxBytes: 5 * 1024 * 1024,
  timeoutMs: 10_000,
  maxRedirects: 5,
  userAgent: 'ParleyBot/1.0 (+https://parley.invalid/bot)',
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
