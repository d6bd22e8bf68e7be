/**
 * The owner's widget preview: the snippet to paste (with a copy button) and the real widget running
 * in a sandboxed frame, exactly as a visitor would get it. Self-contained: no console state needed.
 */
import { useMemo, useState } from 'preact/hooks'

export interface WidgetPreviewProps {
  /** The API's public origin, e.g. https://chat.example.com (the widget is served from there). */
  apiUrl: string
  /** The bot's publishable key, pk_... */
  publishableKey: string
}

const escapeAttr = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** The one line a site owner pastes before `</body>`. */
export function widgetSnippet(apiUrl: string, publishableKey: string): string {
  const base = apiUrl.replace(/\/+$/, '')
  return `<script src="${escapeAttr(base)}/widget.js" data-key="${escapeAttr(publishableKey)}" async></script>`
}

/** A tiny host page for the preview frame: the snippet, nothing else. */
function previewPage(snippet: string): string {
  return (
    '<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<style>body{margin:0;font:14px system-ui,sans-serif;color:#6b7280;background:#f9fafb;display:flex;align-items:center;' +
    'justify-content:center;height:100vh}</style></head><body><p>Your site. Click the chat button to try it.</p>' +
    snippet +
    '</body></html>'
  )
}

export function WidgetPreview({ apiUrl, publishableKey }: WidgetPreviewProps) {
  const snippet = useMemo(() => widgetSnippet(apiUrl, publishableKey), [apiUrl, publishableKey])
  const [copied, setCopied] = useState<'idle' | 'done' | 'failed'>('idle')
  const [reload, setReload] = useState(0)

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(snippet)
      setCopied('done')
    } catch {
      setCopied('failed') // no clipboard permission: the text stays selectable
    }
    setTimeout(() => setCopied('idle'), 2000)
  }

  return (
    <section class="widget-preview" aria-labelledby="widget-preview-title">
      <h2 id="widget-preview-title">Add the chat to your site</h2>
      <p>Paste this line before the closing &lt;/body&gt; tag of every page where the chat should appear.</p>
      <div style={{ display: 'flex', gap: '8px', alignItems: 'flex-start' }}>
        <pre
          aria-label="Widget snippet"
          style={{ flex: 1, margin: 0, padding: '10px 12px', background: '#111827', color: '#f9fafb', borderRadius: '8px', overflowX: 'auto', userSelect: 'all' }}
        >
          <code>{snippet}</code>
        </pre>
        <button type="button" onClick={() => void copy()}>
          {copied === 'done' ? 'Copied' : copied === 'failed' ? 'Select and copy' : 'Copy'}
        </button>
      </div>
      <span role="status" class="sr-only" style={{ position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>
        {copied === 'done' ? 'Snippet copied to the clipboard' : ''}
      </span>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', marginTop: '16px' }}>
        <h3 style={{ margin: 0 }}>Live preview</h3>
        <button type="button" onClick={() => setReload(reload + 1)}>
          Reload preview
        </button>
      </div>
      <iframe
        key={reload}
        title="Widget preview"
        srcDoc={previewPage(snippet)}
        // scripts only: an opaque origin, no access to the console's storage or cookies
        sandbox="allow-scripts allow-popups allow-popups-to-escape-sandbox"
        referrerpolicy="no-referrer"
        style={{ width: '100%', height: '680px', border: '1px solid #e5e7eb', borderRadius: '12px', marginTop: '8px', background: '#fff' }}
      />
    </section>
  )
}
