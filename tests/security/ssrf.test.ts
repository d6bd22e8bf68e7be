import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import {
  FetchBlocked,
  FetchFailed,
  checkAddress,
  checkTarget,
  createGuardedFetch,
  validateUrl,
  type GuardLookup,
} from '../../api/src/net'

// No test here connects to a public address: public targets are only validated, with injected DNS.

interface TestServer {
  port: number
  url: string
  /** "METHOD path" of every request received. */
  requests: string[]
  /** The headers of every request received. */
  headers: http.IncomingHttpHeaders[]
  /** The local address each request arrived on. */
  localAddresses: string[]
  close(): Promise<void>
}

const servers: TestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(handler: http.RequestListener, host = '127.0.0.1', port = 0): Promise<TestServer> {
  const requests: string[] = []
  const headers: http.IncomingHttpHeaders[] = []
  const localAddresses: string[] = []
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`)
    headers.push(req.headers)
    localAddresses.push(req.socket.localAddress ?? '')
    handler(req, res)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  const actual = (server.address() as AddressInfo).port
  const s: TestServer = {
    port: actual,
    url: `http://${host}:${actual}`,
    requests,
    headers,
    localAddresses,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  servers.push(s)
  return s
}

function redirectTo(location: string, status = 302): http.RequestListener {
  return (_req, res) => {
    res.writeHead(status, { location })
    res.end()
  }
}

/** Awaits a promise expected to reject and returns the error. */
async function failure(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (err) {
    return err as Error
  }
  throw new Error('expected a rejection')
}

function blockedReason(url: string, opts = {}): string {
  try {
    validateUrl(url, opts)
  } catch (err) {
    expect(err).toBeInstanceOf(FetchBlocked)
    expect((err as FetchBlocked).code).toBe('fetch_blocked')
    return (err as Error).message
  }
  throw new Error(`${url} was not refused`)
}

