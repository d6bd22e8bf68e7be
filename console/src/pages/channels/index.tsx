/**
 * The Channels page (owners and admins): the tenant's messaging accounts with their webhook URLs,
 * connecting one per platform, editing (secrets write-only), pausing and disconnecting.
 */
import { useEffect, useState } from 'preact/hooks'
import { api, ApiError } from '../../api'
import { ChannelIcon } from '../../components/channel-icon'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { CopyButton } from '../../components/copy-button'
import { EmptyState } from '../../components/empty-state'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import type { Bot } from '../../types'
import type { PageProps } from '../types'
import { channelsApi, type Channel, type ChannelInput, type ChannelPatch } from './api'
import { ChannelForm } from './channel-form'
import { strings } from './strings'

export default function ChannelsPage({ tenantId }: PageProps) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [channels, setChannels] = useState<Channel[] | null>(null)
  const [bots, setBots] = useState<Bot[] | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [editing, setEditing] = useState<Channel | null>(null)
  const [removing, setRemoving] = useState<Channel | null>(null)
  const [reload, setReload] = useState(0)
  useEffect(() => {
    let stale = false
    Promise.all([channelsApi.list(tenantId), api.bots(tenantId)])
      .then(([ch, b]) => {
        if (stale) return
        setChannels(ch.channels)
        setBots(b.bots)
        setLoadError(null)
      })
      .catch((err) => !stale && setLoadError(err instanceof ApiError ? err.message : c('loadFailed')))
    return () => {
      stale = true
    }
  }, [tenantId, reload])
  const nameOf = (ch: Channel) => `${t(`platform.${ch.platform}`)} ${ch.account_username ?? ch.account_id}`
  const botName = (id: string) => bots?.find((b) => b.id === id)?.name ?? t('unknownBot')
  const toggle = async (ch: Channel) => {
    try {
      await channelsApi.update(tenantId, ch.id, { is_active: !ch.is_active })
      toast(t(ch.is_active ? 'pausedToast' : 'activated', { name: nameOf(ch) }))
    } catch (err) {
      toast(err instanceof ApiError ? err.message : c('saveFailed'), 'error')
    }
    setReload((r) => r + 1)
  }
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.channels')}</h1>
      </div>
      <p class="muted page-intro">{t('intro')}</p>
      {loadError && (
        <p class="pane-error" role="alert">
          {loadError}
        </p>
      )}
      <section class="settings-card" aria-labelledby="channels-connected">
        <h2 id="channels-connected">{t('connected')}</h2>
        {!channels ? (
          !loadError && <p class="muted">{c('loading')}</p>
        ) : channels.length === 0 ? (
          <EmptyState title={t('none')}>{t('noneHint')}</EmptyState>
        ) : (
          <ul class="item-list" aria-label={t('connected')}>
            {channels.map((ch) => (
              <li key={ch.id} data-channel-id={ch.id} class="channel-item">
                <div class="item-main">
                  <p class="item-title">
                    <ChannelIcon channel={ch.platform} compact /> <strong>{nameOf(ch)}</strong>{' '}
                    <span class={`pill ${ch.is_active ? 'pill-ok' : 'pill-warn'}`}>
                      {ch.is_active ? t('active') : t('paused')}
                    </span>
                  </p>
                  <p class="item-meta muted">
                    {t('bot')}: {botName(ch.bot_id)} · {t('accountId')}: <code>{ch.account_id}</code>
                  </p>
                  <div class="secret-row channel-webhook">
                    <input
                      class="secret-value"
                      type="text"
                      readOnly
                      value={ch.webhook_url}
                      aria-label={`${t('webhookUrl')} ${nameOf(ch)}`}
                      onFocus={(e) => e.currentTarget.select()}
                    />
                    <CopyButton text={ch.webhook_url} label={t('copyWebhook', { name: nameOf(ch) })} />
                  </div>
                  <p class="form-hint">
                    {ch.platform === 'telegram' ? t('webhookTelegram') : t('webhookMeta')}
                  </p>
                </div>
                <div class="item-actions">
                  <button type="button" class="btn btn-small" onClick={() => setEditing(ch)}>
                    {c('edit')}
                  </button>
                  <button type="button" class="btn btn-small" onClick={() => void toggle(ch)}>
                    {ch.is_active ? t('pause') : t('activate')}
                  </button>
                  <button type="button" class="btn btn-small btn-danger" onClick={() => setRemoving(ch)}>
                    {t('disconnect')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {bots &&
        (editing ? (
          <ChannelForm
            key={editing.id}
            bots={bots}
            editing={editing}
            title={t('editTitle', { name: nameOf(editing) })}
            submitLabel={c('save')}
            onCancel={() => setEditing(null)}
            onSubmit={async (body) => {
              await channelsApi.update(tenantId, editing.id, body as ChannelPatch)
              toast(c('saved'))
              setEditing(null)
              setReload((r) => r + 1)
            }}
          />
        ) : (
          <ChannelForm
            bots={bots}
            editing={null}
            title={t('connect')}
            submitLabel={t('connectButton')}
            onSubmit={async (body) => {
              const res = await channelsApi.create(tenantId, body as ChannelInput)
              toast(t('connectedToast', { name: nameOf(res.channel) }))
              setReload((r) => r + 1)
            }}
          />
        ))}
      {removing && (
        <ConfirmDialog
          title={t('disconnectTitle', { name: nameOf(removing) })}
          confirmLabel={t('disconnect')}
          typeToConfirm={removing.account_username ?? removing.account_id}
          onConfirm={async () => {
            await channelsApi.remove(tenantId, removing.id)
            toast(t('disconnected', { name: nameOf(removing) }))
            if (editing?.id === removing.id) setEditing(null)
            setReload((r) => r + 1)
          }}
          onClose={() => setRemoving(null)}
        >
          <p>{t('disconnectBody')}</p>
        </ConfirmDialog>
      )}
    </main>
  )
}
