/**
 * One form for connecting a channel and for editing one: the fields each platform needs, secrets
 * write-only (on edit an empty secret field keeps the stored one), the API's 400 shown under its field.
 */
import { useState } from 'preact/hooks'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import type { Bot } from '../../types'
import { PLATFORMS, type Channel, type ChannelInput, type ChannelPatch, type Platform } from './api'
import { strings } from './strings'
import { BotOptions } from '../../components/bot-options'

type Values = {
  platform: Platform
  bot_id: string
  access_token: string
  account_id: string
  business_account_id: string
  app_secret: string
  verify_token: string
}

const FIELDS = [
  'platform',
  'bot_id',
  'access_token',
  'account_id',
  'business_account_id',
  'app_secret',
  'verify_token',
]

/** The body to send: every field the platform has on create; on edit only what was filled in or changed. */
export function channelBody(v: Values, editing: Channel | null): ChannelInput | ChannelPatch {
  const meta = v.platform !== 'telegram'
  if (!editing)
    return {
      platform: v.platform,
      bot_id: v.bot_id,
      access_token: v.access_token.trim(),
      ...(meta
        ? { account_id: v.account_id.trim(), app_secret: v.app_secret.trim(), verify_token: v.verify_token }
        : {}),
      ...(v.platform === 'whatsapp' ? { business_account_id: v.business_account_id.trim() } : {}),
    }
  const patch: ChannelPatch = {}
  if (v.bot_id !== editing.bot_id) patch.bot_id = v.bot_id
  if (v.access_token.trim()) patch.access_token = v.access_token.trim()
  if (meta && v.app_secret.trim()) patch.app_secret = v.app_secret.trim()
  if (meta && v.verify_token) patch.verify_token = v.verify_token
  if (v.platform === 'whatsapp' && v.business_account_id.trim() !== (editing.business_account_id ?? ''))
    patch.business_account_id = v.business_account_id.trim()
  return patch
}

export interface ChannelFormProps {
  bots: Bot[]
  /** The channel being edited, or null to connect a new one. */
  editing: Channel | null
  title: string
  submitLabel: string
  onSubmit: (body: ChannelInput | ChannelPatch) => Promise<void>
  onCancel?: () => void
}

export function ChannelForm({ bots, editing, title, submitLabel, onSubmit, onCancel }: ChannelFormProps) {
  const t = useT(strings)
  const c = useT(common)
  const [v, setV] = useState<Values>(() => ({
    platform: editing?.platform ?? 'telegram',
    bot_id: editing?.bot_id ?? bots[0]?.id ?? '',
    access_token: '',
    account_id: editing?.account_id ?? '',
    business_account_id: editing?.business_account_id ?? '',
    app_secret: '',
    verify_token: '',
  }))
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const set = (patch: Partial<Values>) => setV((cur) => ({ ...cur, ...patch }))
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await onSubmit(channelBody(v, editing))
      if (!editing)
        set({ access_token: '', account_id: '', business_account_id: '', app_secret: '', verify_token: '' })
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const meta = v.platform !== 'telegram'
  // On edit a secret is optional: empty keeps the stored one.
  const secretHint = (hint: string) => (editing ? `${hint} ${t('keep')}` : hint)
  const secret = (key: 'access_token' | 'app_secret' | 'verify_token', label: string, hint: string) => (
    <Field label={label} hint={secretHint(hint)} error={messageFor(error, key)}>
      {(p) => (
        <input
          {...p}
          type="password"
          autocomplete="off"
          spellcheck={false}
          required={!editing}
          value={v[key]}
          onInput={(e) => set({ [key]: e.currentTarget.value })}
        />
      )}
    </Field>
  )
  const idLabel =
    v.platform === 'whatsapp'
      ? t('phoneNumberId')
      : v.platform === 'instagram'
        ? t('igAccountId')
        : t('pageId')
  return (
    <form class="settings-card channel-form" aria-label={title} onSubmit={submit}>
      <h2>{title}</h2>
      {!editing && <p class="muted">{t('connectHint')}</p>}
      <FormError message={unclaimed(error, FIELDS)} />
      <div class="form-row">
        <Field label={t('platform')} error={messageFor(error, 'platform')}>
          {(p) => (
            <select
              {...p}
              value={v.platform}
              disabled={!!editing}
              onChange={(e) => set({ platform: e.currentTarget.value as Platform })}
            >
              {PLATFORMS.map((pl) => (
                <option key={pl} value={pl}>
                  {t(`platform.${pl}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label={t('bot')} error={messageFor(error, 'bot_id')}>
          {(p) => (
            <select {...p} value={v.bot_id} required onChange={(e) => set({ bot_id: e.currentTarget.value })}>
              <BotOptions bots={bots} />
            </select>
          )}
        </Field>
      </div>
      {v.platform === 'telegram' ? (
        secret('access_token', t('botToken'), t('botTokenHint'))
      ) : (
        <>
          <div class="form-row">
            <Field label={idLabel} error={messageFor(error, 'account_id')}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  inputMode="numeric"
                  required
                  readOnly={!!editing}
                  value={v.account_id}
                  onInput={(e) => set({ account_id: e.currentTarget.value })}
                />
              )}
            </Field>
            {v.platform === 'whatsapp' && (
              <Field label={t('businessAccountId')} error={messageFor(error, 'business_account_id')}>
                {(p) => (
                  <input
                    {...p}
                    type="text"
                    inputMode="numeric"
                    required
                    value={v.business_account_id}
                    onInput={(e) => set({ business_account_id: e.currentTarget.value })}
                  />
                )}
              </Field>
            )}
          </div>
          {secret('access_token', t('accessToken'), t('accessTokenHint'))}
          <div class="form-row">
            {meta && secret('app_secret', t('appSecret'), t('appSecretHint'))}
            {meta && secret('verify_token', t('verifyToken'), t('verifyTokenHint'))}
          </div>
        </>
      )}
      <div class="form-actions">
        {onCancel && (
          <button type="button" class="btn" onClick={onCancel}>
            {c('cancel')}
          </button>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy || !v.bot_id}>
          {busy ? (editing ? c('saving') : t('connecting')) : submitLabel}
        </button>
      </div>
    </form>
  )
}