describe('validateUrl refuses', () => {
  // [url, what the message must say]: the WHATWG URL parser normalises every IPv4 spelling to
  // dotted decimal before the address check, which these rows prove for each spelling.
  const refused: [string, RegExp][] = [
    ['http://10.0.0.5/', /10\.0\.0\.5 is a private address/],
    ['http://172.16.0.1/', /172\.16\.0\.1 is a private address/],
    ['http://172.31.255.254/', /private/],
    ['http://192.168.1.1/', /192\.168\.1\.1 is a private address/],
    ['http://127.0.0.1/', /127\.0\.0\.1 is a loopback address/],
    ['http://127.1/', /127\.0\.0\.1 is a loopback/],
    ['http://2130706433/', /127\.0\.0\.1 is a loopback/],
    ['http://0x7f000001/', /127\.0\.0\.1 is a loopback/],
    ['http://0177.0.0.1/', /127\.0\.0\.1 is a loopback/],
    ['http://0x7f.1/', /127\.0\.0\.1 is a loopback/],
    ['http://127.0.0.1./', /127\.0\.0\.1 is a loopback/],
    ['http://127。0。0。1/', /127\.0\.0\.1 is a loopback/],
    ['http://%31%32%37.0.0.1/', /127\.0\.0\.1 is a loopback/],
    ['http://127.255.255.254:80/', /loopback/],
    ['http://[::1]/', /::1 is a loopback address/],
    ['http://[0:0:0:0:0:0:0:1]/', /loopback/],
    ['http://[::ffff:127.0.0.1]/', /IPv4-mapped address embedding 127\.0\.0\.1 is a loopback/],
    ['http://[::ffff:7f00:1]/', /IPv4-mapped address embedding 127\.0\.0\.1/],
    ['http://[0:0:0:0:0:ffff:127.0.0.1]/', /IPv4-mapped/],
    ['http://[::ffff:10.0.0.1]/', /embedding 10\.0\.0\.1 is a private address/],
    ['http://[::ffff:169.254.169.254]/', /embedding 169\.254\.169\.254 is a link-local/],
    ['http://[::127.0.0.1]/', /IPv4-compatible/],
    ['http://[::ffff:0:a00:1]/', /IPv4-translated address embedding 10\.0\.0\.1/],
    ['http://[64:ff9b::10.0.0.1]/', /NAT64 address embedding 10\.0\.0\.1/],
    ['http://[64:ff9b:1::a00:1]/', /local-use NAT64/],
    ['http://[2002:a9fe:a9fe::1]/', /6to4 address embedding 169\.254\.169\.254/],
    ['http://[2002:7f00:1::]/', /6to4 address embedding 127\.0\.0\.1/],
    // Teredo: server 65.54.227.120, client 127.0.0.1 stored bit-inverted (80ff:fffe).
    ['http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/', /Teredo address embedding 127\.0\.0\.1/],
    ['http://[fc00::1]/', /unique-local/],
    ['http://[fd00:ec2::254]/', /unique-local.*cloud metadata/],
    ['http://[fe80::1]/', /link-local/],
    ['http://[febf::1]/', /link-local/],
    ['http://[ff02::1]/', /multicast/],
    ['http://[::]/', /unspecified/],
    ['http://[2001:db8::1]/', /reserved/],
    [
      'http://169.254.169.254/latest/meta-data',
      /169\.254\.169\.254 is a link-local address \(cloud metadata endpoint\)/,
    ],
    ['http://169.254.170.2/v2/credentials', /link-local/],
    ['http://100.64.0.1/', /100\.64\.0\.1 is a carrier-grade NAT/],
    ['http://100.100.100.200/latest/meta-data', /carrier-grade NAT.*cloud metadata/],
    ['http://0.0.0.0/', /0\.0\.0\.0 is an unspecified address/],
    ['http://0/', /0\.0\.0\.0 is an unspecified/],
    ['http://0.1.2.3/', /unspecified/],
    ['http://224.0.0.1/', /multicast/],
    ['http://255.255.255.255/', /broadcast/],
    ['http://240.0.0.1/', /reserved/],
    ['http://198.18.0.1/', /reserved/],
    ['http://192.0.0.192/', /reserved.*cloud metadata/],
    ['http://192.0.2.1/', /reserved/],
    [
      'http://metadata.google.internal/computeMetadata/v1/',
      /metadata\.google\.internal is an internal host name/,
    ],
    ['http://METADATA.GOOGLE.INTERNAL./', /internal host name/],
    ['http://metadata.goog/', /internal host name/],
    ['http://metadata/', /internal host name/],
    ['http://instance-data/latest/', /internal host name/],
    ['http://ip-10-0-0-1.ec2.internal/', /internal host name/],
    ['http://localhost/', /localhost is an internal host name/],
    ['http://ⓛⓞⓒⓐⓛⓗⓞⓢⓣ/', /localhost is an internal host name/],
    ['http://api.localhost/', /internal host name/],
    ['http://printer.local/', /internal host name/],
    ['http://intranet/', /not a fully qualified host name/],
    ['ftp://example.com/file', /the ftp scheme is not allowed/],
    ['file:///etc/passwd', /the file scheme is not allowed/],
    ['gopher://example.com:70/_GET', /the gopher scheme is not allowed/],
    ['dict://example.com:11211/stat', /dict scheme/],
    ['javascript:alert(1)', /javascript scheme/],
    ['data:text/html,hi', /data scheme/],
    ['ws://example.com/', /ws scheme/],
    ['http://user:pass@example.com/', /credentials/],
    ['http://user@example.com/', /credentials/],
    ['http://93.184.216.34:22/', /port 22 is not allowed/],
    ['http://93.184.216.34:6379/', /port 6379 is not allowed/],
    ['https://example.com:8443/', /port 8443 is not allowed/],
    ['http://example.com:5432/', /port 5432/],
    ['http://[fe80::1%25eth0]/', /not a valid URL/],
    ['not a url', /not a valid URL/],
    ['http://', /not a valid URL/],
  ]
  it.each(refused)('%s', (url, reason) => {
    expect(blockedReason(url)).toMatch(reason)
  })

  it('refuses private addresses even when loopback is allowed', () => {
    for (const url of [
      'http://10.0.0.1/',
      'http://169.254.169.254/',
      'http://[::ffff:10.0.0.1]/',
      'http://metadata.google.internal/',
    ]) {
      expect(blockedReason(url, { allowLoopback: true })).toMatch(/refused/)
    }
  })

  it('allows other ports on loopback only when loopback is allowed', () => {
    expect(blockedReason('http://127.0.0.1:6379/')).toMatch(/loopback/)
    expect(validateUrl('http://127.0.0.1:6379/', { allowLoopback: true }).port).toBe('6379')
    expect(validateUrl('http://[::1]:8080/', { allowLoopback: true }).hostname).toBe('[::1]')
    expect(blockedReason('http://93.184.216.34:6379/', { allowLoopback: true })).toMatch(/port 6379/)
  })
})

