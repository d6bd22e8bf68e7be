import { connect, type Socket } from 'node:net'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startServer } from '../../api/src/server'
import { createTestDeps, testConfig } from '../helpers/app'

/**
 * Class: one oversized body breaks the connection for other requests. Over a real server and raw
 * sockets: 413 is answered from Content-Length before the body is read, with Connection: close, and the
 * socket then closes cleanly; nothing else is lost, on that socket or any other.
 */
let api: Awaited<ReturnType<typeof startServer>>
let port: number
beforeAll(async () => {
  const deps = await createTestDeps()
  api = await startServer(testConfig({ HOST: '127.0.0.1' }), deps)
  port = Number(new URL(api.url).port)
})
afterAll(() => api.shutdown())

/** Reads from a socket until `done` says the text is complete, or the socket ends. */
function reader(socket: Socket) {
  let text = ''
  let ended = false
  const waiters: (() => void)[] = []
  socket.on('data', (d) => {
    text += d.toString('latin1')
    waiters.splice(0).forEach((w) => w())
  })
  socket.on('close', () => {
    ended = true
    waiters.splice(0).forEach((w) => w())
  })
  return {
    get text() {
      return text
    },
    get ended() {
      return ended
    },
    async until(done: (text: string, ended: boolean) => boolean, ms = 3000) {
      const deadline = Date.now() + ms
      while (!done(text, ended) && Date.now() < deadline)
        await new Promise<void>((r) => {
          waiters.push(r)
          setTimeout(r, 50)
        })
      return done(text, ended)
    },
  }
}

const open = () =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s))
    s.on('error', reject)
  })

const responses = (text: string) => text.match(/HTTP\/1\.1 \d{3}/g) ?? []

// [label, request head and the part of the body sent]
const OVERSIZED: [string, () => string][] = [
  [
    'declared 200 KB, 1 KB sent',
    () =>
      `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200000\r\n\r\n` +
      '{"key":"' +
      'a'.repeat(1000),
  ],
  [
    'declared one byte over the limit',
    () =>
      `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 65537\r\n\r\n{"key":"`,
  ],
  [
    'declared 10 GB',
    () =>
      `POST /v1/tenants/x/escalation-rules HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n`,
  ],
  [
    'chunked, over the limit',
    () => {
      const chunk = 'a'.repeat(70_000)
      return `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n`
    },
  ],
]

it.each(OVERSIZED)('%s: 413 with Connection: close, then a clean close', async (_, request) => {
  const socket = await open()
  const r = reader(socket)
  // A first request on the keep-alive socket is answered normally.
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
  expect(await r.until((t) => responses(t).length === 1)).toBe(true)
  expect(r.text).toMatch(/^HTTP\/1\.1 200/)
  // A second socket is busy meanwhile.
  const other = await open()
  const o = reader(other)

  socket.write(request())
  expect(await r.until((t) => responses(t).length === 2)).toBe(true)
  const second = r.text.slice(r.text.lastIndexOf('HTTP/1.1'))
  expect(second).toMatch(/^HTTP\/1\.1 413/)
  expect(second.toLowerCase()).toContain('connection: close')
  expect(second).toContain('payload_too_large')
  // The server ends the socket by itself, cleanly (FIN), soon.
  expect(await r.until((_t, ended) => ended, 2000)).toBe(true)

  // The other connection is untouched: several requests in a row on it all get their answer.
  for (let i = 0; i < 3; i++) other.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
  expect(await o.until((t) => responses(t).length === 3)).toBe(true)
  expect(responses(o.text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200', 'HTTP/1.1 200'])
  other.destroy()
})

it('a body within the limit keeps the connection alive', async () => {
  const socket = await open()
  const r = reader(socket)
  const body = JSON.stringify({ key: 'pk_demo' })
  socket.write(
    `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  )
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n')
  expect(await r.until((t) => responses(t).length === 2)).toBe(true)
  expect(responses(r.text)).toEqual(['HTTP/1.1 201', 'HTTP/1.1 200'])
  expect(r.ended).toBe(false)
  socket.destroy()
})
