/** Adds a website to crawl: address, page limit, schedule. The API's refusal shows under its field. */
import { useState } from 'preact/hooks'
import type { CrawlFrequency, KnowledgeSource } from '../../../../contract'
import { api } from '../../api'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { strings } from './strings'

export function WebsiteForm({
  tenantId,
  onAdded,
}: {
  tenantId: string
  onAdded: (s: KnowledgeSource) => void
}) {
  const t = useT(strings)
  const toast = useToast()
  const [url, setUrl] = useState('')
  const [maxPages, setMaxPages] = useState('50')
  const [frequency, setFrequency] = useState<CrawlFrequency>('weekly')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const n = Number(maxPages)
      const res = await api.addWebsite(tenantId, {
        url: url.trim(),
        crawl_frequency: frequency,
        ...(maxPages.trim() && Number.isFinite(n) ? { max_pages: n } : {}),
      })
      setUrl('')
      toast(t('websiteAdded'))
      onAdded(res.source)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <details class="settings-card add-website" open={error !== null}>
      <summary>
        <h2>{t('websiteTitle')}</h2>
      </summary>
      <form onSubmit={submit} noValidate aria-label={t('websiteTitle')}>
        <Field label={t('websiteUrl')} hint={t('websiteUrlHint')} error={messageFor(error, 'url')}>
          {(p) => (
            <input
              {...p}
              type="url"
              inputMode="url"
              required
              placeholder="https://"
              value={url}
              onInput={(e) => setUrl(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="form-row">
          <Field label={t('maxPages')} error={messageFor(error, 'max_pages')}>
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={5000}
                value={maxPages}
                onInput={(e) => setMaxPages(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('schedule')} error={messageFor(error, 'crawl_frequency')}>
            {(p) => (
              <select
                {...p}
                value={frequency}
                onChange={(e) => setFrequency(e.currentTarget.value as CrawlFrequency)}
              >
                {(['manual', 'daily', 'weekly'] as const).map((f) => (
                  <option key={f} value={f}>
                    {t(`freq.${f}`)}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <FormError message={unclaimed(error, ['url', 'max_pages', 'crawl_frequency'])} />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || !url.trim()}>
            {t('addWebsite')}
          </button>
        </div>
      </form>
    </details>
  )
}
