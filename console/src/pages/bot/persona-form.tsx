/** The persona and model settings of one bot: a form that shows the API's validation in place. */
import { useState } from 'preact/hooks'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { botApi, type BotPatch, type BotSettings } from './api'
import { strings } from './strings'

export interface PersonaFormProps {
  bot: BotSettings
  onSaved: (bot: BotSettings) => void
  /** For tests: the call that saves. */
  save?: (botId: string, patch: BotPatch) => Promise<{ bot: BotSettings }>
}

const TEXTS = [
  ['persona_objective', 'personaObjective'],
  ['persona_personality', 'personaPersonality'],
  ['persona_style', 'personaStyle'],
  ['persona_target_audience', 'personaAudience'],
  ['persona', 'personaNotes'],
] as const
const FIELDS = ['persona_name', ...TEXTS.map(([f]) => f), 'model', 'temperature', 'max_tokens']

export function PersonaForm({ bot, onSaved, save = botApi.update }: PersonaFormProps) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [draft, setDraft] = useState(() => ({
    persona_name: bot.persona_name,
    persona: bot.persona,
    persona_objective: bot.persona_objective,
    persona_personality: bot.persona_personality,
    persona_style: bot.persona_style,
    persona_target_audience: bot.persona_target_audience,
    model: bot.model ?? '',
    temperature: String(bot.temperature),
    max_tokens: String(bot.max_tokens),
  }))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const set = (k: keyof typeof draft) => (e: Event) =>
    setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value })

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const res = await save(bot.id, {
        ...draft,
        model: draft.model.trim() || null,
        temperature: Number(draft.temperature),
        max_tokens: Number(draft.max_tokens),
      })
      onSaved(res.bot)
      toast(c('saved'))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="settings-card" aria-labelledby="bot-persona" onSubmit={submit}>
      <h2 id="bot-persona">{t('persona')}</h2>
      <p class="muted">{t('personaHint')}</p>
      <FormError message={unclaimed(error, FIELDS)} />
      <Field label={t('personaName')} error={messageFor(error, 'persona_name')}>
        {(p) => (
          <input
            {...p}
            type="text"
            value={draft.persona_name}
            onInput={set('persona_name')}
            placeholder={bot.name}
          />
        )}
      </Field>
      {TEXTS.map(([field, label]) => (
        <Field key={field} label={t(label)} error={messageFor(error, field)}>
          {(p) => <textarea {...p} rows={2} value={draft[field]} onInput={set(field)} />}
        </Field>
      ))}
      <div class="form-row">
        <Field label={t('model')} hint={t('modelHint')} error={messageFor(error, 'model')}>
          {(p) => (
            <input {...p} type="text" value={draft.model} onInput={set('model')} placeholder="gpt-4o-mini" />
          )}
        </Field>
        <Field label={t('temperature')} error={messageFor(error, 'temperature')}>
          {(p) => (
            <input
              {...p}
              type="number"
              step="0.1"
              min="0"
              max="2"
              value={draft.temperature}
              onInput={set('temperature')}
            />
          )}
        </Field>
        <Field label={t('maxTokens')} error={messageFor(error, 'max_tokens')}>
          {(p) => (
            <input
              {...p}
              type="number"
              step="1"
              min="16"
              max="8000"
              value={draft.max_tokens}
              onInput={set('max_tokens')}
            />
          )}
        </Field>
      </div>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? c('saving') : c('save')}
        </button>
      </div>
    </form>
  )
}
