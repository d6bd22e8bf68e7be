/**
 * The script tag's code (dist/widget/widget.js, a classic script): draws the launcher in a shadow
 * root and loads the chat chunk (chat.js, beside this file) on first use. No Preact here: it must
 * stay tiny. The whole public surface is `window.Parley`.
 */
import { addStyles } from './styles'
import type { ChatController, MountOptions, WidgetEvent } from './chat/index'

type Method = 'open' | 'close' | 'toggle'
type Listener = (data?: unknown) => void

interface ParleySettings {
  key?: string
  api?: string
}

const CSS =
  ':host{all:initial}' +
  '.l{position:fixed;bottom:20px;right:20px;width:56px;height:56px;border:0;border-radius:50%;padding:0;margin:0;' +
  'cursor:pointer;display:flex;align-items:center;justify-content:center;color:var(--parley-on-primary,#fff);' +
  'background:var(--parley-primary,#4f46e5);box-shadow:0 6px 20px rgba(0,0,0,.2),0 2px 6px rgba(0,0,0,.12);' +
  'transition:transform .15s ease,box-shadow .15s ease;z-index:1}' +
  ':host([data-position=left]) .l{right:auto;left:20px}' +
  '.l:hover{transform:scale(1.06)}.l:focus-visible{outline:3px solid var(--parley-primary,#4f46e5);outline-offset:3px}' +
  '.l svg{width:26px;height:26px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}' +
  '.l .x,.l.o .c{display:none}.l.o .x{display:block}' +
  '.b{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;box-sizing:border-box;border-radius:10px;' +
  'background:#e11d48;color:#fff;font:600 11px/20px system-ui,sans-serif;text-align:center;border:2px solid #fff}' +
  '.b[hidden]{display:none}@media (max-width:480px){.l.o{display:none}}'

const SVG = 'http://www.w3.org/2000/svg'

function icon(cls: string, d: string): SVGElement {
  const svg = document.createElementNS(SVG, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('class', cls)
  const path = document.createElementNS(SVG, 'path')
  path.setAttribute('d', d)
  svg.appendChild(path)
  return svg
}

;(function boot(w: Window & { Parley?: unknown; ParleySettings?: ParleySettings }) {
  if (w.Parley) return // a second copy of the tag does nothing
  const d = document
  const script = (d.currentScript ||
    d.querySelector('script[src*="widget.js"][data-key]')) as HTMLScriptElement | null
  const settings = w.ParleySettings || {}
  const src = (script && script.src) || ''
  const key = (script && script.getAttribute('data-key')) || settings.key
  let apiBase = (script && script.getAttribute('data-api')) || settings.api || ''
  const nonce = (script && (script.getAttribute('data-nonce') || script.nonce)) || undefined
  let chunkUrl = ''
  try {
    if (!apiBase) apiBase = new URL(src).origin
    chunkUrl = new URL('chat.js', src || apiBase + '/').href
  } catch {
    // no usable URL: reported below
  }

  const listeners: Record<string, Listener[]> = {}
  const queue: Method[] = []
  let chat: ChatController | undefined
  let loading: Promise<void> | undefined
  let warned = false
  let unread = 0

  const emit = (event: WidgetEvent, data?: unknown) => {
    if (event === 'open' || event === 'close') {
      const open = event === 'open'
      launcher.classList.toggle('o', open)
      launcher.setAttribute('aria-expanded', String(open))
      if (open) setUnread(0)
    }
    if (event === 'unread') return setUnread(unread + 1)
    if (event === 'label') return launcher.setAttribute('aria-label', String(data))
    for (const fn of (listeners[event] || []).slice()) {
      try {
        fn(data)
      } catch (e) {
        console.error(e)
      }
    }
  }

  const Parley = {
    open: () => call('open'),
    close: () => call('close'),
    toggle: () => call('toggle'),
    on(event: string, fn: Listener) {
      ;(listeners[event] = listeners[event] || []).push(fn)
    },
    off(event: string, fn: Listener) {
      listeners[event] = (listeners[event] || []).filter((f) => f !== fn)
    },
  }
  w.Parley = Parley

  if (!key || !chunkUrl) {
    console.warn('Parley: missing data-key or script URL; the chat widget is disabled.')
    return
  }

  // A custom tag: the page's type selectors (div {...}) never match the host.
  const host = d.createElement('parley-widget')
  host.id = 'parley-widget'
  host.style.cssText =
    'all:initial;display:block;position:fixed;z-index:2147483000;bottom:0;right:0;width:0;height:0;border:0;margin:0;padding:0'
  const root = host.attachShadow({ mode: 'open' })
  addStyles(root, CSS, nonce)

  const launcher = d.createElement('button')
  launcher.type = 'button'
  launcher.className = 'l'
  launcher.setAttribute('aria-label', 'Open chat')
  launcher.setAttribute('aria-expanded', 'false')
  launcher.appendChild(icon('c', 'M21 12a8 8 0 0 1-11.5 7.2L4 21l1.8-5.5A8 8 0 1 1 21 12z'))
  launcher.appendChild(icon('x', 'M6 6l12 12M18 6L6 18'))
  const badge = d.createElement('span')
  badge.className = 'b'
  badge.hidden = true
  launcher.appendChild(badge)
  root.appendChild(launcher)

  function setUnread(n: number) {
    unread = n
    badge.hidden = !n
    badge.textContent = n > 9 ? '9+' : String(n)
  }

  function load(): Promise<void> {
    if (!loading) {
      loading = Promise.race([
        import(/* @vite-ignore */ chunkUrl) as Promise<{
          mount: (r: ShadowRoot, o: MountOptions) => ChatController
        }>,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 15000)),
      ]).then(
        (mod) => {
          chat = mod.mount(root, { apiBase, key: key as string, nonce, launcher, emit })
          for (const m of queue.splice(0)) chat[m]()
        },
        (e) => {
          loading = undefined // a later click tries again
          queue.length = 0
          if (!warned) console.warn('Parley: the chat could not be loaded.', e)
          warned = true
        },
      )
    }
    return loading
  }

  function call(m: Method) {
    if (chat) chat[m]()
    else {
      queue.push(m)
      load()
    }
  }

  launcher.addEventListener('click', () => call('toggle'))
  launcher.addEventListener('pointerenter', () => load())
  launcher.addEventListener('focus', () => load())

  const attach = () => {
    d.body.appendChild(host)
    const idle = (w as Window & { requestIdleCallback?: (cb: () => void, o?: object) => void })
      .requestIdleCallback
    const preload = () => (idle ? idle(() => load(), { timeout: 4000 }) : setTimeout(load, 2500))
    if (d.readyState === 'complete') preload()
    else w.addEventListener('load', preload)
  }
  if (d.body) attach()
  else d.addEventListener('DOMContentLoaded', attach)
})(window)
