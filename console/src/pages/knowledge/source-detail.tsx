/** One source: its state, its crawled pages and recent processing jobs. */
import { useCallback, useEffect, useState } from 'preact/hooks'
import type { KnowledgeSourceDetail } from '../../../../contract'
import { api, ApiError } from '../../api'
import { EmptyState } from '../../components/empty-state'
import { formatBytes, formatDateTime, useLocale, useT } from '../../i18n'
import { common } from '../../i18n/common'
import { pageHref } from '../../router'
import { strings } from './strings'

export function SourceDetail({ tenantId, sourceId }: { tenantId: string; sourceId: string }) {
  const t = useT(strings)
  const c = useT(common)
  const locale = useLocale()
  const [detail, setDetail] = useState<KnowledgeSourceDetail | null>(null)
  const [error, setError] = useState<string | null>(null)
  const load = useCallback(
    () =>
      api
        .source(tenantId, sourceId)
        .then((d) => (setDetail(d), setError(null)))
        .catch((err) => setError(err instanceof ApiError ? err.message : c('loadFailed'))),
    [tenantId, sourceId, c],
  )
  useEffect(() => void load(), [load])
  const working = detail && (detail.source.status === 'pending' || detail.source.status === 'processing')
  useEffect(() => {
    if (!working) return
    const id = setInterval(() => void load(), 2000)
    return () => clearInterval(id)
  }, [working, load])

  const s = detail?.source
  return (
    <section aria-labelledby="source-title">
      <p>
        <a href={pageHref('knowledge')}>← {t('back')}</a>
      </p>
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {!detail && !error && <p class="muted">{c('loading')}</p>}
      {s && detail && (
        <>
          <div class="settings-card">
            <h2 id="source-title">{s.title}</h2>
            <p class="item-meta">
              {t(`kind.${s.kind}` as 'kind.document')} · {t(`status.${s.status}`)}
              {s.byte_size != null && <> · {formatBytes(s.byte_size, locale)}</>}
              {s.chunk_count != null && <> · {t('passages', { n: s.chunk_count })}</>}
              {s.last_processed_at && (
                <> · {t('lastCrawl', { when: formatDateTime(s.last_processed_at, locale) })}</>
              )}
            </p>
            {s.url && <p class="item-meta item-url">{s.url}</p>}
            {s.error && <p class="field-error">{s.error}</p>}
          </div>
          {s.kind === 'website' && (
            <div class="settings-card">
              <h2>{t('pagesTitle')}</h2>
              {detail.pages.length === 0 ? (
                <EmptyState title={t('pagesTitle')}>{t('pagesEmpty')}</EmptyState>
              ) : (
                <ul class="item-list">
                  {detail.pages.map((p) => (
                    <li key={p.id}>
                      <div class="item-main">
                        <div class="item-title">{p.title || p.url}</div>
                        <div class="item-meta item-url">{p.url}</div>
                        {p.error && <p class="field-error">{p.error}</p>}
                      </div>
                      <span class="item-meta">
                        {p.status}
                        {p.last_crawled_at && <> · {formatDateTime(p.last_crawled_at, locale)}</>}
                      </span>
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          {detail.jobs.length > 0 && (
            <div class="settings-card">
              <h2>{t('jobsTitle')}</h2>
              <ul class="item-list">
                {detail.jobs.map((j) => (
                  <li key={j.id}>
                    <div class="item-main">
                      <div>{t('jobLine', { kind: j.kind, status: j.status, attempts: j.attempts })}</div>
                      {j.last_error && <p class="field-error">{j.last_error}</p>}
                    </div>
                    <span class="item-meta">{formatDateTime(j.updated_at, locale)}</span>
                  </li>
                ))}
              </ul>
            </div>
          )}
        </>
      )}
    </section>
  )
}
