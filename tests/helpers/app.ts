import { readFileSync } from 'node:fs'
import { inject } from 'vitest'
import { createSseParser } from '../../contract/sse'
import { createApp } from '../../api/src/app'
import { loadConfig, type Config } from '../../api/src/config'
import { seedDemo } from '../../api/src/demo'
import type { Deps } from '../../api/src/deps'
import { createDeps } from '../../api/src/server'

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
    ...roomy,
    ...overrides,
  })
}

/** A fresh, migrated database (copied from the template) and the app over it, with the demo tenant seeded. */
export async function createTestDeps(overrides: Record<string, string> = {}): Promise<Deps> {
  const dump = new Blob([readFileSync(inject('templateDataDir'))])
  const deps = await createDeps(testConfig(overrides), { loadDataDir: dump, migrate: false })
  await seedDemo({ deps }, [DEMO_ORIGIN])
  return deps
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>

export async function createTestApp(overrides: Record<string, string> = {}) {
  const deps = await createTestDeps(overrides)
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
