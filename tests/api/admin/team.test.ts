import { readFileSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createApp } from '../../../api/src/app'
import { resetsSettled } from '../../../api/src/auth/account'
import { createDeps } from '../../../api/src/server'
import { createTestApp, OWNER, readEvents, TENANT, testConfig, type TestApp } from '../../helpers/app'
import { makeUser, ok } from '../../security/tenants'

/** The team, through the API: invitations, members, password reset and change, first-run set-up. */
let t: TestApp
let smtp: SMTPServer
let owner: Record<string, string>
const mails: { to: string[]; raw: string }[] = []

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let raw = ''
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')))
      stream.on('end', () => {
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), raw })
        done()
      })
    },
  })
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r))
  t = await createTestApp({
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    PUBLIC_URL: 'https://chat.parley.test',
  })
  owner = await t.login(OWNER)
})
afterAll(async () => {
  await t?.close()
  await new Promise<void>((r) => smtp.close(() => r()))
})

const tokenOf = (url: string) => new URL(url.replace('#/', '')).searchParams.get('token')!
/** The token of the link in a mail (quoted-printable soft breaks and "=3D" undone). */
const linkIn = (raw: string) =>
  raw
    .replace(/=\r\n/g, '')
    .replace(/=3D/g, '=')
    .match(/https:\/\/chat\.parley\.test\/console\/#\/[a-z-]+\?token=([\w-]+)/)?.[1]
const mailTo = async (to: string) => {
  for (let i = 0; i < 50 && !mails.some((m) => m.to.includes(to)); i++)
    await new Promise((r) => setTimeout(r, 50))
  return mails.filter((m) => m.to.includes(to))
}
const invite = async (email: string, role = 'agent', who = owner) =>
  ok(await t.json('POST', `/v1/tenants/${TENANT}/invitations`, { email, role }, who), 201)
const accept = (token: string, password = 'a new password 1', name?: string) =>
  t.json('POST', '/v1/auth/invitations/accept', { token, password, ...(name ? { name } : {}) })

describe('invitations', () => {
  it('an invited agent accepts the link once, signs in and sees the inbox', async () => {
    const email = `new-agent-${Date.now()}@team.test`
    const created = await invite(email)
    expect(created.invitation).toMatchObject({ email, role: 'agent', accepted_at: null })
    expect(created.invitation).not.toHaveProperty('token_hash')
    expect(created.accept_url).toMatch(/^https:\/\/chat\.parley\.test\/console\/#\/accept-invitation\?token=/)
    expect(created.emailed).toBe(true)
    const [mail] = await mailTo(email)
    expect(linkIn(mail!.raw)).toBe(tokenOf(created.accept_url))

    const { invitations } = await ok(
      await t.json('GET', `/v1/tenants/${TENANT}/invitations`, undefined, owner),
    )
    expect(invitations.map((i: any) => i.email)).toContain(email)

    const token = tokenOf(created.accept_url)
    const signed = await ok(await accept(token, 'a new password 1', 'Noor'))
    expect(signed).toMatchObject({ token_type: 'bearer', user: { email }, tenant_id: TENANT })

    // Single use: the same link again is refused.
    const again = await accept(token)
    expect(again.status).toBe(400)
    expect((await again.json()).error.code).toBe('invalid_token')

    const login = await ok(await t.json('POST', '/v1/auth/login', { email, password: 'a new password 1' }))
    const auth = { authorization: `Bearer ${login.access_token}` }
    const me = await ok(await t.json('GET', '/v1/me', undefined, auth))
    expect(me.memberships).toEqual([expect.objectContaining({ tenant_id: TENANT, role: 'agent' })])
    await ok(await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, auth))
    const pending = await ok(await t.json('GET', `/v1/tenants/${TENANT}/invitations`, undefined, owner))
    expect(pending.invitations.map((i: any) => i.email)).not.toContain(email)
  })

  it('an expired, revoked or resent-over link is refused; resend gives a working one', async () => {
    const expired = await invite(`late-${Date.now()}@team.test`)
    await t.deps.pool.query(`update invitations set expires_at = now() - interval '1 second' where id = $1`, [
      expired.invitation.id,
    ])
    expect((await accept(tokenOf(expired.accept_url))).status).toBe(400)
    // The expired invitation no longer blocks a new one for the address.
    await invite(expired.invitation.email)

    const revoked = await invite(`gone-${Date.now()}@team.test`)
    expect(
      (await t.json('DELETE', `/v1/tenants/${TENANT}/invitations/${revoked.invitation.id}`, undefined, owner))
        .status,
    ).toBe(204)
    expect((await accept(tokenOf(revoked.accept_url))).status).toBe(400)

    const first = await invite(`twice-${Date.now()}@team.test`, 'admin')
    expect(
      (
        await t.json(
          'POST',
          `/v1/tenants/${TENANT}/invitations`,
          { email: first.invitation.email, role: 'agent' },
          owner,
        )
      ).status,
    ).toBe(409)
    const resent = await ok(
      await t.json(
        'POST',
        `/v1/tenants/${TENANT}/invitations/${first.invitation.id}/resend`,
        undefined,
        owner,
      ),
    )
    expect(resent.invitation.sent_count).toBe(2)
    expect((await accept(tokenOf(first.accept_url))).status).toBe(400)
    const signed = await ok(await accept(tokenOf(resent.accept_url)))
    const me = await ok(
      await t.json('GET', '/v1/me', undefined, { authorization: `Bearer ${signed.access_token}` }),
    )
    expect(me.memberships[0].role).toBe('admin')
  })

  it('an existing user must give their own password; bad input names the field; agents cannot invite', async () => {
    const user = await makeUser(t, 'existing')
    const inv = await invite(user.email)
    const wrong = await accept(tokenOf(inv.accept_url), 'not their password')
    expect(wrong.status).toBe(401)
    // The failed attempt did not spend the link.
    await ok(await accept(tokenOf(inv.accept_url), user.password))

    const bad = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/invitations`,
      { email: 'nope', role: 'agent' },
      owner,
    )
    expect((await bad.json()).error).toMatchObject({
      code: 'validation_failed',
      message: expect.stringMatching(/^email/),
    })
    const badRole = await t.json(
      'POST',
      `/v1/tenants/${TENANT}/invitations`,
      { email: 'a@b.test', role: 'owner' },
      owner,
    )
    expect((await badRole.json()).error.message).toMatch(/^role/)
    const short = await t.json('POST', '/v1/auth/invitations/accept', {
      token: 'x'.repeat(43),
      password: 'short',
    })
    expect((await short.json()).error.message).toMatch(/^password/)
    const agent = await t.login()
    expect(
      (await t.json('POST', `/v1/tenants/${TENANT}/invitations`, { email: 'a@b.test', role: 'agent' }, agent))
        .status,
    ).toBe(403)
  })
})

describe('members', () => {
  it('owners change role and capacity; the last owner stays; admins cannot touch owners', async () => {
    const ownerId = (await t.deps.pool.query(`select id from auth.users where email = 'owner@demo.local'`))
      .rows[0].id
    const inv = await invite(`admin-${Date.now()}@team.test`, 'admin')
    const adminSigned = await ok(await accept(tokenOf(inv.accept_url)))
    const admin = { authorization: `Bearer ${adminSigned.access_token}` }

    const changed = await ok(
      await t.json(
        'PATCH',
        `/v1/tenants/${TENANT}/members/${adminSigned.user.id}`,
        { role: 'agent', capacity: 7 },
        owner,
      ),
    )
    expect(changed.member).toMatchObject({ role: 'agent', capacity: 7 })
    await ok(
      await t.json('PATCH', `/v1/tenants/${TENANT}/members/${adminSigned.user.id}`, { role: 'admin' }, owner),
    )

    const demote = await t.json('PATCH', `/v1/tenants/${TENANT}/members/${ownerId}`, { role: 'admin' }, owner)
    expect(demote.status).toBe(409)
    expect(
      (await t.json('DELETE', `/v1/tenants/${TENANT}/members/${ownerId}`, undefined, owner)).status,
    ).toBe(409)
    expect(
      (await t.json('PATCH', `/v1/tenants/${TENANT}/members/${ownerId}`, { capacity: 1 }, admin)).status,
    ).toBe(403)
    expect(
      (
        await t.json(
          'PATCH',
          `/v1/tenants/${TENANT}/members/${adminSigned.user.id}`,
          { role: 'owner' },
          admin,
        )
      ).status,
    ).toBe(403)
    const bad = await t.json('PATCH', `/v1/tenants/${TENANT}/members/${ownerId}`, { capacity: 101 }, owner)
    expect((await bad.json()).error.message).toMatch(/^capacity/)

    // With a second owner, the first may step down.
    await ok(
      await t.json('PATCH', `/v1/tenants/${TENANT}/members/${adminSigned.user.id}`, { role: 'owner' }, owner),
    )
    await ok(
      await t.json(
        'PATCH',
        `/v1/tenants/${TENANT}/members/${ownerId}`,
        { role: 'owner', capacity: 5 },
        admin,
      ),
    )
    await ok(
      await t.json('PATCH', `/v1/tenants/${TENANT}/members/${adminSigned.user.id}`, { role: 'agent' }, owner),
    )
  })

  it('removal refuses the next request and ends a live inbox stream at once', async () => {
    const inv = await invite(`leaver-${Date.now()}@team.test`)
    const signed = await ok(await accept(tokenOf(inv.accept_url)))
    const auth = { authorization: `Bearer ${signed.access_token}` }
    const stream = await t.json('GET', `/v1/tenants/${TENANT}/events`, undefined, auth)
    expect(stream.status).toBe(200)
    const reading = readEvents(stream, (e) => e.some((x) => x.event === 'revoked'), 3000)
    await new Promise((r) => setTimeout(r, 50))
    const started = Date.now()
    expect(
      (await t.json('DELETE', `/v1/tenants/${TENANT}/members/${signed.user.id}`, undefined, owner)).status,
    ).toBe(204)
    // Nothing else happens in the tenant: the removal alone ends the stream.
    const events = await reading
    expect(events.map((e) => e.event)).toContain('revoked')
    expect(Date.now() - started).toBeLessThan(2000)
    expect((await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, auth)).status).toBe(404)
  })
})

describe('passwords', () => {
  it('reset answers 204 alike for known and unknown addresses, and mails only the known one', async () => {
    const user = await makeUser(t, 'forgetful')
    const known = await t.json('POST', '/v1/auth/password-reset', { email: user.email })
    const unknown = await t.json('POST', '/v1/auth/password-reset', { email: 'nobody-here@team.test' })
    expect([known.status, unknown.status]).toEqual([204, 204])
    expect(await known.text()).toBe(await unknown.text())
    await resetsSettled()
    const [mail] = await mailTo(user.email)
    expect(mails.some((m) => m.to.includes('nobody-here@team.test'))).toBe(false)
    const token = linkIn(mail!.raw)!
    expect(mail!.raw).toContain('reset-password')

    const done = await ok(
      await t.json('POST', '/v1/auth/password-reset/confirm', { token, password: 'brand new pass' }),
    )
    expect(done.user.email).toBe(user.email)
    const reuse = await t.json('POST', '/v1/auth/password-reset/confirm', {
      token,
      password: 'another pass 2',
    })
    expect(reuse.status).toBe(400)
    expect(
      (await t.json('POST', '/v1/auth/login', { email: user.email, password: user.password })).status,
    ).toBe(401)
    await ok(await t.json('POST', '/v1/auth/login', { email: user.email, password: 'brand new pass' }))
  })

  it('an expired reset link is refused', async () => {
    const user = await makeUser(t, 'slow')
    mails.length = 0
    await t.json('POST', '/v1/auth/password-reset', { email: user.email })
    await resetsSettled()
    const [mail] = await mailTo(user.email)
    const token = linkIn(mail!.raw)!
    await t.deps.pool.query(
      `update password_reset_tokens set expires_at = now() - interval '1 second' where user_id = $1`,
      [user.id],
    )
    const res = await t.json('POST', '/v1/auth/password-reset/confirm', {
      token,
      password: 'brand new pass',
    })
    expect(res.status).toBe(400)
  })

  it('PUT /v1/me/password needs the current password', async () => {
    const user = await makeUser(t, 'changer')
    const auth = await t.login(user)
    const wrong = await t.json(
      'PUT',
      '/v1/me/password',
      { current_password: 'nope', password: 'changed pass 1' },
      auth,
    )
    expect(wrong.status).toBe(400)
    expect((await wrong.json()).error.message).toMatch(/^current_password/)
    const res = await t.json(
      'PUT',
      '/v1/me/password',
      { current_password: user.password, password: 'changed pass 1' },
      auth,
    )
    expect(res.status).toBe(204)
    await ok(await t.json('POST', '/v1/auth/login', { email: user.email, password: 'changed pass 1' }))
    expect(
      (await t.json('PUT', '/v1/me/password', { current_password: 'x', password: 'changed pass 1' })).status,
    ).toBe(401)
  })
})

describe('first run', () => {
  it('is refused once a user exists', async () => {
    expect(await ok(await t.json('GET', '/v1/auth/setup'))).toEqual({ needed: false })
    const res = await t.json('POST', '/v1/auth/setup', {
      email: 'first@team.test',
      password: 'first owner pass',
      name: 'First',
      tenant_name: 'First Shop',
    })
    expect(res.status).toBe(409)
  })

  it('on an empty database creates the first owner and tenant once, even when two arrive together', async () => {
    const dump = new Blob([readFileSync(inject('templateDataDir'))])
    const deps = await createDeps(testConfig(), { loadDataDir: dump, migrate: false })
    try {
      const app = createApp(deps)
      const post = (email: string) =>
        app.request('/v1/auth/setup', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            email,
            password: 'first owner pass',
            name: 'First',
            tenant_name: 'Première Boutique',
          }),
        })
      expect(await (await app.request('/v1/auth/setup')).json()).toEqual({ needed: true })
      const results = await Promise.all([post('one@first.test'), post('two@first.test')])
      expect(results.map((r) => r.status).sort()).toEqual([201, 409])
      const created = await results.find((r) => r.status === 201)!.json()
      const me = await (
        await app.request('/v1/me', { headers: { authorization: `Bearer ${created.access_token}` } })
      ).json()
      expect(me.memberships).toEqual([
        expect.objectContaining({
          role: 'owner',
          tenant: expect.objectContaining({ name: 'Première Boutique' }),
        }),
      ])
      expect(await (await app.request('/v1/auth/setup')).json()).toEqual({ needed: false })
    } finally {
      await deps.worker?.stop()
      await deps.notifier?.stop()
      deps.limiters.close()
      await deps.bus.close()
      await deps.db.close()
    }
  })
})

describe('rate limits', () => {
  it('accept, reset and set-up count against the sign-in limit (429 with Retry-After)', async () => {
    const small = await createTestApp({ RATE_LIMIT_LOGIN_PER_15MIN: '2' })
    try {
      for (const [path, body] of [
        ['/v1/auth/invitations/accept', { token: 'x'.repeat(43), password: 'whatever-pass' }],
        ['/v1/auth/password-reset', { email: 'someone@team.test' }],
        ['/v1/auth/password-reset/confirm', { token: 'y'.repeat(43), password: 'whatever-pass' }],
      ] as const) {
        const statuses: number[] = []
        for (let i = 0; i < 3; i++) statuses.push((await small.json('POST', path, body)).status)
        expect(statuses.slice(0, 2), path).not.toContain(429)
        const last = await small.json('POST', path, body)
        expect(last.status, path).toBe(429)
        expect(last.headers.get('retry-after')).toBeTruthy()
      }
    } finally {
      await small.close()
    }
  })
})
