import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDeps, OWNER, TENANT, testConfig } from '../../helpers/app'
import { startServer, type Running } from '../../../api/src/server'
import { publicUrl } from '../../../api/src/config'
import { BOT, startStandIn, type StandIn } from './stand-in'

/**
 * The webhook URL a channel shows (and registers with Telegram) is where the API really listens: with
 * PORT=0 the port the system gave, not 0; PUBLIC_URL when it is set.
 */
let s: StandIn
let api: Running
let auth: Record<string, string>
const TOKEN = '223344556:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw9'

const call = (path: string, init: RequestInit = {}) =>
  fetch(`${api.url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', ...auth, ...(init.headers as Record<string, string>) },
  })

beforeAll(async () => {
  s = await startStandIn()
  const deps = await createTestDeps({
    PORT: '0',
    TELEGRAM_API_URL: s.telegramUrl,
    META_GRAPH_URL: s.graphUrl,
    WORKER_POLL_MS: '60000',
  })
  api = await startServer(deps.config, deps)
  auth = {}
  const login = await call('/v1/auth/login', { method: 'POST', body: JSON.stringify(OWNER) })
  auth = { authorization: `Bearer ${((await login.json()) as any).access_token}` }
})
afterAll(async () => {
  await api.shutdown()
  await s.close()
})

describe('the webhook URL with PORT=0', () => {
  it('names the port the server listens on, and Meta reaches the webhook there', async () => {
    expect(api.port).toBeGreaterThan(0)
    const res = await call(`/v1/tenants/${TENANT}/channels`, {
      method: 'POST',
      body: JSON.stringify({
        platform: 'whatsapp',
        bot_id: BOT,
        account_id: '1065403522777',
        business_account_id: '1022901293777',
        access_token: 'EAAGsecretWHATSAPPtoken000777',
        app_secret: 'APPSECRETvalue000777',
        verify_token: 'VERIFYtoken000777',
      }),
    })
    expect(res.status).toBe(201)
    const { channel } = (await res.json()) as any
    expect(channel.webhook_url).toBe(`http://localhost:${api.port}/v1/channels/${channel.id}/webhook`)
    // The subscription handshake Meta makes, on the URL as shown.
    const hook = new URL(channel.webhook_url)
    hook.searchParams.set('hub.mode', 'subscribe')
    hook.searchParams.set('hub.verify_token', 'VERIFYtoken000777')
    hook.searchParams.set('hub.challenge', '1158201444')
    const handshake = await fetch(hook)
    expect(handshake.status).toBe(200)
    expect(await handshake.text()).toBe('1158201444')
    const listed = (await (await call(`/v1/tenants/${TENANT}/channels/${channel.id}`)).json()) as any
    expect(listed.channel.webhook_url).toBe(channel.webhook_url)
  })

  it('registers that URL with Telegram', async () => {
    const res = await call(`/v1/tenants/${TENANT}/channels`, {
      method: 'POST',
      body: JSON.stringify({ platform: 'telegram', bot_id: BOT, access_token: TOKEN }),
    })
    expect(res.status).toBe(201)
    const { channel } = (await res.json()) as any
    const registered = s.requests.find((r) => r.path === `/tg/bot${TOKEN}/setWebhook`)!
    expect(registered.body.url).toBe(`http://localhost:${api.port}/v1/channels/${channel.id}/webhook`)
    expect(channel.webhook_url).toBe(registered.body.url)
  })
})

describe('publicUrl', () => {
  it('is PUBLIC_URL when set, else localhost or the one address HOST names, with the port', () => {
    const c = { ...testConfig(), PUBLIC_URL: undefined, PORT: 3000 }
    expect(publicUrl({ ...c, PUBLIC_URL: 'https://chat.example.com/' })).toBe('https://chat.example.com')
    expect(publicUrl({ ...c, HOST: '0.0.0.0' })).toBe('http://localhost:3000')
    expect(publicUrl({ ...c, HOST: '127.0.0.1' })).toBe('http://localhost:3000')
    expect(publicUrl({ ...c, HOST: '10.1.2.3' })).toBe('http://10.1.2.3:3000')
    expect(publicUrl({ ...c, HOST: 'fd00::5' })).toBe('http://[fd00::5]:3000')
  })
})
