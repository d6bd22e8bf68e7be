/**
 * Secrets at rest (channel access tokens, app secrets; later Cal.com keys): AES-256-GCM under
 * SECRETS_ENCRYPTION_KEY. Each value names the key that sealed it, so a rotated key keeps opening old
 * values (SECRETS_ENCRYPTION_OLD_KEYS) until they are sealed again under the new one (docs/channels.md).
 * The associated data binds a value to where it is stored (table, column, row id): a ciphertext copied
 * into another row or column does not open.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

const VERSION = 'v1'

export interface Secrets {
  /** The id of the key new values are sealed with. */
  readonly keyId: string
  seal(plain: string, context: string): string
  open(sealed: string, context: string): string
  /** True when the value was sealed with an older key (re-seal it). */
  isStale(sealed: string): boolean
}

/** The id stored with each ciphertext: 8 hex characters of the key's sha256 (names the key, reveals nothing). */
export const keyIdOf = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8)

/** A key from its base64 text; throws unless it is exactly 32 bytes. */
export function parseKey(text: string): Buffer {
  const key = Buffer.from(text.trim(), 'base64')
  if (key.length !== 32) throw new Error('a secrets key is 32 bytes, base64-encoded')
  return key
}

/** Seals and opens with the current key; opens with any of the old ones too. */
export function createSecrets(current: Buffer, old: Buffer[] = []): Secrets {
  const keys = new Map<string, Buffer>()
  for (const k of [current, ...old]) keys.set(keyIdOf(k), k)
  const keyId = keyIdOf(current)
  return {
    keyId,
    seal(plain, context) {
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', current, iv)
      cipher.setAAD(Buffer.from(context))
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()])
      const tag = cipher.getAuthTag()
      return [
        VERSION,
        keyId,
        iv.toString('base64url'),
        tag.toString('base64url'),
        ct.toString('base64url'),
      ].join(':')
    },
    open(sealed, context) {
      const [version, kid, iv, tag, ct] = sealed.split(':')
      if (version !== VERSION || !kid || !iv || !tag || ct === undefined)
        throw new Error('not a sealed secret')
      const key = keys.get(kid)
      if (!key)
        throw new Error(`secret sealed with an unknown key (${kid}): add it to SECRETS_ENCRYPTION_OLD_KEYS`)
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'))
      decipher.setAAD(Buffer.from(context))
      decipher.setAuthTag(Buffer.from(tag, 'base64url'))
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8')
    },
    isStale: (sealed) => sealed.split(':')[1] !== keyId,
  }
}

/**
 * The process's secrets: SECRETS_ENCRYPTION_KEY when set. Without it, embedded mode generates a key
 * once and keeps it beside the database (like the JWT secret); a throw-away database gets a throw-away
 * key; a PostgreSQL server refuses to start (several processes must share one key, and losing it
 * loses every stored secret).
 */
export function secretsFromConfig(config: {
  SECRETS_ENCRYPTION_KEY?: string
  SECRETS_ENCRYPTION_OLD_KEYS?: string
  DATABASE_URL: string
}): Secrets {
  const old = (config.SECRETS_ENCRYPTION_OLD_KEYS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(parseKey)
  if (config.SECRETS_ENCRYPTION_KEY) return createSecrets(parseKey(config.SECRETS_ENCRYPTION_KEY), old)
  const url = config.DATABASE_URL
  if (/^postgres(ql)?:/.test(url))
    throw new Error(
      'SECRETS_ENCRYPTION_KEY is required with a PostgreSQL server (32 random bytes, base64: openssl rand -base64 32)',
    )
  if (url === 'memory://') return createSecrets(randomBytes(32), old)
  const file = join(dirname(url.replace(/^file:\/\//, '')), 'secrets-key')
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600 })
  }
  return createSecrets(parseKey(readFileSync(file, 'utf8')), old)
}
