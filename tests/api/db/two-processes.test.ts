import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../../api/src/app'
import type { Deps } from '../../../api/src/deps'
import { createDeps } from '../../../api/src/server'
import { createTestApp, readEvents, TENANT, testConfig, type TestApp } from '../../helpers/app'
import { admin, serverUrl } from './server'

// Two API processes on one database: what one writes, the other's streams hear (NOTIFY), and a
// retried send lands on the first result whichever process takes it.
describe.skipIf(!serverUrl())('two API instances on one PostgreSQL database', () => {
  let a: TestApp
  let bDeps: Deps
  let b: ReturnType<typeof createApp>
  beforeAll(async () => {
    a = await createTestApp()
    // B listens on its own URL, as a deployment whose DATABASE_URL is a transaction pooler does.
    const listen = new URL(a.deps.config.DATABASE_URL)
    listen.searchParams.set('application_name', 'parley_listen_b')
    bDeps = await createDeps(
      testConfig({ DATABASE_URL: a.deps.config.DATABASE_URL, LISTEN_DATABASE_URL: listen.toString() }),
      { migrate: false },
    )
    b = createApp(bDeps)
  })
  afterAll(async () => {
    await bDeps?.worker?.stop()
    await bDeps?.notifier?.stop()
    bDeps?.limiters.close()
    await bDeps?.bus.close()
    await bDeps?.db.close()
    await a?.close()
  })
  const onB = (method: string, path: string, body: unknown, headers: Record<string, string>) =>
    b.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    })

  it('a stream on A gets the agent reply posted through B', async () => {
    const v = await a.visitor()
    const agent = await a.login() // one JWT_SECRET: B accepts A's token
    const stream = await a.json('GET', `/v1/sessions/${v.id}/events`, undefined, v.auth)
    const reply = await onB(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${v.id}/messages`,
      { content: 'Hello from B.' },
      agent,
    )
    expect(reply.status).toBe(201)
    const events = await readEvents(stream, (e) => e.some((x) => x.data?.content === 'Hello from B.'))
    expect(events.some((x) => x.event === 'message' && x.data.content === 'Hello from B.')).toBe(true)
  })

  it('B listens through LISTEN_DATABASE_URL, and a stream on B gets a message sent through A', async () => {
    const db = new URL(a.deps.config.DATABASE_URL).pathname.slice(1)
    const rows = await admin(
      `select query from pg_stat_activity where datname = $1 and application_name = 'parley_listen_b'`,
      [db],
    )
    expect(rows).toHaveLength(1)
    const v = await a.visitor()
    const agent = await a.login()
    const stream = await b.request(`/v1/sessions/${v.id}/events`, { headers: v.auth })
    const sent = await a.json(
      'POST',
      `/v1/tenants/${TENANT}/sessions/${v.id}/messages`,
      { content: 'Hello from A.' },
      agent,
    )
    expect(sent.status).toBe(201)
    const events = await readEvents(stream, (e) => e.some((x) => x.data?.content === 'Hello from A.'))
    expect(events.some((x) => x.event === 'message' && x.data.content === 'Hello from A.')).toBe(true)
  })

  it('a retry on B of a send first made on A returns the first result', async () => {
    const v = await a.visitor()
    const id = crypto.randomUUID()
    const first = await v.send('How much does shipping cost?', id)
    expect(first.status).toBe(200)
    const firstBody = (await first.json()) as any
    const retry = await onB(
      'POST',
      `/v1/sessions/${v.id}/messages`,
      { content: 'How much does shipping cost?', client_message_id: id },
      v.auth,
    )
    expect(retry.status).toBe(200)
    const retryBody = (await retry.json()) as any
    expect(retryBody.message.id).toBe(firstBody.message.id)
    expect(retryBody.reply?.id).toBe(firstBody.reply?.id)
    expect((await v.messages()).filter((m: any) => m.message_type === 'user')).toHaveLength(1)
  })
})
