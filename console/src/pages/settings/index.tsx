/**
 * The Settings page: the workspace (name, time zone, escalation e-mail, the domains bot answers may link
 * to), its webhook and deliveries, its API keys.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { EmptyState } from '../../components/empty-state'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { SecretBox } from '../../components/secret-box'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { fullTime } from '../../time'
import type { PageProps } from '../types'
import { settingsApi, type ApiKey, type Delivery, type Tenant } from './api'
import { strings } from './strings'

/** Runs a save with its busy and error state. */
function useSave() {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const run = async (fn: () => Promise<void>) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run }
}

export default function SettingsPage({ tenantId }: PageProps) {
  const c = useT(common)
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.settings')}</h1>
      </div>
      <WorkspaceForm tenantId={tenantId} />
      <WebhookSection tenantId={tenantId} />
      <ApiKeys tenantId={tenantId} />
    </main>
  )
}

function WorkspaceForm({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [tenant, setTenant] = useState<Tenant | null>(null)
  const [v, setV] = useState({ name: '', timezone: '', escalation_email: '', link_domains: '' })
  const { busy, error, run } = useSave()
  useEffect(() => {
    settingsApi
      .tenant(tenantId)
      .then(({ tenant }) => {
        setTenant(tenant)
        setV({
          name: tenant.name,
          timezone: tenant.settings.timezone ?? '',
          escalation_email: tenant.settings.escalation_email ?? '',
          link_domains: (tenant.settings.link_domains ?? []).join('\n'),
        })
      })
      .catch(() => {})
  }, [tenantId])
  const submit = (e: Event) => {
    e.preventDefault()
    void run(async () => {
      const res = await settingsApi.updateTenant(tenantId, {
        name: v.name,
        settings: {
          ...(v.timezone.trim() ? { timezone: v.timezone.trim() } : {}),
          escalation_email: v.escalation_email.trim() || null,
          link_domains: v.link_domains.split(/[\s,]+/).filter(Boolean),
        },
      })
      setTenant(res.tenant)
      toast(c('saved'))
    })
  }
  if (!tenant) return <p class="muted">{c('loading')}</p>
  return (
    <form class="settings-card" aria-labelledby="settings-workspace" onSubmit={submit}>
      <h2 id="settings-workspace">{t('workspace')}</h2>
      <FormError message={unclaimed(error, ['name', 'settings'])} />
      <Field label={t('name')} error={messageFor(error, 'name')}>
        {(p) => (
          <input
            {...p}
            type="text"
            required
            value={v.name}
            onInput={(e) => setV({ ...v, name: e.currentTarget.value })}
          />
        )}
      </Field>
      <div class="form-row">
        <Field label={t('timezone')} hint={t('timezoneHint')} error={messageFor(error, 'settings.timezone')}>
          {(p) => (
            <input
              {...p}
              type="text"
              value={v.timezone}
              onInput={(e) => setV({ ...v, timezone: e.currentTarget.value })}
            />
          )}
        </Field>
        <Field
          label={t('escalationEmail')}
          hint={t('escalationEmailHint')}
          error={messageFor(error, 'settings.escalation_email')}
        >
          {(p) => (
            <input
              {...p}
              type="email"
              value={v.escalation_email}
              onInput={(e) => setV({ ...v, escalation_email: e.currentTarget.value })}
            />
          )}
        </Field>
      </div>
      <Field
        label={t('linkDomains')}
        hint={t('linkDomainsHint')}
        error={messageFor(error, 'settings.link_domains')}
      >
        {(p) => (
          <textarea
            {...p}
            rows={3}
            spellcheck={false}
            placeholder="help.example.com"
            value={v.link_domains}
            onInput={(e) => setV({ ...v, link_domains: e.currentTarget.value })}
          />
        )}
      </Field>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? c('saving') : c('save')}
        </button>
      </div>
    </form>
  )
}