describe('validateUrl accepts', () => {
  it.each([
    'http://93.184.216.34/',
    'https://93.184.216.34/',
    'http://93.184.216.34:80/a?b=c',
    'https://example.com/path?q=1',
    'https://www.example.com./',
    'http://[2606:2800:220:1:248:1893:25c8:1946]/',
    'http://[::ffff:93.184.216.34]/',
    'http://[2002:5db8:d822::1]/',
    'http://[64:ff9b::8.8.8.8]/',
    'http://8.8.8.8:443/',
  ])('%s', (url) => {
    expect(validateUrl(url)).toBeInstanceOf(URL)
  })

  it('allows extra ports when configured', () => {
    expect(validateUrl('https://example.com:8443/', { allowedPorts: [443, 8443] }).port).toBe('8443')
  })
})

describe('checkAddress', () => {
  it.each([
    ['10.0.0.1', /private/],
    ['10.255.255.255', /private/],
    ['172.16.0.0', /private/],
    ['192.168.0.1', /private/],
    ['127.0.0.1', /loopback/],
    ['127.8.9.10', /loopback/],
    ['169.254.0.1', /link-local/],
    ['169.254.169.254', /cloud metadata/],
    ['100.64.0.0', /carrier-grade NAT/],
    ['100.127.255.255', /carrier-grade NAT/],
    ['0.0.0.0', /unspecified/],
    ['239.255.255.250', /multicast/],
    ['198.19.255.255', /reserved/],
    ['::1', /loopback/],
    ['::', /unspecified/],
    ['::ffff:192.168.1.1', /IPv4-mapped.*private/],
    ['::ffff:c0a8:101', /IPv4-mapped.*private/],
    ['fd12:3456::1', /unique-local/],
    ['fe80::abcd', /link-local/],
    ['ff05::2', /multicast/],
    ['[::1]', /loopback/],
    ['0177.0.0.1', /loopback/],
    ['not-an-ip', /not an IP address/],
    ['', /not an IP address/],
  ])('refuses %s', (ip, reason) => {
    const v = checkAddress(ip)
    expect(v.allowed).toBe(false)
    if (!v.allowed) expect(v.reason).toMatch(reason)
  })

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '1.1.1.1',
    '100.63.255.255',
    '100.128.0.0',
    '172.32.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001:81b::200e',
  ])('allows public %s', (ip) => {
    expect(checkAddress(ip)).toEqual({ allowed: true })
  })

  it('lets loopback through only with allowLoopback', () => {
    expect(checkAddress('127.0.0.1', { allowLoopback: true })).toEqual({ allowed: true })
    expect(checkAddress('::1', { allowLoopback: true })).toEqual({ allowed: true })
    expect(checkAddress('::ffff:127.0.0.1', { allowLoopback: true })).toEqual({ allowed: true })
    expect(checkAddress('10.0.0.1', { allowLoopback: true }).allowed).toBe(false)
    expect(checkAddress('169.254.169.254', { allowLoopback: true }).allowed).toBe(false)
  })
})

