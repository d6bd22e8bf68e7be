/** The pre-chat form's fields: key, label, type, required (at most 6). */
import type { PrechatField } from '../../../../contract'
import { Field, messageFor } from '../../components/field'
import { useT } from '../../i18n'
import { strings } from './strings'

export function PrechatEditor({
  fields,
  onChange,
  error,
}: {
  fields: PrechatField[]
  onChange: (f: PrechatField[]) => void
  error: unknown
}) {
  const t = useT(strings)
  const set = (i: number, patch: Partial<PrechatField>) =>
    onChange(fields.map((f, j) => (j === i ? { ...f, ...patch } : f)))
  return (
    <>
      <ul class="prechat-fields">
        {fields.map((f, i) => {
          const at = (k: string) =>
            messageFor(error, `prechat.fields.${i}.${k}`) ?? messageFor(error, `prechat.fields[${i}].${k}`)
          return (
            <li key={i} class="prechat-field">
              <Field label={t('fieldName')} error={at('name')}>
                {(p) => (
                  <input
                    {...p}
                    type="text"
                    spellcheck={false}
                    value={f.name}
                    onInput={(e) => set(i, { name: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label={t('fieldLabel')} error={at('label')}>
                {(p) => (
                  <input
                    {...p}
                    type="text"
                    value={f.label}
                    onInput={(e) => set(i, { label: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label={t('fieldType')} error={at('type')}>
                {(p) => (
                  <select
                    {...p}
                    value={f.type}
                    onChange={(e) => set(i, { type: e.currentTarget.value as 'text' | 'email' })}
                  >
                    <option value="text">{t('type.text')}</option>
                    <option value="email">{t('type.email')}</option>
                  </select>
                )}
              </Field>
              <label class="check">
                <input
                  type="checkbox"
                  checked={f.required}
                  onChange={(e) => set(i, { required: e.currentTarget.checked })}
                />
                {t('fieldRequired')}
              </label>
              <button
                type="button"
                class="btn btn-small btn-ghost"
                aria-label={`${t('removeField')}: ${f.label || f.name || i + 1}`}
                onClick={() => onChange(fields.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </li>
          )
        })}
      </ul>
      {fields.length < 6 && (
        <button
          type="button"
          class="btn btn-small"
          onClick={() => onChange([...fields, { name: '', label: '', type: 'text', required: false }])}
        >
          + {t('addField')}
        </button>
      )}
    </>
  )
}
