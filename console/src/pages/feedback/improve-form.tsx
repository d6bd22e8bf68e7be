/** "Improve this answer": a better answer to one bot message, saved as a pending improvement. */
import { useState } from 'preact/hooks'
import type { FeedbackType, Improvement } from '../../../../contract'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { feedbackApi } from './api'
import { strings } from './strings'

const TYPES: FeedbackType[] = ['improve_response', 'add_context', 'fix_error', 'enhance_tone']

export interface ImproveFormProps {
  tenantId: string
  messageId: string
  /** The bot's answer, the starting point of the better one. */
  original: string
  onSaved: (improvement: Improvement) => void
  onCancel: () => void
}

export function ImproveForm({ tenantId, messageId, original, onSaved, onCancel }: ImproveFormProps) {
  const t = useT(strings)
  const c = useT(common)
  // The answer's citation markers ([1]) mean nothing in an improvement: it is its own source.
  const [text, setText] = useState(() => original.replace(/\s*\[\d+\]/g, ''))
  const [type, setType] = useState<FeedbackType>('improve_response')
  const [keywords, setKeywords] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const { improvement } = await feedbackApi.improve(tenantId, {
        message_id: messageId,
        improved_response: text,
        feedback_type: type,
        similarity_keywords: keywords
          .split(',')
          .map((k) => k.trim())
          .filter(Boolean),
      })
      onSaved(improvement)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="improve-form" onSubmit={submit}>
      <Field
        label={t('improvedResponse')}
        hint={t('improvedHint')}
        error={messageFor(error, 'improved_response')}
      >
        {(p) => (
          <textarea
            {...p}
            rows={4}
            required
            maxLength={8000}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        )}
      </Field>
      <Field label={t('feedbackType')} error={messageFor(error, 'feedback_type')}>
        {(p) => (
          <select {...p} value={type} onChange={(e) => setType(e.currentTarget.value as FeedbackType)}>
            {TYPES.map((k) => (
              <option key={k} value={k}>
                {t(`type.${k}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('keywords')} hint={t('keywordsHint')} error={messageFor(error, 'similarity_keywords')}>
        {(p) => <input {...p} value={keywords} onInput={(e) => setKeywords(e.currentTarget.value)} />}
      </Field>
      <FormError message={unclaimed(error, ['improved_response', 'feedback_type', 'similarity_keywords'])} />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? c('saving') : t('submit')}
        </button>
        <button type="button" class="btn" onClick={onCancel}>
          {c('cancel')}
        </button>
      </div>
    </form>
  )
}
