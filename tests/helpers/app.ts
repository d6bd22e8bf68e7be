import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { inject } from 'vitest'
import { createSseParser } from '../../contract/sse'
import { createApp } from '../../api/src/app'
import { loadConfig, type Config } from '../../api/src/config'
import { seedDemo } from '../../api/src/demo'
import type { Deps } from '../../api/src/deps'
import { createDeps } from '../../api/src/server'
import { databaseUrl } from './global-setup'

export const DEMO_ORIGIN = 'http://shop.test'
export const TENANT = '00000000-0000-4000-8000-0000000000a1'
export const OWNER = { email: 'owner@demo.local', password: 'demo1234' }
export const AGENT = { email: 'agent@demo.local', password: 'demo1234' }

export function testConfig(overrides: Record<string, string> = {}): Config {
  // Tests send many requests from one (socket-less) client: limits are tested on their own, with low values.
  const roomy = {
    RATE_LIMIT_IP_PER_MIN: '1000000',
    RATE_LIMIT_SESSION_MESSAGES_PER_MIN: '1000000',
    RATE_LIMIT_KEY_PER_MIN: '1000000',
    RATE_LIMIT_KEY_IP_PER_MIN: '1000000',
    RATE_LIMIT_PRINCIPAL_PER_MIN: '1000000',
    RATE_LIMIT_TENANT_PER_MIN: '1000000',
    RATE_LIMIT_LOGIN_PER_15MIN: '1000000',
  }
  return loadConfig({
    DATABASE_URL: 'memory://',
    LOG_LEVEL: 'silent',
    PORT: '0',
    JWT_SECRET: 'x'.repeat(40),
    // A server refuses to start without a key for secrets at rest (embedded mode generates one).
    ...(/^postgres(ql)?:/.test(overrides.DATABASE_URL ?? '')
      ? { SECRETS_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') }
      : {}),
    ...roomy,
    ...overrides,
  })
}

/** Whether this run is on a PostgreSQL server (TEST_DATABASE_URL) rather than embedded PGlite. */
export const onServer = () => inject('serverUrl') !== ''

/**
 * A new database for one test: on PGlite a copy of the migrated template's dump; with
 * TEST_DATABASE_URL a `create database ... template` on that server (its URL). `embedded` keeps a test
 * that needs what the server lacks (pgvector) on PGlite.
 */
export async function testDatabase(embedded = false): Promise<{ url: string; loadDataDir?: Blob }> {
  const server = inject('serverUrl')
  if (!server || embedded)
    return { url: 'memory://', loadDataDir: new Blob([readFileSync(inject('templateDataDir'))]) }
  const name = `${inject('serverTemplate').replace(/_template$/, '')}_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: server })
  await admin.connect()
  try {
    await admin.query(`create database ${name} template ${inject('serverTemplate')}`)
  } finally {
    await admin.end()
  }
  return { url: databaseUrl(server, name) }
}

/** A fresh, migrated database (copied from the template) and the app over it, with the demo tenant seeded. */
export async function createTestDeps(
  overrides: Record<string, string> = {},
  options: { embedded?: boolean } = {},
): Promise<Deps> {
  const db = overrides.DATABASE_URL ? { url: overrides.DATABASE_URL } : await testDatabase(options.embedded)
  const deps = await createDeps(testConfig({ DATABASE_URL: db.url, ...overrides }), {
    loadDataDir: db.loadDataDir,
    migrate: false,
  })
  await seedDemo({ deps }, [DEMO_ORIGIN])
  return deps
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>

export async function createTestApp(
  overrides: Record<string, string> = {},
  options: { embedded?: boolean } = {},
) {
  const deps = await createTestDeps(overrides, options)
  const app = createApp(deps)
  const json = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.request(path, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    })
  return {
    app,
    deps,
    json,
    async close() {
      await deps.worker?.stop()
      await deps.notifier?.stop()
      await deps.channels?.stop()
      await deps.answerTests?.stop()
      await deps.analytics?.stop()
      deps.limiters.close()
      await deps.bus.close()
      await deps.db.close()
    },
    /** A new visitor session on the demo widget. */
    async visitor(key = 'pk_demo') {
      const res = await json('POST', '/v1/sessions', { key })
      if (res.status !== 201) throw new Error(`session: ${res.status} ${await res.text()}`)
      const { session, token } = (await res.json()) as { session: { id: string }; token: string }
      const auth = { authorization: `Bearer ${token}` }
      return {
        id: session.id,
        token,
        auth,
        send: (content: string, client_message_id: string = crypto.randomUUID()) =>
          json('POST', `/v1/sessions/${session.id}/messages`, { content, client_message_id }, auth),
        messages: async () =>
          ((await (await json('GET', `/v1/sessions/${session.id}/messages`, undefined, auth)).json()) as any)
            .messages,
      }
    },
    /** Signs in and returns the bearer header. */
    async login(who = AGENT) {
      const res = await json('POST', '/v1/auth/login', who)
      if (res.status !== 200) throw new Error(`login: ${res.status}`)
      const { access_token } = (await res.json()) as { access_token: string }
      return { authorization: `Bearer ${access_token}` }
    },
  }
}

/** Reads SSE events from a streaming Response until `until` says stop (or the time runs out). */
export async function readEvents(
  res: Response,
  until: (events: { event: string; data: any; id?: string }[]) => boolean,
  timeoutMs = 5000,
) {
  const events: { event: string; data: any; id?: string }[] = []
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  const parser = createSseParser((e) => {
    if (e.data) events.push({ event: e.event, data: JSON.parse(e.data), id: e.id })
  })
  const deadline = Date.now() + timeoutMs
  try {
    while (!until(events)) {
      const left = deadline - Date.now()
      if (left <= 0) break
      const chunk = await Promise.race([
        reader.read(),
        new Promise<null>((r) => setTimeout(() => r(null), left)),
      ])
      if (!chunk || chunk.done) break
      parser.push(decoder.decode(chunk.value, { stream: true }))
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return events
}
