import { useState } from 'preact/hooks'
import type { Strings } from '../i18n'
import type { PrechatField } from '../../../contract'

export interface PrechatFormProps {
  fields: PrechatField[]
  t: Strings
  onSubmit: (values: Record<string, string>) => void
}

/** The owner's pre-chat questions, asked once before the conversation starts. */
export function PrechatForm({ fields, t, onSubmit }: PrechatFormProps) {
  const [values, setValues] = useState<Record<string, string>>({})
  return (
    <form
      class="prechat"
      onSubmit={(e) => {
        e.preventDefault()
        const out: Record<string, string> = {}
        for (const f of fields) if (values[f.name]) out[f.name] = values[f.name].trim().slice(0, 500)
        onSubmit(out)
      }}
    >
      {fields.map((f) => (
        <label key={f.name}>
          <span>
            {f.label}
            {f.required && <span aria-hidden="true"> *</span>}
          </span>
          <input
            type={(f.type === 'email' ? 'email' : 'text') as 'text'}
            name={f.name}
            required={f.required}
            autoComplete={f.type === 'email' ? 'email' : f.name === 'name' ? 'name' : 'off'}
            value={values[f.name] || ''}
            onInput={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
          />
        </label>
      ))}
      <button type="submit" class="start">
        {t.start}
      </button>
    </form>
  )
}
