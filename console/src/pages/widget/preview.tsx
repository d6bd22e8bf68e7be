/**
 * The owner's widget page: the snippet to paste (with a copy button), the sites the chat may run on,
 * and the real widget running in a frame, exactly as a visitor gets it.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { api, ApiError } from '../../api'
import type { Bot, WidgetConfig } from '../../types'

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
    '<style>body{margin:0;font:14px system-ui,sans-serif;color:#5b6473;background:#f4f5f7;display:flex;align-items:center;' +
    'justify-content:center;height:100vh;text-align:center;padding:0 24px}</style></head>' +
    '<body><p>Your site. Click the chat button to try it.</p>' +
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
    <>
      <section class="settings-card" aria-labelledby="widget-snippet-title">
        <h2 id="widget-snippet-title">Add the chat to your site</h2>
        <p class="muted">
          Paste this line before the closing &lt;/body&gt; tag of every page where the chat should appear.
        </p>
        <div class="snippet">
          <pre aria-label="Widget snippet" tabIndex={0}>
            <code>{snippet}</code>
          </pre>
          <button type="button" class="btn" onClick={() => void copy()}>
            {copied === 'done' ? 'Copied' : copied === 'failed' ? 'Select and copy' : 'Copy'}
          </button>
        </div>
        <span role="status" class="sr-only">
          {copied === 'done' ? 'Snippet copied to the clipboard' : ''}
        </span>
      </section>
      <section class="settings-card" aria-labelledby="widget-preview-title">
        <div class="settings-head">
          <h2 id="widget-preview-title">Live preview</h2>
          <button type="button" class="btn btn-ghost" onClick={() => setReload(reload + 1)}>
            Reload preview
          </button>
        </div>
        <p class="muted">A real conversation with your assistant: it appears in the inbox like any other.</p>
        {/* Same origin as the console (the API accepts its own origin for every widget); the frame
            inherits the console's Content-Security-Policy. */}
        <iframe
          key={reload}
          class="preview-frame"
          title="Widget preview"
          srcDoc={previewPage(snippet)}
          referrerpolicy="no-referrer"
        />
      </section>
    </>
  )
}

/** One origin per line; blank lines ignored. */
const parseOrigins = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean)

/** The console's Widget page: pick a bot, copy its snippet, list the sites it may run on, try it. */
export function WidgetSettings({ tenantId }: { tenantId: string }) {
  const [bots, setBots] = useState<Bot[] | null>(null)
  const [botId, setBotId] = useState<string | null>(null)
  const [widget, setWidget] = useState<WidgetConfig | null>(null)
  const [origins, setOrigins] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [saving, setSaving] = useState(false)
  const [saved, setSaved] = useState(false)

  useEffect(() => {
    let stale = false
    api
      .bots(tenantId)
      .then((res) => {
        if (stale) return
        setBots(res.bots ?? [])
        setBotId(res.bots?.[0]?.id ?? null)
      })
      .catch(
        (err) => !stale && setError(err instanceof ApiError ? err.message : 'The bots could not be loaded.'),
      )
    return () => {
      stale = true
    }
  }, [tenantId])

  useEffect(() => {
    if (!botId) return
    let stale = false
    setWidget(null)
    api
      .widget(botId)
      .then((res) => {
        if (stale) return
        setWidget(res.widget)
        setOrigins(res.widget.allowed_origins.join('\n'))
      })
      .catch(
        (err) =>
          !stale && setError(err instanceof ApiError ? err.message : 'The widget could not be loaded.'),
      )
    return () => {
      stale = true
    }
  }, [botId])

  const save = async (e: Event) => {
    e.preventDefault()
    if (!botId) return
    setSaving(true)
    setSaved(false)
    setError(null)
    try {
      const res = await api.updateWidget(botId, { allowed_origins: parseOrigins(origins) })
      setWidget(res.widget)
      setOrigins(res.widget.allowed_origins.join('\n'))
      setSaved(true)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : 'The sites could not be saved.')
    } finally {
      setSaving(false)
    }
  }

  return (
    <main class="settings" aria-labelledby="settings-title">
      <div class="settings-head">
        <h1 id="settings-title">Chat widget</h1>
        {bots && bots.length > 1 && (
          <label class="inline-field">
            <span>Bot</span>
            <select value={botId ?? ''} onChange={(e) => setBotId(e.currentTarget.value)}>
              {bots.map((b) => (
                <option key={b.id} value={b.id}>
                  {b.name}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {bots && bots.length === 0 && <p class="empty">This workspace has no bot yet.</p>}
      {!error && (bots === null || (botId && widget === null)) && <p class="empty">Loading…</p>}
      {widget && (
        <>
          <section class="settings-card" aria-labelledby="widget-origins-title">
            <h2 id="widget-origins-title">Sites</h2>
            <form onSubmit={save}>
              <label class="field">
                <span>
                  The chat answers only on these sites, one per line (like https://shop.example.com). Until
                  one is listed it works nowhere but in this preview.
                </span>
                <textarea
                  rows={3}
                  value={origins}
                  onInput={(e) => (setOrigins(e.currentTarget.value), setSaved(false))}
                  spellcheck={false}
                />
              </label>
              <div class="settings-actions">
                <button type="submit" class="btn btn-primary" disabled={saving}>
                  {saving ? 'Saving…' : 'Save sites'}
                </button>
                <span role="status" class="muted">
                  {saved ? 'Saved.' : ''}
                </span>
              </div>
            </form>
          </section>
          <WidgetPreview apiUrl={location.origin} publishableKey={widget.publishable_key} />
        </>
      )}
    </main>
  )
}
