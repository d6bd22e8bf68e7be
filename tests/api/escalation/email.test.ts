import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, OWNER, TENANT, type TestApp } from '../../helpers/app'

const quotedPrintable = (text: string) =>
  Buffer.from(
    text
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    'latin1',
  ).toString('utf8')

/** The escalation e-mail, delivered over SMTP to a local receiver (mail providers are out of reach). */
let t: TestApp
let smtp: SMTPServer
const mails: { from: string; to: string[]; raw: string }[] = []

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, done) {
      let raw = ''
      stream.on('data', (c: Buffer) => (raw += c.toString('utf8')))
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
        })
        done()
      })
    },
  })
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r))
  const port = (smtp.server.address() as AddressInfo).port
  t = await createTestApp({
    SMTP_URL: `smtp://127.0.0.1:${port}`,
    SMTP_FROM: 'Parley <alerts@parley.test>',
    PUBLIC_URL: 'https://chat.parley.test',
  })
})
afterAll(async () => {
  await t?.close()
  await new Promise<void>((r) => smtp.close(() => r()))
})

describe('escalation e-mail', () => {
  it("mails the tenant's escalation address when a visitor asks for a person, with a link to the conversation", async () => {
    const owner = await t.login(OWNER)
    const set = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}`,
      { settings: { escalation_email: 'support@shop.test' } },
      owner,
    )
    expect(set.status, await set.clone().text()).toBe(200)

    const v = await t.visitor()
    expect((await v.send('je veux parler à un humain')).status).toBe(200)
    await expect.poll(() => mails.length, { timeout: 10_000, interval: 100 }).toBe(1)

    const mail = mails[0]!
    expect(mail.from).toBe('alerts@parley.test')
    expect(mail.to).toEqual(['support@shop.test'])
    const headers = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'))
    expect(headers).toMatch(/^Subject: .*A visitor needs a person \(priority \d\)/m)
    const body = quotedPrintable(mail.raw.slice(headers.length + 4))
    expect(body).toContain('je veux parler à un humain')
    expect(body).toContain(`https://chat.parley.test/console/#/sessions/${v.id}`)

    // No address, no mail: a second tenant-wide escalation after the address is removed sends nothing.
    await t.json('PATCH', `/v1/tenants/${TENANT}`, { settings: { escalation_email: null } }, owner)
    const w = await t.visitor()
    expect((await w.send('talk to a human please')).status).toBe(200)
    await new Promise((r) => setTimeout(r, 500))
    expect(mails).toHaveLength(1)
  })

  it('refuses an escalation address that is not an e-mail', async () => {
    const owner = await t.login(OWNER)
    const res = await t.json(
      'PATCH',
      `/v1/tenants/${TENANT}`,
      { settings: { escalation_email: 'not an address\r\nBcc: x@evil.test' } },
      owner,
    )
    expect(res.status).toBe(400)
    expect(((await res.json()) as any).error.message).toContain('escalation_email')
  })
})
