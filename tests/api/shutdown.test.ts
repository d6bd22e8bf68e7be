import { expect, it } from 'vitest'
import { startServer } from '../../api/src/server'
import { createTestDeps, readEvents, testConfig } from '../helpers/app'

it('shutdown fails readiness, ends open streams with a final event and closes cleanly', async () => {
  const deps = await createTestDeps({ SHUTDOWN_GRACE_MS: '2000' })
  const api = await startServer(testConfig({ HOST: '127.0.0.1' }), deps)
  const created = (await (await fetch(`${api.url}/v1/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"key":"pk_demo"}' })).json()) as any
  const stream = await fetch(`${api.url}/v1/sessions/${created.session.id}/events`, { headers: { authorization: `Bearer ${created.token}` } })
  expect(stream.status).toBe(200)
  const reading = readEvents(stream, (e) => e.some((x) => x.event === 'bye'))
  await new Promise((r) => setTimeout(r, 100))
  expect(deps.streams.size).toBe(1)
  const stopping = api.shutdown()
  expect(deps.state.ready).toBe(false)
  const events = await reading
  expect(events.at(-1)).toMatchObject({ event: 'bye', data: { reason: 'server_shutdown' } })
  await stopping
  await expect(fetch(`${api.url}/healthz`)).rejects.toThrow()
})
