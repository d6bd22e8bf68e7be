/** Create or edit one FAQ; the API's refusal shows under its field. */
import { useState } from 'preact/hooks'
import type { Faq, FaqInput } from '../../../../contract'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { strings } from './strings'

const LANGS = ['en', 'fr', 'es', 'pt', 'de', 'it', 'nl'] as const

export interface FaqFormProps {
  faq?: Faq | null
  /** Saves; a thrown ApiError is shown in place. */
  onSave: (input: FaqInput) => Promise<unknown>
  onCancel: () => void
}

export function FaqForm({ faq, onSave, onCancel }: FaqFormProps) {
  const t = useT(strings)
  const c = useT(common)
  const [question, setQuestion] = useState(faq?.question ?? '')
  const [answer, setAnswer] = useState(faq?.answer ?? '')
  const [language, setLanguage] = useState(faq?.language ?? 'en')
  const [url, setUrl] = useState(faq?.url ?? '')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await onSave({ question, answer, language, url: url.trim() || null })
    } catch (err) {
      setError(err)
      setBusy(false)
    }
  }
  return (
    <form
      class="settings-card faq-form"
      onSubmit={submit}
      noValidate
      aria-label={faq ? t('faqEdit') : t('faqNew')}
    >
      <h3>{faq ? t('faqEdit') : t('faqNew')}</h3>
      <Field label={t('faqQuestion')} error={messageFor(error, 'question')}>
        {(p) => (
          <input {...p} type="text" value={question} onInput={(e) => setQuestion(e.currentTarget.value)} />
        )}
      </Field>
      <Field label={t('faqAnswer')} error={messageFor(error, 'answer')}>
        {(p) => <textarea {...p} rows={4} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />}
      </Field>
      <div class="form-row">
        <Field label={t('faqLanguage')} error={messageFor(error, 'language')}>
          {(p) => (
            <select {...p} value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
              {LANGS.map((l) => (
                <option key={l} value={l}>
                  {l}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('faqUrl')} hint={t('faqUrlHint')} error={messageFor(error, 'url')}>
          {(p) => <input {...p} type="url" value={url} onInput={(e) => setUrl(e.currentTarget.value)} />}
        </Field>
      </div>
      <FormError message={unclaimed(error, ['question', 'answer', 'language', 'url'])} />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? c('saving') : faq ? c('save') : t('faqCreate')}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          {c('cancel')}
        </button>
      </div>
    </form>
  )
}
