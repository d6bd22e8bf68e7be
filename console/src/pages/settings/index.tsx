/** The Settings page (placeholder: the owner-api branch builds it on this shell). */
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { EmptyState } from '../../components/empty-state'
import type { PageProps } from '../types'
import { strings } from './strings'

export default function SettingsPage(_props: PageProps) {
  const t = useT(strings)
  const c = useT(common)
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.settings')}</h1>
      </div>
      <EmptyState title={t('title')}>{t('soon')}</EmptyState>
    </main>
  )
}
