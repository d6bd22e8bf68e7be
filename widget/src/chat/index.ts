/**
 * The chat chunk (dist/widget/chat.js), loaded by the loader on first open, on hover or focus of the
 * launcher, or when the browser is idle. `mount` starts the store at once (config, stored session,
 * unread messages) but renders the panel only on first open: an idle preload costs the host page
 * almost nothing. It returns the controller behind `window.Parley`.
 */
import { h, render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { isRtl, stringsFor } from '../i18n'
import { addStyles } from '../styles'
import type { Identity } from '../../../contract'
import { ChatApp } from './chat-app'
import { ChatStore } from './chat-store'
import { CSS } from './styles'
import { themeVars } from './theme'

/** Events for `Parley.on`, plus `label` (the launcher's name in the current language) for the loader. */
export type WidgetEvent = 'open' | 'close' | 'message' | 'unread-count' | 'escalated' | 'label'

export interface MountOptions {
  apiBase: string
  key: string
  /** CSP nonce for the <style> fallback. */
  nonce?: string
  /** A language tag overriding the config and the browser. */
  locale?: string
  /** `left` or `right`: overrides the config's position. */
  position?: string
  /** An identity known when the page loads (ParleySettings.identity). */
  identity?: Identity
  /** Focus returns here when the panel closes. */
  launcher?: HTMLElement
  /** Reports events to the loader, which passes them to the page's `Parley.on` listeners. */
  emit?: (event: WidgetEvent, data?: unknown) => void
  fetch?: typeof fetch
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null
}

/** What the loader calls; the loader queues calls made before the chunk arrives. */
export interface ChatController {
  open(): void
  close(): void
  toggle(): void
  identify(identity: Identity): void
  setLocale(tag: string | null): void
  reset(): void
  shutdown(): void
  isOpen(): boolean
  /** The store, for tests. */
  store: ChatStore
}

/** Starts the chat for the loader's shadow root (closed; the panel renders on first open). */
export function mount(root: ShadowRoot, opts: MountOptions): ChatController {
  const emit = opts.emit || (() => {})
  const host = root.host as HTMLElement
  let el: HTMLElement | undefined
  let isOpen = false
  let unread = 0
  let setOpenView: (v: boolean) => void = () => {}

  const setUnread = (n: number) => {
    if (n !== unread) emit('unread-count', (unread = n))
  }
  const store = new ChatStore({
    apiBase: opts.apiBase,
    key: opts.key,
    fetch: opts.fetch,
    storage: opts.storage,
    locale: opts.locale,
    identity: opts.identity,
    onMessage: (m) => {
      emit('message', m)
      if (!isOpen && m.message_type !== 'user') setUnread(unread + 1)
    },
    onEscalated: () => emit('escalated'),
  })

  let themed = false
  let lang = ''
  const sync = () => {
    const s = store.state
    const c = s.config
    if (c && !themed) {
      themed = true
      const vars = themeVars(c.theme && c.theme.primary_color)
      for (const k in vars) host.style.setProperty(k, vars[k])
    }
    const pos = opts.position || (c && (c.position || (c.theme && c.theme.position)))
    host.toggleAttribute('data-left', pos === 'left')
    if (s.lang !== lang) emit('label', stringsFor((lang = s.lang)).openChat)
  }
  store.subscribe(sync)
  sync()

  function Root() {
    const [open, setOpen] = useState(isOpen)
    useEffect(() => {
      setOpenView = setOpen
      setOpen(isOpen)
    }, [])
    const dir = isRtl(opts.locale) || document.documentElement.dir === 'rtl' ? 'rtl' : 'ltr'
    return h(ChatApp, { store, open, dir, onClose: () => set(false) })
  }

  const set = (v: boolean) => {
    if (v === isOpen || !host.isConnected) return
    isOpen = v
    if (v && !el) {
      addStyles(root, CSS, opts.nonce)
      el = document.createElement('div')
      root.appendChild(el)
      render(h(Root, null), el)
    }
    setOpenView(v)
    if (v) setUnread(0)
    emit(v ? 'open' : 'close')
    if (!v && opts.launcher) opts.launcher.focus()
  }

  // Esc closes wherever the focus is inside the widget (panel or launcher).
  root.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Escape' && isOpen) set(false)
  })
  void store.start()

  return {
    open: () => set(true),
    close: () => set(false),
    toggle: () => set(!isOpen),
    identify: (id) => store.identify(id),
    setLocale: (tag) => store.setLocale(tag),
    reset: () => {
      store.reset()
      setUnread(0)
    },
    shutdown() {
      set(false)
      store.destroy()
      if (el) render(null, el)
    },
    isOpen: () => isOpen,
    store,
  }
}
