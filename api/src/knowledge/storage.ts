import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, resolve, sep } from 'node:path'

/** Where uploaded documents' bytes live. Keys are generated here, never taken from a client. */
export interface Storage {
  readonly name: string
  /** Stores bytes under a new key for the tenant (or 'global') and returns the key. */
  put(owner: string, bytes: Uint8Array, contentType: string): Promise<string>
  get(key: string): Promise<Uint8Array>
  delete(key: string): Promise<void>
}

const KEY = /^(global|[0-9a-f-]{36})\/[0-9a-f-]{36}$/

/** A key this module generated, or an error: a stored key is the only thing that reaches a path. */
function checkKey(key: string) {
  if (!KEY.test(key)) throw new Error(`invalid storage key: ${JSON.stringify(key.slice(0, 80))}`)
  return key
}

export function createLocalStorage(dir: string): Storage {
  const root = resolve(dir)
  const pathOf = (key: string) => {
    const path = resolve(root, checkKey(key))
    // Defence in depth: the key pattern already rules out '..' and separators, but never trust one check.
    if (!path.startsWith(root + sep)) throw new Error('storage key escapes the storage folder')
    return path
  }
  return {
    name: 'local',
    async put(owner, bytes) {
      const key = checkKey(`${owner}/${randomUUID()}`)
      const path = pathOf(key)
      await mkdir(dirname(path), { recursive: true, mode: 0o700 })
      await writeFile(path, bytes, { mode: 0o600, flag: 'wx' })
      return key
    },
    async get(key) {
      return new Uint8Array(await readFile(pathOf(key)))
    },
    async delete(key) {
      await rm(pathOf(key), { force: true })
    },
  }
}

/** Supabase Storage (a private bucket), used when a Supabase project is configured. */
export async function createSupabaseStorage(
  url: string,
  serviceKey: string,
  bucket: string,
): Promise<Storage> {
  const { createClient } = await import('@supabase/supabase-js')
  const client = createClient(url, serviceKey, { auth: { persistSession: false, autoRefreshToken: false } })
  return {
    name: 'supabase',
    async put(owner, bytes, contentType) {
      const key = checkKey(`${owner}/${randomUUID()}`)
      const { error } = await client.storage.from(bucket).upload(key, bytes, { contentType, upsert: false })
      if (error) throw new Error('storage upload failed', { cause: error })
      return key
    },
    async get(key) {
      const { data, error } = await client.storage.from(bucket).download(checkKey(key))
      if (error || !data) throw new Error('storage download failed', { cause: error })
      return new Uint8Array(await data.arrayBuffer())
    },
    async delete(key) {
      await client.storage.from(bucket).remove([checkKey(key)])
    },
  }
}