function WebhookSection({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [v, setV] = useState({ url: '', is_active: true })
  const [secret, setSecret] = useState<string | null>(null)
  const [deliveries, setDeliveries] = useState<Delivery[] | null>(null)
  const { busy, error, run } = useSave()
  useEffect(() => {
    settingsApi
      .webhook(tenantId)
      .then(({ webhook }) => webhook && setV({ url: webhook.url, is_active: webhook.is_active }))
      .catch(() => {})
    settingsApi
      .deliveries(tenantId)
      .then((res) => setDeliveries(res.deliveries))
      .catch(() => setDeliveries([]))
  }, [tenantId])
  const submit = (e: Event) => {
    e.preventDefault()
    void run(async () => {
      const res = await settingsApi.saveWebhook(tenantId, {
        url: v.url.trim(),
        events: ['escalation.created'],
        is_active: v.is_active,
      })
      setSecret(res.webhook.secret ?? null)
      toast(c('saved'))
    })
  }
  return (
    <section class="settings-card" aria-labelledby="settings-webhook">
      <h2 id="settings-webhook">{t('webhook')}</h2>
      <p class="muted">{t('webhookHint')}</p>
      <form onSubmit={submit} aria-label={t('webhook')}>
        <FormError message={unclaimed(error, ['url', 'events', 'is_active'])} />
        <Field label={t('url')} error={messageFor(error, 'url')}>
          {(p) => (
            <input
              {...p}
              type="url"
              required
              placeholder="https://example.com/hooks/parley"
              value={v.url}
              onInput={(e) => setV({ ...v, url: e.currentTarget.value })}
            />
          )}
        </Field>
        <div class="form-actions">
          <span class="muted small">
            {t('events')}: <code>escalation.created</code>
          </span>
          <label class="check">
            <input
              type="checkbox"
              checked={v.is_active}
              onChange={(e) => setV({ ...v, is_active: e.currentTarget.checked })}
            />{' '}
            {t('active')}
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('saveWebhook')}
          </button>
        </div>
      </form>
      {secret && <SecretBox label={t('webhookSecret')} secret={secret} onDone={() => setSecret(null)} />}
      <h3>{t('deliveries')}</h3>
      {!deliveries ? (
        <p class="muted">{c('loading')}</p>
      ) : deliveries.length === 0 ? (
        <EmptyState title={t('noDeliveries')} />
      ) : (
        <ul class="item-list" aria-label={t('deliveries')}>
          {deliveries.map((d) => (
            <li key={d.id}>
              <div class="item-main">
                <p class="item-title">
                  <span
                    class={`pill ${d.status === 'delivered' ? 'pill-ok' : d.status === 'failed' ? 'pill-danger' : 'pill-warn'}`}
                  >
                    {t(`status.${d.status}`)}
                  </span>{' '}
                  <code>{d.event}</code> {d.last_status ? `HTTP ${d.last_status}` : ''}
                </p>
                <p class="item-meta muted">
                  {fullTime(d.created_at)} · {t('attempts', { n: d.attempts })}
                  {d.last_error ? ` · ${d.last_error}` : ''}
                </p>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

const SCOPES: ApiKey['scopes'] = ['read', 'write', 'admin']

function ApiKeys({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [keys, setKeys] = useState<ApiKey[] | null>(null)
  const [name, setName] = useState('')
  const [scopes, setScopes] = useState<ApiKey['scopes']>(['read'])
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null)
  const [revoking, setRevoking] = useState<ApiKey | null>(null)
  const [reload, setReload] = useState(0)
  const { busy, error, run } = useSave()
  useEffect(() => {
    settingsApi
      .keys(tenantId)
      .then((res) => setKeys(res.api_keys))
      .catch((err) => {
        setKeys([])
        if (err instanceof ApiError) toast(err.message, 'error')
      })
  }, [tenantId, reload])
  const submit = (e: Event) => {
    e.preventDefault()
    void run(async () => {
      const res = await settingsApi.createKey(tenantId, { name, scopes })
      setCreated({ name: res.api_key.name, secret: res.secret })
      setName('')
      setReload((r) => r + 1)
    })
  }
  return (
    <section class="settings-card" aria-labelledby="settings-keys">
      <h2 id="settings-keys">{t('apiKeys')}</h2>
      <p class="muted">{t('apiKeysHint')}</p>
      <form onSubmit={submit} aria-label={t('createKey')}>
        <FormError message={unclaimed(error, ['name', 'scopes'])} />
        <div class="form-row">
          <Field label={t('keyName')} error={messageFor(error, 'name')}>
            {(p) => (
              <input
                {...p}
                type="text"
                required
                value={name}
                onInput={(e) => setName(e.currentTarget.value)}
              />
            )}
          </Field>
        </div>
        <fieldset class="plain">
          <legend class="form-label">{t('scopes')}</legend>
          {SCOPES.map((s) => (
            <label key={s} class="check">
              <input
                type="checkbox"
                checked={scopes.includes(s)}
                onChange={(e) =>
                  setScopes(e.currentTarget.checked ? [...scopes, s] : scopes.filter((x) => x !== s))
                }
              />{' '}
              {s}
            </label>
          ))}
        </fieldset>
        {messageFor(error, 'scopes') && <p class="field-error">{messageFor(error, 'scopes')}</p>}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {t('createKey')}
          </button>
        </div>
      </form>
      {created && (
        <SecretBox
          label={t('newKey', { name: created.name })}
          secret={created.secret}
          onDone={() => setCreated(null)}
        />
      )}
      {!keys ? (
        <p class="muted">{c('loading')}</p>
      ) : keys.length === 0 ? (
        <EmptyState title={t('noKeys')}>{t('noKeysHint')}</EmptyState>
      ) : (
        <ul class="item-list" aria-label={t('apiKeys')}>
          {keys.map((k) => (
            <li key={k.id}>
              <div class="item-main">
                <p class="item-title">
                  <strong>{k.name}</strong> <code>{k.prefix}…</code>{' '}
                  {k.scopes.map((s) => (
                    <span key={s} class="pill">
                      {s}
                    </span>
                  ))}{' '}
                  {k.revoked_at && <span class="pill pill-danger">{t('revoked')}</span>}
                </p>
                <p class="item-meta muted">
                  {k.last_used_at ? t('lastUsed', { date: fullTime(k.last_used_at) }) : t('neverUsed')}
                </p>
              </div>
              {!k.revoked_at && (
                <div class="item-actions">
                  <button type="button" class="btn btn-small btn-danger" onClick={() => setRevoking(k)}>
                    {t('revoke')}
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title={t('revokeTitle', { name: revoking.name })}
          confirmLabel={t('revoke')}
          typeToConfirm={revoking.name}
          onConfirm={async () => {
            await settingsApi.revokeKey(tenantId, revoking.id)
            setReload((r) => r + 1)
          }}
          onClose={() => setRevoking(null)}
        >
          <p>{t('revokeBody')}</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
