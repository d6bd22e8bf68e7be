import { expect, it } from 'vitest'
import { startServer } from '../../../api/src/server'
import { createTestDeps, readEvents, testConfig } from '../../helpers/app'
import { startFakeOpenAI } from '../../helpers/fake-openai'

it('shutdown fails readiness, ends open streams with a final event and closes cleanly', async () => {
  const deps = await createTestDeps({ SHUTDOWN_GRACE_MS: '2000' })
  const api = await startServer(testConfig({ HOST: '127.0.0.1' }), deps)
  const created = (await (
    await fetch(`${api.url}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"key":"pk_demo"}',
    })
  ).json()) as any
  const stream = await fetch(`${api.url}/v1/sessions/${created.session.id}/events`, {
    headers: { authorization: `Bearer ${created.token}` },
  })
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

it('during shutdown, /readyz answers 503 before the port closes and a send being answered still completes', async () => {
  const llm = await startFakeOpenAI()
  llm.slowMs = 800
  llm.script.push('slow-first-token')
  const deps = await createTestDeps({
    SHUTDOWN_GRACE_MS: '4000',
    LLM_API_KEY: 'k',
    LLM_BASE_URL: llm.url,
    LLM_FIRST_TOKEN_TIMEOUT_MS: '3000',
  })
  const api = await startServer(testConfig({ HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: '4000' }), deps)
  try {
    const created = (await (
      await fetch(`${api.url}/v1/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"key":"pk_demo"}',
      })
    ).json()) as any
    const sending = fetch(`${api.url}/v1/sessions/${created.session.id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${created.token}` },
      body: JSON.stringify({ content: 'How much does shipping cost?', client_message_id: 'in-flight' }),
    })
    await new Promise((r) => setTimeout(r, 300))
    const stopping = api.shutdown()
    const ready = await fetch(`${api.url}/readyz`)
    expect(ready.status).toBe(503)
    const res = await sending
    expect(res.status).toBe(200)
    expect(((await res.json()) as any).reply.content).toMatch(/According to our documentation/)
    await stopping
  } finally {
    await llm.close()
  }
})
