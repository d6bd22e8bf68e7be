/** The Rules page. */
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import type { PageProps } from '../types'

export default function RulesPage(_props: PageProps) {
  const c = useT(common)
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.rules')}</h1>
      </div>
    </main>
  )
}
