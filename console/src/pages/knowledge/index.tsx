/**
 * The Knowledge page: documents and websites (upload with progress, crawl settings, status, pages),
 * FAQs, and a playground showing what the assistant would read and do for a question. Sub-routes:
 * `#/knowledge` (sources), `#/knowledge/sources/<id>`, `#/knowledge/faqs`, `#/knowledge/playground`.
 */
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { pageHref } from '../../router'
import type { PageProps } from '../types'
import { Faqs } from './faqs'
import { Playground } from './playground'
import { SourceDetail } from './source-detail'
import { Sources } from './sources'
import { strings } from './strings'

export default function KnowledgePage({ tenantId, path }: PageProps) {
  const t = useT(strings)
  const c = useT(common)
  const [section, id] = path.split('/')
  const tab = section === 'faqs' ? 'faqs' : section === 'playground' ? 'playground' : 'sources'
  const tabs = [
    ['sources', t('tabSources'), ''],
    ['faqs', t('tabFaqs'), 'faqs'],
    ['playground', t('tabPlayground'), 'playground'],
  ] as const
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.knowledge')}</h1>
      </div>
      <nav class="page-tabs" aria-label={c('nav.knowledge')}>
        {tabs.map(([key, label, rest]) => (
          <a
            key={key}
            class="page-tab"
            href={pageHref('knowledge', rest)}
            aria-current={tab === key ? 'page' : undefined}
          >
            {label}
          </a>
        ))}
      </nav>
      {tab === 'sources' && section === 'sources' && id ? (
        <SourceDetail tenantId={tenantId} sourceId={id} />
      ) : tab === 'sources' ? (
        <Sources tenantId={tenantId} />
      ) : tab === 'faqs' ? (
        <Faqs tenantId={tenantId} />
      ) : (
        <Playground tenantId={tenantId} />
      )}
    </main>
  )
}
