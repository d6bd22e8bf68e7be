/**
 * The owner's Widget page: everything the widget config holds (colour and position with a contrast
 * check, greeting, suggestions, language, opening hours, pre-chat form, identity verification with
 * secret rotation, allowed sites), one Save, the snippet and the live preview.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import type {
  BusinessHours,
  IdentityMode,
  PrechatField,
  WidgetLanguage,
  WidgetSettings as Config,
  WidgetSettingsPatch,
} from '../../../../contract'
import { themeVars } from '../../../../widget/src/chat/theme'
import { api, ApiError } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { EmptyState } from '../../components/empty-state'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { SecretBox } from '../../components/secret-box'
import { useToast } from '../../components/toast'
import { format, useLocale, useT } from '../../i18n'
import { common } from '../../i18n/common'
import { accessibleAccent, contrastRatio } from '../../theme'
import type { Bot } from '../../types'
import { defaultHours, HoursEditor } from './hours'
import { PrechatEditor } from './prechat'
import { WidgetPreview } from './preview'
import { strings } from './strings'
import { BotOptions } from '../../components/bot-options'

/** One origin per line (or separated by spaces or commas); trailing slashes dropped. */
export const parseOrigins = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean)

const lines = (text: string) =>
  text
    .split('\n')
    .map((s) => s.trim())
    .filter(Boolean)

interface Draft {
  color: string
  position: 'left' | 'right'
  greeting: string
  suggestions: string
  language: WidgetLanguage
  hoursOn: boolean
  hours: BusinessHours
  prechatOn: boolean
  prechat: PrechatField[]
  identity: IdentityMode
  origins: string
}

const DEFAULT_COLOR = '#4f46e5'

function toDraft(w: Config): Draft {
  return {
    color: w.theme?.primary_color ?? DEFAULT_COLOR,
    position: w.theme?.position ?? 'right',
    greeting: w.greeting ?? '',
    suggestions: (w.suggestions ?? []).join('\n'),
    language: w.language ?? 'auto',
    hoursOn: !!w.business_hours,
    hours: w.business_hours ?? defaultHours(),
    prechatOn: !!w.prechat?.fields?.length,
    prechat: w.prechat?.fields ?? [{ name: 'email', label: 'E-mail', type: 'email', required: true }],
    identity: w.identity_mode ?? 'off',
    origins: (w.allowed_origins ?? []).join('\n'),
  }
}

/** Drops empty ranges' days so the API sees only real hours. */
function toPatch(d: Draft): WidgetSettingsPatch {
  return {
    theme: { primary_color: d.color, position: d.position },
    greeting: d.greeting,
    suggestions: lines(d.suggestions),
    language: d.language,
    business_hours: d.hoursOn ? d.hours : null,
    prechat: d.prechatOn ? { fields: d.prechat } : null,
    identity_mode: d.identity,
    allowed_origins: parseOrigins(d.origins),
  }
}

const FIELDS = [
  'theme',
  'greeting',
  'suggestions',
  'language',
  'business_hours',
  'prechat',
  'identity_mode',
  'allowed_origins',
]

export interface WidgetSettingsProps {
  tenantId: string
  /** The saved colour becomes the console's accent. */
  onBrand?: (color: string | null) => void
}

