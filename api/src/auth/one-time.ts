import { randomBytes } from 'node:crypto'
import { publicUrl, type Config } from '../config'
import type { Logger } from '../logger'
import { hashKey } from './keys'

/** A one-time link token: 256 random bits, shown once; only its SHA-256 is stored. */
export function newOneTimeToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString('base64url')
  return { token, hash: hashKey(token) }
}

export const tokenHash = hashKey

/** Tokens are 43 base64url characters; anything else is refused before a lookup. */
export const tokenShape = /^[A-Za-z0-9_-]{43}$/

/**
 * The console pages a link opens. The token travels in the fragment, which browsers never send to a
 * server, so it stays out of access logs and Referer headers. The origin is PUBLIC_URL; without it,
 * `requestOrigin` when given (an owner's own request, for an invitation link shown to them), never for
 * a link mailed on an anonymous request (a forged Host header must not choose where a reset link goes).
 */
export function consoleLink(
  config: Config,
  page: 'accept-invitation' | 'reset-password',
  token: string,
  requestOrigin?: string,
) {
  const origin = config.PUBLIC_URL || !requestOrigin ? publicUrl(config) : requestOrigin
  return `${origin}/console/#/${page}?token=${token}`
}

type Mailer = { sendMail(m: object): Promise<unknown> }
let mailer: { url: string; transport: Promise<Mailer | null> } | undefined

/**
 * Sends an e-mail when SMTP_URL is set (nodemailer, loaded on first use); does nothing otherwise.
 * Never throws: a mail that cannot go is logged, and the caller's answer does not change.
 */
export async function sendMail(
  d: { config: Config; log: Logger },
  mail: { to: string; subject: string; text: string },
): Promise<boolean> {
  const url = d.config.SMTP_URL
  if (!url) return false
  if (mailer?.url !== url)
    mailer = {
      url,
      transport: import('nodemailer')
        .then((m) => m.default.createTransport(url) as unknown as Mailer)
        .catch(() => null),
    }
  try {
    const transport = await mailer.transport
    if (!transport) return false
    await transport.sendMail({ from: d.config.SMTP_FROM, ...mail })
    return true
  } catch (err) {
    d.log.warn('e-mail not sent', { subject: mail.subject, err: String(err) })
    return false
  }
}
