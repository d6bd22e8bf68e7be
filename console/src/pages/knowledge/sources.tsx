/** Documents and websites: status, size, passages, last processing, the readable error; refresh and delete. */
import { useCallback, useEffect, useState } from 'preact/hooks'
import type { KnowledgeSource } from '../../../../contract'
import { api, ApiError } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { EmptyState } from '../../components/empty-state'
import { useToast } from '../../components/toast'
import { formatBytes, formatDateTime, useLocale, useT } from '../../i18n'
import { common } from '../../i18n/common'
import { pageHref } from '../../router'
import { strings } from './strings'
import { UploadZone } from './upload'
import { WebsiteForm } from './website-form'

const STATUS_PILL = {
  pending: 'pill',
  processing: 'pill pill-accent',
  ready: 'pill pill-ok',
  failed: 'pill pill-danger',
}
const busy = (s: KnowledgeSource) => s.status === 'pending' || s.status === 'processing'

export function Sources({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const c = useT(common)
  const locale = useLocale()
  const toast = useToast()
  const [sources, setSources] = useState<KnowledgeSource[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [deleting, setDeleting] = useState<KnowledgeSource | null>(null)

  const load = useCallback(async () => {
    try {
      const res = await api.sources(tenantId)
      setSources(res.sources.filter((s) => s.kind !== 'faq'))
      setError(null)
    } catch (err) {
      setError(err instanceof ApiError ? err.message : c('loadFailed'))
    }
  }, [tenantId, c])

  useEffect(() => void load(), [load])
  // While something is being processed, the list follows it.
  const working = sources?.some(busy) ?? false
  useEffect(() => {
    if (!working) return
    const id = setInterval(() => void load(), 2000)
    return () => clearInterval(id)
  }, [working, load])

  const added = (s: KnowledgeSource) =>
    setSources((cur) => (cur ? [s, ...cur.filter((x) => x.id !== s.id)] : [s]))

  const refresh = async (s: KnowledgeSource) => {
    try {
      const res = await api.refreshSource(tenantId, s.id)
      added(res.source)
      toast(t('refreshed', { name: s.title }))
    } catch (err) {
      toast(err instanceof ApiError ? err.message : c('saveFailed'), 'error')
    }
  }

  return (
    <>
      <UploadZone tenantId={tenantId} onUploaded={added} />
      <WebsiteForm tenantId={tenantId} onAdded={added} />
      <section aria-labelledby="sources-title">
        <h2 id="sources-title">{t('sourcesTitle')}</h2>
        {error && (
          <p class="pane-error" role="alert">
            {error}
          </p>
        )}
        {sources === null && !error && <p class="muted">{c('loading')}</p>}
        {sources?.length === 0 && <EmptyState title={t('sourcesEmpty')}>{t('sourcesEmptyBody')}</EmptyState>}
        {sources && sources.length > 0 && (
          <ul class="item-list" aria-label={t('sourcesTitle')}>
            {sources.map((s) => (
              <li key={s.id}>
                <div class="item-main">
                  <a class="item-title" href={pageHref('knowledge', `sources/${s.id}`)}>
                    {s.title}
                  </a>
                  <div class="item-meta">
                    <span class="pill">{t(`kind.${s.kind}` as 'kind.document')}</span>{' '}
                    <span class={STATUS_PILL[s.status]}>{t(`status.${s.status}`)}</span>
                    {s.byte_size != null && <> · {formatBytes(s.byte_size, locale)}</>}
                    {s.chunk_count != null && <> · {t('passages', { n: s.chunk_count })}</>}
                    {' · '}
                    {s.last_processed_at
                      ? t('lastCrawl', { when: formatDateTime(s.last_processed_at, locale) })
                      : t('neverProcessed')}
                    {s.kind === 'website' && s.next_crawl_at && (
                      <> · {t('nextCrawl', { when: formatDateTime(s.next_crawl_at, locale) })}</>
                    )}
                  </div>
                  {s.filename && s.filename !== s.title && <div class="item-meta item-url">{s.filename}</div>}
                  {s.url && <div class="item-meta item-url">{s.url}</div>}
                  {s.error && <p class="field-error">{s.error}</p>}
                </div>
                <div class="item-actions">
                  <button
                    type="button"
                    class="btn btn-small"
                    disabled={busy(s)}
                    onClick={() => void refresh(s)}
                    aria-label={`${t('refresh')}: ${s.title}`}
                  >
                    {t('refresh')}
                  </button>
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() => setDeleting(s)}
                    aria-label={`${c('delete')}: ${s.title}`}
                  >
                    {c('delete')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {deleting && (
        <ConfirmDialog
          title={t('deleteSource', { name: deleting.title })}
          confirmLabel={c('delete')}
          typeToConfirm={deleting.kind === 'website' ? deleting.title : undefined}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteSource(tenantId, deleting.id)
            setSources((cur) => cur?.filter((x) => x.id !== deleting.id) ?? cur)
            toast(t('deleted', { name: deleting.title }))
          }}
        >
          {t('deleteSourceBody')}
        </ConfirmDialog>
      )}
    </>
  )
}