describe('checkTarget (DNS)', () => {
  const dnsTable =
    (table: Record<string, string[]>): GuardLookup =>
    async (host) => {
      const answers = table[host]
      if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' })
      return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))
    }
  const lookup = dnsTable({
    'public.example': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'],
    'mixed.example': ['93.184.216.34', '10.0.0.1'],
    'mixed6.example': ['2606:2800:220:1:248:1893:25c8:1946', 'fd00::1'],
    'meta.example': ['169.254.169.254'],
    'mapped.example': ['::ffff:127.0.0.1'],
    'loop.example': ['127.0.0.1'],
    'empty.example': [],
  })

  it('pins a public name to the address it checked', async () => {
    const t = await checkTarget('https://public.example/page', { lookup })
    expect(t).toMatchObject({
      host: 'public.example',
      port: 443,
      address: '93.184.216.34',
      family: 4,
      literal: false,
    })
  })

  it('refuses a name with one private address among public ones', async () => {
    const err = await failure(checkTarget('http://mixed.example/', { lookup }))
    expect(err).toBeInstanceOf(FetchBlocked)
    expect(err.message).toBe('refused: 10.0.0.1 is a private address (mixed.example resolves to it)')
    expect((await failure(checkTarget('http://mixed6.example/', { lookup }))).message).toMatch(
      /fd00::1 is a unique-local/,
    )
  })

  it('refuses names that resolve to metadata, mapped loopback or loopback', async () => {
    expect((await failure(checkTarget('http://meta.example/', { lookup }))).message).toMatch(/cloud metadata/)
    expect((await failure(checkTarget('http://mapped.example/', { lookup }))).message).toMatch(
      /embedding 127\.0\.0\.1/,
    )
    expect((await failure(checkTarget('http://loop.example/', { lookup }))).message).toMatch(/loopback/)
    await expect(
      checkTarget('http://loop.example:9999/', { lookup, allowLoopback: true }),
    ).resolves.toMatchObject({
      address: '127.0.0.1',
      port: 9999,
    })
  })

  it('keeps other ports for loopback answers only', async () => {
    const err = await failure(checkTarget('http://public.example:8080/', { lookup, allowLoopback: true }))
    expect(err).toBeInstanceOf(FetchBlocked)
    expect(err.message).toMatch(/port 8080 is not allowed/)
  })

  it('reports names that do not resolve as FetchFailed', async () => {
    for (const url of ['http://nowhere.example/', 'http://empty.example/']) {
      const err = await failure(checkTarget(url, { lookup }))
      expect(err).toBeInstanceOf(FetchFailed)
      expect((err as FetchFailed).reason).toBe('network')
    }
  })

  it('does not resolve IP literals', async () => {
    let calls = 0
    const counting: GuardLookup = async () => {
      calls++
      return []
    }
    await expect(checkTarget('http://93.184.216.34/', { lookup: counting })).resolves.toMatchObject({
      address: '93.184.216.34',
      literal: true,
    })
    expect(calls).toBe(0)
  })
})

