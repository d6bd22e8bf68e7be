import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSecrets, keyIdOf } from '../../../api/src/crypto/secrets'
import { AGENT, OWNER, TENANT, type TestApp } from '../../helpers/app'
import { BOT, captureLogs, createChannelApp, startStandIn, type LogCapture, type StandIn } from './stand-in'

/** Channel accounts: owners and admins only, validated per platform, secrets sealed and never returned. */
let s: StandIn
let t: TestApp
let owner: Record<string, string>
let agent: Record<string, string>
let logs: LogCapture
const path = `/v1/tenants/${TENANT}/channels`
const WA = {
  platform: 'whatsapp',
  bot_id: BOT,
  account_id: '1065403522429',
  business_account_id: '1022901293403',
  access_token: 'EAAGsecretWHATSAPPtoken000111',
  app_secret: 'APPSECRETvalue000111',
  verify_token: 'VERIFYtoken000111',
}

beforeAll(async () => {
  s = await startStandIn()
  t = await createChannelApp(s)
  logs = captureLogs(t)
  owner = await t.login(OWNER)
  agent = await t.login(AGENT)
})
afterAll(async () => {
  await t.close()
  await s.close()
})

describe('channel accounts', () => {
  let id: string
  it('an owner connects WhatsApp: 201 with ids and the webhook URL, never a secret', async () => {
    const res = await t.json('POST', path, WA, owner)
    const text = await res.text()
    expect(res.status, text).toBe(201)
    const { channel } = JSON.parse(text)
    id = channel.id
    expect(channel).toMatchObject({
      platform: 'whatsapp',
      bot_id: BOT,
      account_id: WA.account_id,
      business_account_id: WA.business_account_id,
      is_active: true,
      webhook_url: `https://parley.example/v1/channels/${channel.id}/webhook`,
    })
    for (const secret of [WA.access_token, WA.app_secret, WA.verify_token]) expect(text).not.toContain(secret)
    const list = await (await t.json('GET', path, undefined, owner)).text()
    expect(JSON.parse(list).channels.map((c: any) => c.id)).toContain(id)
    for (const secret of [WA.access_token, WA.app_secret, WA.verify_token]) expect(list).not.toContain(secret)
  })

  it('stores the token and app secret sealed with the key id, and the verify token only hashed', async () => {
    const row = (await t.deps.pool.query(`select * from social_accounts where id = $1`, [id])).rows[0]
    expect(row.access_token_enc).toMatch(new RegExp(`^v1:${t.deps.secrets.keyId}:`))
    expect(row.app_secret_enc).toMatch(/^v1:/)
    const all = JSON.stringify(row)
    for (const secret of [WA.access_token, WA.app_secret, WA.verify_token]) expect(all).not.toContain(secret)
    expect(t.deps.secrets.open(row.access_token_enc, `social_accounts.access_token:${id}`)).toBe(
      WA.access_token,
    )
    // Bound to its place: the same ciphertext does not open as another row's or column's.
    expect(() => t.deps.secrets.open(row.access_token_enc, `social_accounts.app_secret:${id}`)).toThrow()
  })

  it('a member reading as authenticated cannot select the sealed columns', async () => {
    const res = await t.json('GET', `${path}/${id}`, undefined, owner)
    expect(res.status).toBe(200)
    const { rows } = await t.deps.pool.query(
      `select has_column_privilege('authenticated', 'social_accounts', 'access_token_enc', 'select') as p`,
    )
    expect(rows[0].p).toBe(false)
  })

  it('agents may not list, create, change or delete channels', async () => {
    expect((await t.json('GET', path, undefined, agent)).status).toBe(403)
    expect((await t.json('POST', path, { ...WA, account_id: '999' }, agent)).status).toBe(403)
    expect((await t.json('PATCH', `${path}/${id}`, { is_active: false }, agent)).status).toBe(403)
    expect((await t.json('DELETE', `${path}/${id}`, undefined, agent)).status).toBe(403)
  })

  it('validates each platform body and refuses the same account twice', async () => {
    const bad = async (body: unknown, status = 400) => {
      const res = await t.json('POST', path, body, owner)
      expect(res.status, await res.clone().text()).toBe(status)
      return ((await res.json()) as any).error
    }
    await bad({ ...WA, app_secret: undefined })
    await bad({ ...WA, account_id: 'not-a-number' })
    await bad({ platform: 'telegram', bot_id: BOT, access_token: 'nope' })
    await bad({ platform: 'sms', bot_id: BOT, access_token: 'x'.repeat(20) })
    await bad({ ...WA, extra: 1 })
    expect((await bad({ ...WA, bot_id: '00000000-0000-4000-8000-0000000000ff' })).message).toMatch(/bot_id/)
    expect((await bad(WA, 409)).code).toBe('conflict')
  })

  it('PATCH rotates a token and deactivates; a deactivated channel webhook is 404', async () => {
    const res = await t.json(
      'PATCH',
      `${path}/${id}`,
      { access_token: 'EAAGrotatedTOKEN222333444', is_active: false },
      owner,
    )
    const text = await res.text()
    expect(res.status, text).toBe(200)
    expect(text).not.toContain('EAAGrotatedTOKEN222333444')
    expect(JSON.parse(text).channel.is_active).toBe(false)
    const hook = await t.app.request(
      `/v1/channels/${id}/webhook?hub.mode=subscribe&hub.verify_token=${WA.verify_token}&hub.challenge=1`,
    )
    expect(hook.status).toBe(404)
    const row = (await t.deps.pool.query(`select access_token_enc from social_accounts where id = $1`, [id]))
      .rows[0]
    expect(t.deps.secrets.open(row.access_token_enc, `social_accounts.access_token:${id}`)).toBe(
      'EAAGrotatedTOKEN222333444',
    )
  })

  it('a Telegram token Telegram refuses is a 502 and nothing is stored', async () => {
    const res = await t.json(
      'POST',
      path,
      { platform: 'telegram', bot_id: BOT, access_token: '400000:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
      owner,
    )
    expect(res.status).toBe(502)
    const err = ((await res.json()) as any).error
    expect(err.code).toBe('channel_setup_failed')
    expect(err.message).not.toContain('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    expect(
      (await t.deps.pool.query(`select 1 from social_accounts where account_id = '400000'`)).rows,
    ).toHaveLength(0)
  })

  it('DELETE removes the channel; its sessions stay in the inbox', async () => {
    expect((await t.json('DELETE', `${path}/${id}`, undefined, owner)).status).toBe(204)
    expect((await t.json('GET', `${path}/${id}`, undefined, owner)).status).toBe(404)
  })

  it('never logs a secret', () => {
    for (const secret of [WA.access_token, WA.app_secret, WA.verify_token, 'EAAGrotatedTOKEN222333444'])
      expect(logs.text()).not.toContain(secret)
  })
})

describe('secrets', () => {
  it('a rotated key still opens old values, and names the key it sealed with', () => {
    const oldKey = Buffer.alloc(32, 1)
    const newKey = Buffer.alloc(32, 2)
    const sealed = createSecrets(oldKey).seal('token', 'ctx')
    const rotated = createSecrets(newKey, [oldKey])
    expect(rotated.open(sealed, 'ctx')).toBe('token')
    expect(rotated.isStale(sealed)).toBe(true)
    expect(rotated.seal('token', 'ctx').split(':')[1]).toBe(keyIdOf(newKey))
    expect(() => createSecrets(newKey).open(sealed, 'ctx')).toThrow(/unknown key/)
  })

  it('the worker re-seals values sealed with an old key', async () => {
    const res = await t.json('POST', path, { ...WA, account_id: '77777' }, owner)
    const { channel } = (await res.json()) as any
    const oldKey = Buffer.alloc(32, 9)
    const old = createSecrets(oldKey)
    await t.deps.pool.query(
      `update social_accounts set access_token_enc = $2, app_secret_enc = $3 where id = $1`,
      [
        channel.id,
        old.seal('OLDSEALED', `social_accounts.access_token:${channel.id}`),
        old.seal('OLDAPP', `social_accounts.app_secret:${channel.id}`),
      ],
    )
    const current = t.deps.secrets
    ;(t.deps as any).secrets = createSecrets(Buffer.alloc(32, 3), [oldKey])
    try {
      ;(t.deps.channels as any).d.secrets = t.deps.secrets
      await t.deps.channels!.resealSecrets()
      const row = (
        await t.deps.pool.query(`select access_token_enc from social_accounts where id = $1`, [channel.id])
      ).rows[0]
      expect(row.access_token_enc.split(':')[1]).toBe(keyIdOf(Buffer.alloc(32, 3)))
      expect(t.deps.secrets.open(row.access_token_enc, `social_accounts.access_token:${channel.id}`)).toBe(
        'OLDSEALED',
      )
    } finally {
      ;(t.deps as any).secrets = current
    }
  })
})

describe('webhook limits', () => {
  it('a flood on one channel is 429 with Retry-After; a body over the limit is 413; nothing stored', async () => {
    const limited = await createChannelApp(s, { CHANNEL_WEBHOOK_PER_MIN: '3', BODY_LIMIT_BYTES: '2048' })
    try {
      const o = await limited.login(OWNER)
      const res = await limited.json('POST', path, { ...WA, account_id: '31337' }, o)
      const { channel } = (await res.json()) as any
      const hit = () =>
        limited.app.request(`/v1/channels/${channel.id}/webhook`, { method: 'POST', body: '{}' })
      const statuses = [] as number[]
      for (let i = 0; i < 5; i++) statuses.push((await hit()).status)
      expect(statuses.slice(0, 3)).toEqual([401, 401, 401])
      const last = await hit()
      expect(last.status).toBe(429)
      expect(last.headers.get('retry-after')).toMatch(/^\d+$/)
      const big = await limited.app.request(`/v1/channels/${channel.id}/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pad: 'x'.repeat(4096) }),
      })
      expect(big.status).toBe(413)
      expect((await limited.deps.pool.query(`select 1 from channel_events`)).rows).toHaveLength(0)
    } finally {
      await limited.close()
    }
  })
})
