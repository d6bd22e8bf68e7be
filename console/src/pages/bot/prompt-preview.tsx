/** The assembled system prompt as the bot would send it now, in a chosen answer language. */
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { botApi, type PromptPreview as Preview } from './api'
import { strings } from './strings'

const LANGUAGES = ['auto', 'en', 'fr', 'es', 'pt']

export function PromptPreview({ botId, version }: { botId: string; version: number }) {
  const t = useT(strings)
  const c = useT(common)
  const [language, setLanguage] = useState('auto')
  const [preview, setPreview] = useState<Preview | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [again, setAgain] = useState(0)
  useEffect(() => {
    let stale = false
    botApi
      .preview(botId, language)
      .then((res) => !stale && (setPreview(res), setError(null)))
      .catch((err) => !stale && setError(err instanceof ApiError ? err.message : String(err)))
    return () => {
      stale = true
    }
  }, [botId, language, version, again])
  const used = preview
    ? Object.entries(preview.prompt_versions)
        .map(([type, n]) => `${t(`type.${type}` as 'type.principal')} v${n}`)
        .join(', ') || t('defaults')
    : ''
  return (
    <section class="settings-card" aria-labelledby="bot-preview">
      <h2 id="bot-preview">{t('preview')}</h2>
      <p class="muted">{t('previewHint')}</p>
      <div class="form-actions">
        <label>
          {t('previewLanguage')}{' '}
          <select value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {l}
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="btn btn-small" onClick={() => setAgain(again + 1)}>
          {t('refresh')}
        </button>
        {preview && <span class="muted small">{t('usesVersions', { list: used })}</span>}
      </div>
      {error && <p class="pane-error">{error}</p>}
      {preview ? (
        <pre class="prompt-text" data-testid="system-prompt">
          {preview.system_prompt}
        </pre>
      ) : (
        !error && <p class="muted">{c('loading')}</p>
      )}
    </section>
  )
}
