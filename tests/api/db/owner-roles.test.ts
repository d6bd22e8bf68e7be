import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../../api/src/app'
import { seedDemo } from '../../../api/src/demo'
import type { Deps } from '../../../api/src/deps'
import { createDeps } from '../../../api/src/server'
import { databaseUrl } from '../../helpers/global-setup'
import { AGENT, DEMO_ORIGIN, TENANT, testConfig } from '../../helpers/app'
import { admin, serverUrl } from './server'

// Supabase's `postgres` is not a superuser: it migrates, and the API then works as parley_app per
// transaction (`set local role`), never per connection, which a transaction pooler would not keep.
describe.skipIf(!serverUrl())('a non-superuser owner', () => {
  const tag = crypto.randomUUID().slice(0, 8)
  const owner = `parley_owner_${tag}`
  const stranger = `parley_login_${tag}`
  const db = `parley_test_owner_${tag}`
  const as = (role: string) => {
    const u = new URL(databaseUrl(serverUrl(), db))
    u.username = role
    u.password = ''
    return u.toString()
  }
  let deps: Deps | undefined
  beforeAll(async () => {
    // What Supabase's postgres has: CREATEROLE and BYPASSRLS, not SUPERUSER.
    await admin(`create role ${owner} login createrole bypassrls nosuperuser`)
    await admin(`create role ${stranger} login nosuperuser`)
    await admin(`create database ${db} owner ${owner}`)
  })
  afterAll(async () => {
    if (deps) {
      await deps.worker?.stop()
      await deps.notifier?.stop()
      deps.limiters.close()
      await deps.bus.close()
      await deps.db.close()
    }
    await admin(`drop database if exists ${db} with (force)`)
    await admin(`drop role if exists ${stranger}`)
    await admin(`drop role if exists ${owner}`)
  })

  it('migrates, works as parley_app in each transaction, and serves both sides', async () => {
    deps = await createDeps(testConfig({ DATABASE_URL: as(owner) }))
    await seedDemo({ deps }, [DEMO_ORIGIN])
    // Inside a transaction the role is parley_app; the connection itself stays the login role.
    expect((await deps.pool.query('select current_user as r')).rows[0].r).toBe('parley_app')
    const client = await deps.pool.connect()
    try {
      expect((await client.query('select current_user as r')).rows[0].r).toBe(owner)
    } finally {
      client.release()
    }
    const app = createApp(deps)
    const json = (path: string, body: unknown, headers: Record<string, string> = {}) =>
      app.request(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      })
    const created = await json('/v1/sessions', { key: 'pk_demo' })
    expect(created.status).toBe(201)
    const { session, token } = (await created.json()) as any
    const sent = await json(
      `/v1/sessions/${session.id}/messages`,
      { content: 'How much does shipping cost?', client_message_id: crypto.randomUUID() },
      { authorization: `Bearer ${token}` },
    )
    expect(sent.status).toBe(200)
    const login = await json('/v1/auth/login', AGENT)
    expect(login.status).toBe(200)
    const { access_token } = (await login.json()) as any
    const list = await app.request(`/v1/tenants/${TENANT}/sessions`, {
      headers: { authorization: `Bearer ${access_token}` },
    })
    expect(list.status).toBe(200)
  })

  it('refuses to start, saying what to grant, when the login role cannot become parley_app', async () => {
    await expect(createDeps(testConfig({ DATABASE_URL: as(stranger) }), { migrate: false })).rejects.toThrow(
      new RegExp(`grant parley_app to "?${stranger}"?;`),
    )
  })
})
