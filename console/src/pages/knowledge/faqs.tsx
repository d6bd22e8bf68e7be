/** The FAQs: search, create, edit, delete (with confirmation). */
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { Faq } from '../../../../contract'
import { api, ApiError } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { EmptyState } from '../../components/empty-state'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { FaqForm } from './faq-form'
import { strings } from './strings'

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase()

export function Faqs({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [faqs, setFaqs] = useState<Faq[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [query, setQuery] = useState('')
  const [editing, setEditing] = useState<Faq | 'new' | null>(null)
  const [deleting, setDeleting] = useState<Faq | null>(null)

  useEffect(() => {
    let stale = false
    api
      .faqs(tenantId)
      .then((res) => !stale && setFaqs(res.faqs))
      .catch((err) => !stale && setError(err instanceof ApiError ? err.message : c('loadFailed')))
    return () => {
      stale = true
    }
  }, [tenantId, c])

  const shown = useMemo(() => {
    const q = fold(query.trim())
    if (!faqs || !q) return faqs
    return faqs.filter((f) => fold(f.question + ' ' + f.answer).includes(q))
  }, [faqs, query])

  return (
    <section aria-labelledby="faqs-title">
      <div class="page-head">
        <h2 id="faqs-title">{t('faqsTitle')}</h2>
        <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>
          {t('faqNew')}
        </button>
      </div>
      {editing === 'new' && (
        <FaqForm
          onCancel={() => setEditing(null)}
          onSave={async (input) => {
            const res = await api.createFaq(tenantId, input)
            setFaqs((cur) => [...(cur ?? []), res.faq])
            setEditing(null)
            toast(t('faqSaved'))
          }}
        />
      )}
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {faqs === null && !error && <p class="muted">{c('loading')}</p>}
      {faqs && faqs.length > 0 && (
        <label class="form-field search-field">
          <span class="form-label">{t('faqSearch')}</span>
          <input type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </label>
      )}
      {faqs?.length === 0 && editing !== 'new' && (
        <EmptyState
          title={t('faqsEmpty')}
          action={
            <button type="button" class="btn btn-primary" onClick={() => setEditing('new')}>
              {t('faqNew')}
            </button>
          }
        >
          {t('faqsEmptyBody')}
        </EmptyState>
      )}
      {shown && faqs && faqs.length > 0 && shown.length === 0 && (
        <p class="muted">{t('faqsNoMatch', { q: query })}</p>
      )}
      {shown && shown.length > 0 && (
        <ul class="item-list" aria-label={t('faqsTitle')}>
          {shown.map((f) =>
            editing !== 'new' && editing?.id === f.id ? (
              <li key={f.id} class="item-editing">
                <FaqForm
                  faq={f}
                  onCancel={() => setEditing(null)}
                  onSave={async (input) => {
                    const res = await api.updateFaq(tenantId, f.id, input)
                    setFaqs((cur) => cur?.map((x) => (x.id === f.id ? res.faq : x)) ?? cur)
                    setEditing(null)
                    toast(t('faqSaved'))
                  }}
                />
              </li>
            ) : (
              <li key={f.id}>
                <div class="item-main">
                  <div class="item-title">{f.question}</div>
                  <div class="item-meta faq-answer">{f.answer}</div>
                  <div class="item-meta">
                    <span class="pill">{f.language}</span>
                    {f.url && <> · {f.url}</>}
                  </div>
                </div>
                <div class="item-actions">
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() => setEditing(f)}
                    aria-label={`${c('edit')}: ${f.question}`}
                  >
                    {c('edit')}
                  </button>
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() => setDeleting(f)}
                    aria-label={`${c('delete')}: ${f.question}`}
                  >
                    {c('delete')}
                  </button>
                </div>
              </li>
            ),
          )}
        </ul>
      )}
      {deleting && (
        <ConfirmDialog
          title={t('faqDelete')}
          confirmLabel={c('delete')}
          onClose={() => setDeleting(null)}
          onConfirm={async () => {
            await api.deleteFaq(tenantId, deleting.id)
            setFaqs((cur) => cur?.filter((x) => x.id !== deleting.id) ?? cur)
            toast(t('faqDeleted'))
          }}
        >
          “{deleting.question}”
        </ConfirmDialog>
      )}
    </section>
  )
}
