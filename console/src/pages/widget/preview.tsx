/**
 * The snippet to paste (with a copy button) and the real widget running in a frame, exactly as a
 * visitor gets it. Unsaved colour and position show in the preview at once: the colour through an
 * `!important` override of the widget's CSS variables (it beats the saved theme the widget applies
 * inline), the position through the snippet's data-position.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import { themeVars } from '../../../../widget/src/chat/theme'
import { CopyButton } from '../../components/copy-button'
import { useT } from '../../i18n'
import { strings } from './strings'

export interface WidgetPreviewProps {
  /** The API's public origin, e.g. https://chat.example.com (the widget is served from there). */
  apiUrl: string
  /** The bot's publishable key, pk_... */
  publishableKey: string
  /** Unsaved appearance shown in the preview only. */
  draft?: { color?: string; position?: 'left' | 'right' }
  /** Changes when the saved config changes: the frame reloads. */
  version?: string
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** The one line a site owner pastes before `</body>`. */
export function widgetSnippet(apiUrl: string, publishableKey: string, position?: 'left' | 'right'): string {
  const base = apiUrl.replace(/\/+$/, '')
  const pos = position ? ` data-position="${position}"` : ''
  return `<script src="${escapeAttr(base)}/widget.js" data-key="${escapeAttr(publishableKey)}"${pos} async></script>`
}

/** The draft colour as a rule on the widget's host element. */
export function draftCss(color: string | undefined): string {
  if (!color || !/^#[0-9a-f]{6}$/i.test(color)) return ''
  const vars = themeVars(color)
  return `parley-widget{${Object.entries(vars)
    .map(([k, v]) => `${k}:${v} !important`)
    .join(';')}}`
}

/** A tiny host page for the preview frame: the snippet, nothing else. */
function previewPage(snippet: string, css: string, text: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<style>body{margin:0;font:14px system-ui,sans-serif;color:#5b6473;background:#f4f5f7;display:flex;align-items:center;' +
    'justify-content:center;height:100vh;text-align:center;padding:0 24px}</style>' +
    `<style id="draft-theme">${css}</style></head>` +
    `<body><p>${escapeAttr(text)}</p>` +
    snippet +
    '</body></html>'
  )
}

export function WidgetPreview({ apiUrl, publishableKey, draft, version }: WidgetPreviewProps) {
  const t = useT(strings)
  const snippet = useMemo(() => widgetSnippet(apiUrl, publishableKey), [apiUrl, publishableKey])
  const [reload, setReload] = useState(0)
  const frame = useRef<HTMLIFrameElement>(null)
  const css = draftCss(draft?.color)
  // The frame's page is built once per reload; later colour changes are written into it in place.
  const page = useMemo(
    () => previewPage(widgetSnippet(apiUrl, publishableKey, draft?.position), css, t('previewPage')),
    [apiUrl, publishableKey, draft?.position, reload, version, t],
  )
  useEffect(() => {
    const el = frame.current?.contentDocument?.getElementById('draft-theme')
    if (el) el.textContent = css
  }, [css])

  return (
    <>
      <section class="settings-card" aria-labelledby="widget-preview-title">
        <div class="settings-head">
          <h2 id="widget-preview-title">{t('previewTitle')}</h2>
          <button type="button" class="btn btn-ghost" onClick={() => setReload(reload + 1)}>
            {t('reloadPreview')}
          </button>
        </div>
        <p class="muted">{t('previewHint')}</p>
        {/* Same origin as the console (the API accepts its own origin for every widget); the frame
            inherits the console's Content-Security-Policy. */}
        <iframe
          key={`${reload}:${version ?? ''}:${draft?.position ?? ''}`}
          ref={frame}
          class="preview-frame"
          title={t('previewFrame')}
          srcDoc={page}
          referrerpolicy="no-referrer"
        />
      </section>
      <section class="settings-card" aria-labelledby="widget-snippet-title">
        <h2 id="widget-snippet-title">{t('snippetTitle')}</h2>
        <p class="muted">{t('snippetHint')}</p>
        <div class="snippet">
          <pre aria-label={t('snippetLabel')} tabIndex={0}>
            <code>{snippet}</code>
          </pre>
          <CopyButton text={snippet} />
        </div>
      </section>
    </>
  )
}
