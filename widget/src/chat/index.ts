/**
 * The chat chunk (dist/widget/chat.js), loaded by the loader on first use. `mount` renders the panel
 * into the loader's shadow root and returns the controller behind `Parley.open/close/toggle`.
 */
import { h, render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { strings } from '../i18n'
import { addStyles } from '../styles'
import { ChatApp } from './chat-app'
import { ChatStore } from './chat-store'
import { CSS } from './styles'
import { themeVars } from './theme'

export type WidgetEvent = 'open' | 'close' | 'message' | 'unread' | 'label'

export interface MountOptions {
  apiBase: string
  key: string
  /** CSP nonce for the <style> fallback. */
  nonce?: string
  /** Focus returns here when the panel closes. */
  launcher?: HTMLElement
  /** Reports open, close and message to the page's `Parley.on` listeners; unread and label to the loader. */
  emit?: (event: WidgetEvent, data?: unknown) => void
  fetch?: typeof fetch
}

export interface ChatController {
  open(): void
  close(): void
  toggle(): void
  isOpen(): boolean
  destroy(): void
}

/** Renders the chat into `root` (closed) and starts loading its config and any stored session. */
export function mount(root: ShadowRoot, opts: MountOptions): ChatController {
  const emit = opts.emit || (() => {})
  addStyles(root, CSS, opts.nonce)
  const el = document.createElement('div')
  root.appendChild(el)
  let isOpen = false
  let setOpenView: (v: boolean) => void = () => {}

  const store = new ChatStore({
    apiBase: opts.apiBase,
    key: opts.key,
    fetch: opts.fetch,
    onMessage: (m) => {
      emit('message', m)
      if (!isOpen && m.message_type !== 'user') emit('unread')
    },
  })
  let themed = false
  store.subscribe(() => {
    const c = store.state.config
    if (c && !themed) {
      themed = true
      const host = root.host as HTMLElement
      const vars = themeVars(c.theme && c.theme.primary_color)
      for (const k in vars) host.style.setProperty(k, vars[k])
      if (c.theme && c.theme.position === 'left') host.setAttribute('data-position', 'left')
      emit('label', strings[store.state.lang].openChat)
    }
  })

  const set = (v: boolean) => {
    if (v === isOpen) return
    isOpen = v
    setOpenView(v)
    emit(v ? 'open' : 'close')
    if (!v && opts.launcher) opts.launcher.focus()
  }

  function Root() {
    const [open, setOpen] = useState(isOpen)
    useEffect(() => {
      setOpenView = setOpen
      setOpen(isOpen)
    }, [])
    return h(ChatApp, { store, open, onClose: () => set(false) })
  }
  // Esc closes wherever the focus is inside the widget (panel or launcher).
  root.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key === 'Escape' && isOpen) set(false)
  })
  render(h(Root, null), el)
  void store.start()

  return {
    open: () => set(true),
    close: () => set(false),
    toggle: () => set(!isOpen),
    isOpen: () => isOpen,
    destroy() {
      store.destroy()
      render(null, el)
      el.remove()
    },
  }
}
