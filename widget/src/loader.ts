/**
 * The script tag's code (dist/widget/widget.js, a classic script): draws the launcher in a shadow
 * root and loads the chat chunk (chat.js, beside this file) on first open or on hover or focus of the
 * launcher; when the browser is idle, only for a visitor with a conversation in progress (see
 * `preload` below). No Preact here: it must stay under 2 KB gzipped.
 * The whole public surface is `window.Parley`; calls made before the chunk arrives are queued.
 * Configuration: the tag's data- attributes, else `window.ParleySettings`
 * (key, api, locale, position, nonce, identity).
 */
import { addStyles } from './styles'
import type { ChatController, MountOptions } from './chat/index'

type Listener = (data?: unknown) => void
type Settings = Partial<Pick<MountOptions, 'key' | 'locale' | 'position' | 'nonce' | 'identity'>> & {
  api?: string
}
type Call = [keyof ChatController, unknown[]]

const CSS =
  ':host{all:initial!important}' +
  '.l{all:initial;position:fixed;z-index:2147483000;bottom:20px;right:20px;width:56px;height:56px;border-radius:50%;' +
  'cursor:pointer;display:flex;align-items:center;justify-content:center;color:var(--parley-on-primary,#fff);' +
  'background:var(--parley-primary,#4f46e5);box-shadow:0 6px 20px rgba(0,0,0,.2);transition:transform .15s}' +
  ':host([data-left]) .l{right:auto;left:20px}' +
  '.l:hover{transform:scale(1.06)}.l:focus-visible{outline:3px solid var(--parley-primary,#4f46e5);outline-offset:3px}' +
  'svg{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}' +
  '.x,.o .c{display:none}.o .x{display:block}' +
  '.b{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;' +
  'background:#be123c;color:#fff;font:600 11px/16px system-ui,sans-serif;text-align:center;border:2px solid #fff}' +
  '.b[hidden]{display:none}@media (max-width:480px){.o{display:none}}'

;(function boot(w: Window & { Parley?: unknown; ParleySettings?: Settings }, d: Document) {
  if (w.Parley) return // a second copy of the tag does nothing
  const script = (d.currentScript || d.querySelector('script[src*="widget.js"]')) as HTMLScriptElement | null
  // data- attributes win over window.ParleySettings
  const s: Settings = Object.assign({}, w.ParleySettings, script && script.dataset)
  const src = (script && script.src) || ''
  const nonce = s.nonce || (script && script.nonce) || undefined
  let api = s.api || ''
  let chunk = ''
  try {
    api = api || new URL(src).origin
    chunk = new URL('chat.js', src || api + '/').href
  } catch {
    // no usable URL: reported below
  }

  const listeners: Record<string, Listener[]> = {}
  const queue: Call[] = []
  let chat: ChatController | undefined
  let loading: Promise<void> | undefined
  let warned = false
  let dead = false

  const Parley: Record<string, unknown> = {
    on(event: string, fn: Listener) {
      ;(listeners[event] = listeners[event] || []).push(fn)
    },
    off(event: string, fn: Listener) {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn)
    },
  }
  for (const m of ['open', 'close', 'toggle', 'identify', 'setLocale', 'reset', 'shutdown'] as const)
    Parley[m] = (...a: unknown[]) => call(m, a)
  w.Parley = Parley

  if (!s.key || !chunk)
    return console.warn('Parley: missing data-key or script URL; the chat widget is disabled.')

  // A custom tag: the page's type selectors (div {...}) never match the host.
  const host = d.createElement('parley-widget')
  host.id = 'parley-widget'
  const root = host.attachShadow({ mode: 'open' })
  addStyles(root, CSS, nonce)
  if (s.position === 'left') host.setAttribute('data-left', '')

  const launcher = d.createElement('button')
  launcher.type = 'button'
  launcher.className = 'l'
  launcher.setAttribute('aria-label', 'Open chat')
  launcher.setAttribute('aria-expanded', 'false')
  const svg = (cls: string, path: string) => {
    const e = d.createElementNS('http://www.w3.org/2000/svg', 'svg')
    e.setAttribute('class', cls)
    e.setAttribute('viewBox', '0 0 24 24')
    e.setAttribute('aria-hidden', 'true')
    e.appendChild(d.createElementNS('http://www.w3.org/2000/svg', 'path')).setAttribute('d', path)
    launcher.appendChild(e)
  }
  svg('c', 'M21 12a8 8 0 0 1-11.5 7.2L4 21l1.8-5.5A8 8 0 1 1 21 12z')
  svg('x', 'M6 6l12 12M18 6L6 18')
  const badge = launcher.appendChild(d.createElement('span'))
  badge.className = 'b'
  badge.hidden = true
  root.appendChild(launcher)

  const emit = (event: string, data?: unknown) => {
    if (event === 'open' || event === 'close') {
      launcher.classList.toggle('o', event === 'open')
      launcher.setAttribute('aria-expanded', String(event === 'open'))
    }
    if (event === 'unread-count') {
      const n = data as number
      badge.hidden = !n
      badge.textContent = n > 9 ? '9+' : String(n)
    }
    if (event === 'label') return launcher.setAttribute('aria-label', String(data))
    for (const fn of (listeners[event] || []).slice()) {
      try {
        fn(data)
      } catch (e) {
        console.error(e)
      }
    }
  }

  function load(): Promise<void> {
    return (loading =
      loading ||
      Promise.race([
        import(/* @vite-ignore */ chunk) as Promise<{
          mount: (r: ShadowRoot, o: MountOptions) => ChatController
        }>,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 15000)),
      ]).then(
        (mod) => {
          if (dead) return
          chat = mod.mount(root, { ...s, apiBase: api, key: s.key!, nonce, launcher, emit })
          for (const [m, a] of queue.splice(0)) (chat[m] as (...x: unknown[]) => void)(...a)
        },
        (e) => {
          loading = undefined // a later click tries again
          queue.length = 0
          if (!warned) console.warn('Parley: the chat could not be loaded.', e)
          warned = true
        },
      ))
  }

  function call(m: keyof ChatController, a: unknown[]) {
    if (dead) return
    if (m === 'shutdown') {
      dead = true
      host.remove()
    }
    if (chat) (chat[m] as (...x: unknown[]) => void)(...a)
    else if (!dead) {
      queue.push([m, a])
      load()
    }
  }

  launcher.onclick = () => call('toggle', [])
  launcher.onpointerenter = launcher.onfocus = () => load()

  // Before the first open the page pays for the launcher only: the chunk is fetched and run on hover,
  // focus (pointerenter also fires when a finger touches the launcher) or the first open, which the
  // bench (bench/widget.ts) showed costs the page less than any idle-time preload, even a fetch-only
  // one. When the browser is idle it is loaded only for a returning visitor with a conversation in
  // progress, whose launcher must count live unread replies (the chunk keeps that session in
  // localStorage under 'parley:' + key, see chat/chat-store.ts).
  const preload = () => {
    try {
      if ((localStorage.getItem('parley:' + s.key) || '').indexOf('"session_id"') >= 0) load()
    } catch {
      // storage blocked: no stored conversation to follow
    }
  }
  const attach = () => {
    d.body.appendChild(host)
    const later = () =>
      w.requestIdleCallback ? w.requestIdleCallback(preload, { timeout: 4000 }) : setTimeout(preload, 2500)
    if (d.readyState === 'complete') later()
    else w.addEventListener('load', later)
  }
  if (d.body) attach()
  else d.addEventListener('DOMContentLoaded', attach)
})(window, document)
