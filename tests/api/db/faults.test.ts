import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, readEvents, TENANT, type TestApp } from '../../helpers/app'
import { admin, killBackends, serverUrl, until } from './server'

// Server only: PGlite has no backends to kill. Run with TEST_DATABASE_URL (see .ci/run).
describe.skipIf(!serverUrl())('a PostgreSQL server losing its connections', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp({ DB_CONNECT_TIMEOUT_MS: '2000' })
  })
  afterAll(async () => {
    await t?.close()
  })

  it('keeps the process, fails /readyz while live delivery is down, and a stream gets the reply sent after recovery', async () => {
    const url = t.deps.config.DATABASE_URL
    const v = await t.visitor()
    const agent = await t.login()
    expect((await t.app.request('/readyz')).status).toBe(200)
    const first = await v.send('hello?')
    expect(first.status).toBe(200)
    const seen = ((await v.messages()) as { seq: number }[]).at(-1)!.seq

    // A stream opened before the fault is ended with a resync once live delivery is back.
    const before = await t.json('GET', `/v1/sessions/${v.id}/events`, undefined, v.auth)
    expect(await killBackends(url)).toBeGreaterThan(0)
    let sawDown = false
    await until(
      async () => {
        const res = await t.app.request('/readyz')
        if (res.status === 503) sawDown = true
        return sawDown && res.status === 200
      },
      15_000,
      '/readyz to fail, then recover',
    )
    expect(sawDown).toBe(true)
    const bye = await readEvents(before, (e) => e.some((x) => x.event === 'bye'), 10_000)
    expect(bye.at(-1)).toMatchObject({ event: 'bye', data: { reason: 'resync' } })

    // The client reconnects from its cursor; the agent's reply, sent after recovery, arrives live.
    const after = await t.json('GET', `/v1/sessions/${v.id}/events`, undefined, {
      ...v.auth,
      'last-event-id': String(seen),
    })
    const reply = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${v.id}/messages`,
      { content: 'Back after the restart.' },
      agent,
    )
    expect(reply.status).toBe(201)
    const events = await readEvents(after, (e) =>
      e.some((x) => x.event === 'message' && x.data.content === 'Back after the restart.'),
    )
    expect(events.some((x) => x.event === 'message' && x.data.content === 'Back after the restart.')).toBe(
      true,
    )

    // Requests work again on fresh connections (the pool dropped the killed ones), as do sends.
    expect((await v.send('still there?')).status).toBe(200)
  })

  it('answers 503 unavailable while the database cannot be reached, then recovers', async () => {
    // Every pool connection is killed and new ones refused (allow_connections off) for a moment.
    const url = t.deps.config.DATABASE_URL
    const db = new URL(url).pathname.slice(1)
    await admin(`alter database ${db} allow_connections false`)
    try {
      await killBackends(url)
      const res = await t.json('POST', '/v1/sessions', { key: 'pk_demo' })
      expect(res.status).toBe(503)
      expect(((await res.json()) as any).error.code).toBe('unavailable')
      expect((await t.app.request('/readyz')).status).toBe(503)
    } finally {
      await admin(`alter database ${db} allow_connections true`)
    }
    await until(async () => (await t.app.request('/readyz')).status === 200, 15_000, 'recovery')
    expect((await t.json('POST', '/v1/sessions', { key: 'pk_demo' })).status).toBe(201)
  })
})