describe('guardedFetch against local servers', () => {
  it('refuses a local server by default and never connects to it', async () => {
    const site = await serve((_req, res) => res.end('secret'))
    const err = await failure(createGuardedFetch()(site.url + '/'))
    expect(err).toBeInstanceOf(FetchBlocked)
    expect(err.message).toMatch(/127\.0\.0\.1 is a loopback address/)
    expect(site.requests).toEqual([])
  })

  it('fetches from loopback when the test flag allows it', async () => {
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'x-thing': 'yes' })
      res.end('héllo')
    })
    const res = await createGuardedFetch({ allowLoopback: true })(site.url + '/hi?x=1', {
      accept: 'text/plain',
    })
    expect(res).toMatchObject({ url: site.url + '/hi?x=1', status: 200, redirects: [] })
    expect(res.text()).toBe('héllo')
    expect(res.headers['x-thing']).toBe('yes')
    expect(site.headers[0]['user-agent']).toBe('ParleyBot/1.0 (+https://parley.invalid/bot)')
    expect(site.headers[0].accept).toBe('text/plain')
  })

  it.each([
    ['http://10.0.0.1/', /10\.0\.0\.1 is a private address/],
    ['http://169.254.169.254/latest/meta-data/', /cloud metadata/],
    ['http://[::ffff:a9fe:a9fe]/', /embedding 169\.254\.169\.254/],
    ['http://2852039166/', /169\.254\.169\.254/],
    ['http://metadata.google.internal/computeMetadata/v1/', /internal host name/],
    ['gopher://127.0.0.1:6379/_FLUSHALL', /gopher scheme/],
    ['file:///etc/passwd', /file scheme/],
  ])('refuses a redirect from an allowed server to %s', async (location, reason) => {
    const site = await serve(redirectTo(location))
    const err = await failure(createGuardedFetch({ allowLoopback: true })(site.url + '/start'))
    expect(err).toBeInstanceOf(FetchBlocked)
    expect(err.message).toMatch(reason)
    expect(site.requests).toEqual(['GET /start'])
  })

  it('re-resolves and re-checks DNS on every redirect hop', async () => {
    const site = await serve(redirectTo('http://internal.example/admin'))
    const lookup: GuardLookup = async (host) => {
      if (host === 'internal.example') return [{ address: '192.168.0.10', family: 4 }]
      throw new Error('unexpected lookup')
    }
    const err = await failure(createGuardedFetch({ allowLoopback: true, lookup })(site.url + '/'))
    expect(err).toBeInstanceOf(FetchBlocked)
    expect(err.message).toBe('refused: 192.168.0.10 is a private address (internal.example resolves to it)')
  })

  it('follows allowed redirects, records them, and turns a 303 POST into a GET', async () => {
    const target = await serve((req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      res.end(`${req.method} ${req.url}`)
    })
    const site = await serve((req, res) => {
      if (req.url === '/a') return redirectTo('/b', 301)(req, res)
      if (req.url === '/b') return redirectTo(`${target.url}/c`, 303)(req, res)
      res.end()
    })
    const res = await createGuardedFetch({ allowLoopback: true })(site.url + '/a', {
      method: 'POST',
      body: 'x=1',
      headers: { authorization: 'Bearer secret', 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(res.text()).toBe('GET /c')
    expect(res.url).toBe(`${target.url}/c`)
    expect(res.redirects).toEqual([`${site.url}/a`, `${site.url}/b`])
    expect(site.requests).toEqual(['POST /a', 'GET /b'])
    expect(site.headers[0].authorization).toBe('Bearer secret')
    // Another origin (another port) must not receive the credentials.
    expect(target.headers[0].authorization).toBeUndefined()
  })

  it('gives up after maxRedirects', async () => {
    const site = await serve((req, res) => redirectTo(`/r${Number(req.url!.slice(2) || 0) + 1}`)(req, res))
    const err = await failure(createGuardedFetch({ allowLoopback: true, maxRedirects: 3 })(site.url + '/r0'))
    expect(err).toBeInstanceOf(FetchFailed)
    expect((err as FetchFailed).reason).toBe('too_many_redirects')
    expect(site.requests).toHaveLength(4)
  })

  it('lets the caller veto a redirect hop', async () => {
    const site = await serve(redirectTo('/elsewhere'))
    const veto = new Error('no thanks')
    const err = await failure(
      createGuardedFetch({ allowLoopback: true })(site.url + '/', {
        onRedirect: () => {
          throw veto
        },
      }),
    )
    expect(err).toBe(veto)
    expect(site.requests).toEqual(['GET /'])
  })
})

describe('DNS rebinding', () => {
  it('refuses a name that answers with loopback when loopback is not allowed', async () => {
    const site = await serve((_req, res) => res.end('internal'))
    const lookup: GuardLookup = async () => [{ address: '127.0.0.1', family: 4 }]
    const err = await failure(
      createGuardedFetch({ lookup, allowedPorts: [site.port] })(`http://rebind.example:${site.port}/`),
    )
    expect(err).toBeInstanceOf(FetchBlocked)
    expect(err.message).toMatch(/127\.0\.0\.1 is a loopback address \(rebind\.example resolves to it\)/)
    expect(site.requests).toEqual([])
  })

  it('connects to the address it checked: one lookup per request, no second resolution at connect time', async () => {
    // Two servers on the same port: 127.0.0.1 stands for the address that was checked, 127.0.0.2
    // for what a rebinding DNS answers next. A client that resolved again at connect time (or used
    // the system resolver) would reach the second one.
    const checked = await serve((req, res) => res.end(`checked ${req.headers.host}`))
    const rebound = await serve((_req, res) => res.end('rebound'), '127.0.0.2', checked.port)
    const calls: string[] = []
    const lookup: GuardLookup = async (host) => {
      calls.push(host)
      return [{ address: calls.length === 1 ? '127.0.0.1' : '127.0.0.2', family: 4 }]
    }
    const fetch = createGuardedFetch({ allowLoopback: true, lookup })
    const url = `http://pinned.example:${checked.port}/`
    const first = await fetch(url)
    expect(first.text()).toBe(`checked pinned.example:${checked.port}`)
    expect(calls).toEqual(['pinned.example'])
    expect(checked.localAddresses).toEqual(['127.0.0.1'])
    expect(rebound.requests).toEqual([])

    // The next request resolves once more and its socket follows that one answer.
    expect((await fetch(url)).text()).toBe('rebound')
    expect(calls).toEqual(['pinned.example', 'pinned.example'])
    expect(checked.requests).toHaveLength(1)
  })

  it('resolves each redirect hop exactly once', async () => {
    const site = await serve((req, res) => {
      if (req.url === '/start') return redirectTo(`http://hop.example:${site.port}/next`)(req, res)
      res.end(`done ${req.headers.host}`)
    })
    const calls: string[] = []
    const lookup: GuardLookup = async (host) => {
      calls.push(host)
      return [{ address: '127.0.0.1', family: 4 }]
    }
    const res = await createGuardedFetch({ allowLoopback: true, lookup })(
      `http://first.example:${site.port}/start`,
    )
    expect(res.text()).toBe(`done hop.example:${site.port}`)
    expect(calls).toEqual(['first.example', 'hop.example'])
  })
})

describe('size and time limits', () => {
  it('refuses a body larger than maxBytes, declared or streamed', async () => {
    const big = Buffer.alloc(100_000, 'a')
    const declared = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(big.length) })
      res.end(big)
    })
    const chunked = await serve((_req, res) => {
      res.writeHead(200)
      for (let i = 0; i < 10; i++) res.write(big.subarray(0, 10_000))
      res.end()
    })
    const fetch = createGuardedFetch({ allowLoopback: true, maxBytes: 50_000 })
    for (const site of [declared, chunked]) {
      const err = await failure(fetch(site.url + '/'))
      expect(err).toBeInstanceOf(FetchFailed)
      expect((err as FetchFailed).reason).toBe('too_large')
    }
    // A per-call limit overrides the guard's.
    await expect(fetch(chunked.url + '/', { maxBytes: 200_000 })).resolves.toMatchObject({ status: 200 })
  })

  it('caps the decompressed size (gzip bomb) and decompresses honest bodies', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024))
    expect(bomb.length).toBeLessThan(100_000)
    const site = await serve((req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-type': 'text/plain' })
      res.end(req.url === '/bomb' ? bomb : gzipSync('small and honest'))
    })
    const fetch = createGuardedFetch({ allowLoopback: true, maxBytes: 1024 * 1024 })
    const err = await failure(fetch(site.url + '/bomb'))
    expect(err).toBeInstanceOf(FetchFailed)
    expect((err as FetchFailed).reason).toBe('too_large')
    expect(err.message).toMatch(/decompressed/)
    expect((await fetch(site.url + '/ok')).text()).toBe('small and honest')
  })

  it('times out on a server that never answers', async () => {
    const site = await serve(() => {
      // Never responds.
    })
    const started = Date.now()
    const err = await failure(createGuardedFetch({ allowLoopback: true, timeoutMs: 200 })(site.url + '/'))
    expect(err).toBeInstanceOf(FetchFailed)
    expect((err as FetchFailed).reason).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('times out on a body that trickles in (the deadline covers the whole fetch)', async () => {
    const site = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' })
      const timer = setInterval(() => res.write('.'), 50)
      res.on('close', () => clearInterval(timer))
    })
    const started = Date.now()
    const err = await failure(createGuardedFetch({ allowLoopback: true })(site.url + '/', { timeoutMs: 300 }))
    expect(err).toBeInstanceOf(FetchFailed)
    expect((err as FetchFailed).reason).toBe('timeout')
    expect(Date.now() - started).toBeLessThan(10_000)
  })

  it('reports a refused connection as a network failure', async () => {
    const site = await serve((_req, res) => res.end())
    await site.close()
    const err = await failure(createGuardedFetch({ allowLoopback: true })(site.url + '/'))
    expect(err).toBeInstanceOf(FetchFailed)
    expect((err as FetchFailed).reason).toBe('network')
  })
})
