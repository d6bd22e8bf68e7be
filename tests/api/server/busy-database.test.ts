import http from 'node:http'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startServer, type Running } from '../../../api/src/server'
import { createTestDeps, testConfig } from '../../helpers/app'

/**
 * Embedded PGlite answers in promise jobs: while it works through a queue of statements, the event
 * loop must still poll, or a visitor whose request comes on a new connection is not even accepted
 * until the whole queue is done (Node accepts one new connection per poll). That was the tail of the
 * API benchmark at 50 visitors: 4-20 s for requests on new connections, while others were served.
 */
let api: Running
beforeAll(async () => {
  const deps = await createTestDeps({}, { embedded: true })
  api = await startServer(testConfig({ HOST: '127.0.0.1' }), deps)
})
afterAll(async () => {
  await api?.shutdown()
})

/** One request on a connection of its own, as a new visitor's browser opens. */
const onNewConnection = (path: string) =>
  new Promise<number>((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: api.port, path, agent: false }, (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
      })
      .on('error', reject)
  })

it('new connections are accepted and answered while the embedded database works through a queue', async () => {
  const pool = api.deps.pool
  const queued = 300
  let answered = 0
  const work = Array.from({ length: queued }, (_, i) =>
    pool
      .query(`select count(*)::int as n from chatbot_conversations where content <> $1`, [`q${i}`])
      .then(() => void answered++),
  )
  // Five visitors arriving one after the other, each on a new connection.
  const seen: number[] = []
  for (let i = 0; i < 5; i++) {
    expect(await onNewConnection('/healthz')).toBe(200)
    seen.push(answered)
  }
  await Promise.all(work)
  expect(answered).toBe(queued)
  // Each was answered after a few of the queued statements, not after all of them.
  expect(seen.at(-1), `statements answered before each: ${seen.join(', ')}`).toBeLessThan(queued / 2)
})
