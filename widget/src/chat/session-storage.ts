/** The chat's persistence: the session kept in localStorage across page loads, and tab sync. */

/** What the widget keeps in localStorage under `parley:<key>`. */
export interface StoredSession {
  session_id?: string
  token?: string
  visitor_id: string
  /** The identified user the session belongs to: another user never reads it. */
  user_id?: string
}

export type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>
export type EventTarget = Pick<Window, 'addEventListener' | 'removeEventListener'>

/** A client_message_id: a UUID when the browser has one, else 32 random hex digits. */
export function newId(): string {
  const c = globalThis.crypto
  if (c && typeof c.randomUUID === 'function') return c.randomUUID()
  const b = new Uint8Array(16)
  if (c && c.getRandomValues) c.getRandomValues(b)
  else for (let i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}

/** The browser's localStorage, or null when it is blocked (sandboxed frame, privacy settings). */
export function safeStorage(): StorageLike | null {
  try {
    return globalThis.localStorage
  } catch {
    return null
  }
}

/** Parses a stored session; null when missing or not one. */
export function parseStored(raw: string | null | undefined): StoredSession | null {
  try {
    const s = JSON.parse(raw || 'null')
    return s && typeof s.visitor_id === 'string' ? s : null
  } catch {
    return null
  }
}

export function saveStored(storage: StorageLike | null, key: string, s: StoredSession) {
  try {
    storage?.setItem(key, JSON.stringify(s))
  } catch {
    // quota or blocked storage: the session lives for this page only
  }
}

/**
 * Follows other tabs (`storage` events for `key`) and the network coming back (`online`).
 * Returns a function that stops listening.
 */
export function watchTabs(
  win: EventTarget | null | undefined,
  key: string,
  onChange: (raw: string | null) => void,
  onOnline: () => void,
): () => void {
  const onStorage = (e: StorageEvent) => {
    if (e.key === key) onChange(e.newValue)
  }
  win?.addEventListener('storage', onStorage as EventListener)
  win?.addEventListener('online', onOnline)
  return () => {
    win?.removeEventListener('storage', onStorage as EventListener)
    win?.removeEventListener('online', onOnline)
  }
}