export function WidgetSettings({ tenantId, onBrand }: WidgetSettingsProps) {
  const t = useT(strings)
  const c = useT(common)
  const locale = useLocale()
  const toast = useToast()
  const [bots, setBots] = useState<Bot[] | null>(null)
  const [botId, setBotId] = useState<string | null>(null)
  const [widget, setWidget] = useState<Config | null>(null)
  const [draft, setDraft] = useState<Draft | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [saving, setSaving] = useState(false)
  const [rotating, setRotating] = useState(false)
  const [secret, setSecret] = useState<string | null>(null)

  useEffect(() => {
    let stale = false
    api
      .bots(tenantId)
      .then((res) => {
        if (stale) return
        setBots(res.bots ?? [])
        setBotId(res.bots?.[0]?.id ?? null)
      })
      .catch((err) => !stale && setLoadError(err instanceof ApiError ? err.message : c('loadFailed')))
    return () => {
      stale = true
    }
  }, [tenantId, c])

  useEffect(() => {
    if (!botId) return
    let stale = false
    setWidget(null)
    setSecret(null)
    api
      .widget(botId)
      .then((res) => {
        if (stale) return
        setWidget(res.widget)
        setDraft(toDraft(res.widget))
      })
      .catch((err) => !stale && setLoadError(err instanceof ApiError ? err.message : c('loadFailed')))
    return () => {
      stale = true
    }
  }, [botId, c])

  const set = (patch: Partial<Draft>) => setDraft((cur) => (cur ? { ...cur, ...patch } : cur))
  const dirty = useMemo(
    () => !!(widget && draft && JSON.stringify(toPatch(draft)) !== JSON.stringify(toPatch(toDraft(widget)))),
    [widget, draft],
  )

  const save = async (e: Event) => {
    e.preventDefault()
    if (!botId || !draft) return
    setSaving(true)
    setError(null)
    try {
      const res = await api.updateWidget(botId, toPatch(draft))
      setWidget(res.widget)
      setDraft(toDraft(res.widget))
      onBrand?.(res.widget.theme?.primary_color ?? null)
      toast(t('saved'))
    } catch (err) {
      setError(err)
    } finally {
      setSaving(false)
    }
  }

  // The widget picks dark or white text on the colour; the check measures that pair.
  const validColor = draft && /^#[0-9a-f]{6}$/i.test(draft.color)
  const onColor = validColor ? themeVars(draft!.color)['--parley-on-primary'] : '#ffffff'
  const ratio = validColor ? contrastRatio(draft!.color, onColor) : null
  const suggestion = validColor && ratio! < 4.5 ? accessibleAccent(draft!.color) : null
  const ratioText = ratio ? new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(ratio) : ''

  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{t('title')}</h1>
        {bots && bots.length > 1 && (
          <label class="inline-field">
            <span>{c('pickBot')}</span>
            <select value={botId ?? ''} onChange={(e) => setBotId(e.currentTarget.value)}>
              <BotOptions bots={bots} />
            </select>
          </label>
        )}
      </div>
      {loadError && (
        <p class="pane-error" role="alert">
          {loadError}
        </p>
      )}
      {bots && bots.length === 0 && <EmptyState title={t('noBot')}>{t('noBotBody')}</EmptyState>}
      {!loadError && (bots === null || (botId && widget === null)) && <p class="empty">{c('loading')}</p>}
      {widget && draft && (
        <div class="widget-layout">
          <form class="widget-form" onSubmit={save} noValidate aria-label={t('title')}>
            <section class="settings-card" aria-labelledby="w-appearance">
              <h2 id="w-appearance">{t('appearance')}</h2>
              <Field
                label={t('color')}
                hint={t('colorHint')}
                error={messageFor(error, 'theme.primary_color')}
              >
                {(p) => (
                  <div class="color-row">
                    <input
                      type="color"
                      value={validColor ? draft.color : DEFAULT_COLOR}
                      aria-label={t('colorPicker')}
                      onInput={(e) => set({ color: e.currentTarget.value })}
                    />
                    <input
                      {...p}
                      type="text"
                      spellcheck={false}
                      maxLength={7}
                      class="color-hex"
                      value={draft.color}
                      onInput={(e) => set({ color: e.currentTarget.value.trim() })}
                    />
                  </div>
                )}
              </Field>
              {ratio !== null && (
                <p class={`contrast ${suggestion ? 'contrast-low' : 'contrast-ok'}`} role="status">
                  <span
                    class="contrast-swatch"
                    style={{ background: draft.color, color: onColor }}
                    aria-hidden="true"
                  >
                    Aa
                  </span>
                  <span>
                    {suggestion
                      ? t('contrastLow', { ratio: ratioText, suggestion })
                      : t('contrastOk', { ratio: ratioText })}
                  </span>
                  {suggestion && (
                    <button type="button" class="btn btn-small" onClick={() => set({ color: suggestion })}>
                      {format(t('useSuggestion'), { color: suggestion })}
                    </button>
                  )}
                </p>
              )}
              <fieldset class="plain form-field">
                <legend class="form-label">{t('position')}</legend>
                {(['right', 'left'] as const).map((pos) => (
                  <label key={pos} class="check">
                    <input
                      type="radio"
                      name="position"
                      checked={draft.position === pos}
                      onChange={() => set({ position: pos })}
                    />
                    {t(`position.${pos}`)}
                  </label>
                ))}
              </fieldset>
              <div class="form-field">
                <span class="form-label">{t('avatar')}</span>
                <p class="form-hint">{t('avatarGap')}</p>
              </div>
            </section>

            <section class="settings-card" aria-labelledby="w-messages">
              <h2 id="w-messages">{t('messages')}</h2>
              <Field label={t('greeting')} hint={t('greetingHint')} error={messageFor(error, 'greeting')}>
                {(p) => (
                  <textarea
                    {...p}
                    rows={2}
                    value={draft.greeting}
                    onInput={(e) => set({ greeting: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field
                label={t('suggestions')}
                hint={t('suggestionsHint')}
                error={messageFor(error, 'suggestions')}
              >
                {(p) => (
                  <textarea
                    {...p}
                    rows={3}
                    value={draft.suggestions}
                    onInput={(e) => set({ suggestions: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label={t('language')} error={messageFor(error, 'language')}>
                {(p) => (
                  <select
                    {...p}
                    value={draft.language}
                    onChange={(e) => set({ language: e.currentTarget.value as WidgetLanguage })}
                  >
                    <option value="auto">{t('lang.auto')}</option>
                    <option value="en">English</option>
                    <option value="fr">Français</option>
                    <option value="es">Español</option>
                    <option value="pt">Português</option>
                  </select>
                )}
              </Field>
            </section>

            <section class="settings-card" aria-labelledby="w-hours">
              <h2 id="w-hours">{t('hours')}</h2>
              <p class="muted">{t('hoursHint')}</p>
              <label class="check form-field">
                <input
                  type="checkbox"
                  checked={draft.hoursOn}
                  onChange={(e) => set({ hoursOn: e.currentTarget.checked })}
                />
                {t('hoursOn')}
              </label>
              {draft.hoursOn && (
                <HoursEditor hours={draft.hours} onChange={(hours) => set({ hours })} error={error} />
              )}
              {messageFor(error, 'business_hours') && !messageFor(error, 'business_hours.timezone') && (
                <p class="field-error">{messageFor(error, 'business_hours')}</p>
              )}
            </section>

            <section class="settings-card" aria-labelledby="w-prechat">
              <h2 id="w-prechat">{t('prechat')}</h2>
              <label class="check form-field">
                <input
                  type="checkbox"
                  checked={draft.prechatOn}
                  onChange={(e) => set({ prechatOn: e.currentTarget.checked })}
                />
                {t('prechatOn')}
              </label>
              {draft.prechatOn && (
                <>
                  <p class="form-hint">{t('prechatHint')}</p>
                  <PrechatEditor
                    fields={draft.prechat}
                    onChange={(prechat) => set({ prechat })}
                    error={error}
                  />
                </>
              )}
              {messageFor(error, 'prechat') && <p class="field-error">{messageFor(error, 'prechat')}</p>}
            </section>

            <section class="settings-card" aria-labelledby="w-identity">
              <h2 id="w-identity">{t('identity')}</h2>
              <p class="muted">{t('identityHint')}</p>
              <Field label={t('identityMode')} error={messageFor(error, 'identity_mode')}>
                {(p) => (
                  <select
                    {...p}
                    value={draft.identity}
                    onChange={(e) => set({ identity: e.currentTarget.value as IdentityMode })}
                  >
                    {(['off', 'optional', 'required'] as const).map((m) => (
                      <option key={m} value={m}>
                        {t(`identity.${m}`)}
                      </option>
                    ))}
                  </select>
                )}
              </Field>
              {secret ? (
                <SecretBox label={t('secretLabel')} secret={secret} onDone={() => setSecret(null)} />
              ) : (
                <button type="button" class="btn" onClick={() => setRotating(true)}>
                  {t('rotate')}
                </button>
              )}
            </section>

            <section class="settings-card" aria-labelledby="w-sites">
              <h2 id="w-sites">{t('sites')}</h2>
              <Field label={t('sites')} hint={t('sitesHint')} error={messageFor(error, 'allowed_origins')}>
                {(p) => (
                  <textarea
                    {...p}
                    rows={3}
                    spellcheck={false}
                    class="mono"
                    value={draft.origins}
                    onInput={(e) => set({ origins: e.currentTarget.value })}
                  />
                )}
              </Field>
            </section>

            <div class="save-bar">
              <FormError message={unclaimed(error, FIELDS)} />
              <button type="submit" class="btn btn-primary" disabled={saving || !dirty}>
                {saving ? c('saving') : t('save')}
              </button>
              {dirty && <span class="muted">{t('unsaved')}</span>}
            </div>
          </form>
          <div class="widget-side">
            <p class="form-hint">{t('previewDraft')}</p>
            <WidgetPreview
              apiUrl={location.origin}
              publishableKey={widget.publishable_key}
              draft={{ color: validColor ? draft.color : undefined, position: draft.position }}
              version={widget.updated_at ?? ''}
            />
          </div>
        </div>
      )}
      {rotating && botId && (
        <ConfirmDialog
          title={t('rotateTitle')}
          confirmLabel={t('rotateConfirm')}
          onClose={() => setRotating(false)}
          onConfirm={async () => setSecret((await api.rotateIdentitySecret(botId)).identity_secret)}
        >
          {t('rotateBody')}
        </ConfirmDialog>
      )}
    </main>
  )
}
