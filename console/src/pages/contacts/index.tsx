/**
 * The Contacts page: every person across the widget and the channels (search), a contact's page
 * (conversations on every channel, orders, meetings, notes, an explicit merge), the orders CSV import
 * and, for owners and admins, the assistant's actions (per bot) and their settings.
 */
import { useEffect, useState } from 'preact/hooks'
import { api } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { EmptyState } from '../../components/empty-state'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useToast } from '../../components/toast'
import { formatDateTime, useLocale, useT } from '../../i18n'
import { common } from '../../i18n/common'
import { pageHref } from '../../router'
import type { Bot } from '../../types'
import type { PageProps } from '../types'
import { contactsApi, type ActionSettings, type Contact, type ContactDetail, type Source } from './api'
import { strings } from './strings'

export default function ContactsPage({ tenantId, path, role }: PageProps) {
  const id = path.split('/')[0]
  return id ? (
    <ContactView tenantId={tenantId} id={id} key={id} />
  ) : (
    <ContactList tenantId={tenantId} admin={role !== 'agent'} />
  )
}

const nameOf = (c: Contact, fallback: string) => c.name || c.email || c.phone || c.user_id || fallback

/** Loads contacts matching a search (debounced as the person types). */
function useContacts(tenantId: string, q: string) {
  const [contacts, setContacts] = useState<Contact[] | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    const timer = setTimeout(() => {
      contactsApi
        .list(tenantId, q.trim())
        .then((r) => {
          setContacts(r.contacts)
          setError(null)
        })
        .catch(setError)
    }, 200)
    return () => clearTimeout(timer)
  }, [tenantId, q])
  return { contacts, error }
}

function ContactList({ tenantId, admin }: { tenantId: string; admin: boolean }) {
  const t = useT(strings)
  const c = useT(common)
  const locale = useLocale()
  const [q, setQ] = useState('')
  const { contacts, error } = useContacts(tenantId, q)
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.contacts')}</h1>
      </div>
      <Field label={t('search')} hint={t('searchHint')}>
        {(p) => <input {...p} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
      </Field>
      <FormError message={unclaimed(error, [])} />
      {!contacts ? (
        <p class="muted">{c('loading')}</p>
      ) : !contacts.length ? (
        <EmptyState title={q ? t('noMatch') : t('none')}>{q ? null : t('noneHint')}</EmptyState>
      ) : (
        <ul class="item-list" aria-label={c('nav.contacts')}>
          {contacts.map((x) => (
            <li key={x.id}>
              <div class="item-main">
                <p class="item-title">
                  <a href={pageHref('contacts', x.id)}>{nameOf(x, t('unnamed'))}</a>{' '}
                  {x.user_id && <span class="pill pill-ok">{t('source.verified')}</span>}
                </p>
                <p class="item-meta">
                  {[x.email, x.phone, ...x.identities.filter((i) => i.kind !== 'user').map((i) => i.kind)]
                    .filter(Boolean)
                    .join(' · ')}
                </p>
              </div>
              <p class="item-meta">
                {t('conversations', { n: x.session_count ?? 0 })}
                {x.last_seen_at
                  ? ` · ${t('lastSeen', { date: formatDateTime(x.last_seen_at, locale) })}`
                  : ''}
              </p>
            </li>
          ))}
        </ul>
      )}
      <ImportCsv tenantId={tenantId} />
      {admin && <ActionsSection tenantId={tenantId} />}
    </main>
  )
}

function ImportCsv({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const toast = useToast()
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    if (!file) return
    setBusy(true)
    setError(null)
    try {
      const r = await contactsApi.importCsv(tenantId, await file.text())
      toast(t('imported', { n: r.imported, created: r.created }))
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="settings-card" aria-labelledby="contacts-import" onSubmit={submit}>
      <h2 id="contacts-import">{t('import')}</h2>
      <p class="muted">{t('importHint')}</p>
      <FormError message={unclaimed(error, [])} />
      <Field label={t('importFile')} error={messageFor(error, 'csv')}>
        {(p) => (
          <input
            {...p}
            type="file"
            accept=".csv,text/csv"
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        )}
      </Field>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={!file || busy}>
          {t('importButton')}
        </button>
      </div>
    </form>
  )
}

function ActionsSection({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [bots, setBots] = useState<(Bot & { actions?: { orders: boolean; meetings: boolean } })[]>([])
  const [settings, setSettings] = useState<ActionSettings | null>(null)
  const [v, setV] = useState({
    order_lookup_url: '',
    order_lookup_secret: '',
    calcom_api_key: '',
    calcom_event_type_id: '',
  })
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    api
      .bots(tenantId)
      .then(async ({ bots }) =>
        setBots(
          await Promise.all(
            bots.map(async (b) => ({ ...b, actions: (await contactsApi.botActions(b.id)).actions })),
          ),
        ),
      )
      .catch(() => {})
    contactsApi
      .settings(tenantId)
      .then(({ settings }) => {
        setSettings(settings)
        setV({
          order_lookup_url: settings.order_lookup_url ?? '',
          order_lookup_secret: '',
          calcom_api_key: '',
          calcom_event_type_id: settings.calcom_event_type_id ? String(settings.calcom_event_type_id) : '',
        })
      })
      .catch(() => {})
  }, [tenantId])
  const toggle = async (bot: string, key: 'orders' | 'meetings', on: boolean) => {
    try {
      const { actions } = await contactsApi.setBotActions(bot, { [key]: on })
      setBots((list) => list.map((b) => (b.id === bot ? { ...b, actions } : b)))
      toast(c('saved'))
    } catch (err) {
      setError(err)
    }
  }
  const submit = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      const body: Record<string, unknown> = {
        order_lookup_url: v.order_lookup_url.trim() || null,
        calcom_event_type_id: v.calcom_event_type_id.trim() ? Number(v.calcom_event_type_id) : null,
      }
      if (v.order_lookup_secret) body.order_lookup_secret = v.order_lookup_secret
      if (v.calcom_api_key) body.calcom_api_key = v.calcom_api_key
      const { settings } = await contactsApi.saveSettings(tenantId, body)
      setSettings(settings)
      setV({ ...v, order_lookup_secret: '', calcom_api_key: '' })
      toast(c('saved'))
    } catch (err) {
      setError(err)
    }
  }
  return (
    <section class="settings-card" aria-labelledby="contacts-actions">
      <h2 id="contacts-actions">{t('actions')}</h2>
      <p class="muted">{t('actionsHint')}</p>
      <ul class="item-list" aria-label={t('actions')}>
        {bots.map((b) => (
          <li key={b.id}>
            <div class="item-main">
              <p class="item-title">{b.name}</p>
            </div>
            <div class="item-actions">
              {(['orders', 'meetings'] as const).map((k) => (
                <label class="check" key={k}>
                  <input
                    type="checkbox"
                    checked={b.actions?.[k] !== false}
                    onChange={(e) => void toggle(b.id, k, e.currentTarget.checked)}
                  />{' '}
                  {t(`action.${k}`)}
                </label>
              ))}
            </div>
          </li>
        ))}
      </ul>
      <form onSubmit={submit} aria-label={t('actions')}>
        <FormError
          message={unclaimed(error, [
            'order_lookup_url',
            'order_lookup_secret',
            'calcom_api_key',
            'calcom_event_type_id',
          ])}
        />
        <div class="form-row">
          <Field label={t('orderUrl')} error={messageFor(error, 'order_lookup_url')}>
            {(p) => (
              <input
                {...p}
                type="url"
                placeholder="https://shop.example/parley/orders"
                value={v.order_lookup_url}
                onInput={(e) => setV({ ...v, order_lookup_url: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field
            label={t('orderSecret')}
            hint={settings?.order_lookup_secret_set ? t('secretSet') : undefined}
            error={messageFor(error, 'order_lookup_secret')}
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autocomplete="off"
                value={v.order_lookup_secret}
                onInput={(e) => setV({ ...v, order_lookup_secret: e.currentTarget.value })}
              />
            )}
          </Field>
        </div>
        <div class="form-row">
          <Field
            label={t('calKey')}
            hint={settings?.calcom_api_key_set ? t('secretSet') : undefined}
            error={messageFor(error, 'calcom_api_key')}
          >
            {(p) => (
              <input
                {...p}
                type="password"
                autocomplete="off"
                value={v.calcom_api_key}
                onInput={(e) => setV({ ...v, calcom_api_key: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field label={t('calEvent')} error={messageFor(error, 'calcom_event_type_id')}>
            {(p) => (
              <input
                {...p}
                type="number"
                min="1"
                value={v.calcom_event_type_id}
                onInput={(e) => setV({ ...v, calcom_event_type_id: e.currentTarget.value })}
              />
            )}
          </Field>
        </div>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">
            {t('saveSettings')}
          </button>
        </div>
      </form>
    </section>
  )
}

function SourceTag({ source }: { source: Source }) {
  const t = useT(strings)
  if (!source) return null
  return (
    <span class={'pill' + (source === 'verified' ? ' pill-ok' : source === 'claimed' ? ' pill-warn' : '')}>
      {t(`source.${source}`)}
    </span>
  )
}

function ContactView({ tenantId, id }: { tenantId: string; id: string }) {
  const t = useT(strings)
  const c = useT(common)
  const locale = useLocale()
  const toast = useToast()
  const [detail, setDetail] = useState<ContactDetail | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [notes, setNotes] = useState('')
  const [q, setQ] = useState('')
  const [merging, setMerging] = useState<Contact | null>(null)
  const others = useContacts(tenantId, q)
  const load = (d: ContactDetail) => {
    setDetail(d)
    setNotes(d.contact.notes)
  }
  useEffect(() => {
    contactsApi.get(tenantId, id).then(load).catch(setError)
  }, [tenantId, id])
  if (error && !detail)
    return (
      <main class="page">
        <FormError message={unclaimed(error, [])} />
      </main>
    )
  if (!detail)
    return (
      <main class="page">
        <p class="muted">{c('loading')}</p>
      </main>
    )
  const ct = detail.contact
  const money = (n: number, cur: string | null) =>
    cur ? new Intl.NumberFormat(locale, { style: 'currency', currency: cur }).format(n) : n.toFixed(2)
  const saveNotes = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      const { contact } = await contactsApi.update(tenantId, id, { notes })
      setDetail({ ...detail, contact })
      toast(c('saved'))
    } catch (err) {
      setError(err)
    }
  }
  return (
    <main class="page" aria-labelledby="page-title">
      <p>
        <a href={pageHref('contacts')}>← {t('back')}</a>
      </p>
      <div class="page-head">
        <h1 id="page-title">{nameOf(ct, t('unnamed'))}</h1>
      </div>
      <section class="settings-card" aria-labelledby="contact-details">
        <h2 id="contact-details">{t('details')}</h2>
        <dl class="facts">
          {(['name', 'email', 'phone'] as const).map((k) =>
            ct[k] ? (
              <div key={k}>
                <dt>{t(k)}</dt>
                <dd>
                  {ct[k]} <SourceTag source={ct.sources[k]} />
                </dd>
              </div>
            ) : null,
          )}
          {ct.user_id && (
            <div>
              <dt>{t('userId')}</dt>
              <dd>
                <code>{ct.user_id}</code> <SourceTag source="verified" />
              </dd>
            </div>
          )}
          {ct.identities
            .filter((i) => i.kind !== 'user')
            .map((i) => (
              <div key={i.kind + i.value}>
                <dt>{i.kind}</dt>
                <dd>
                  <code>{i.value}</code> <SourceTag source="platform" />
                </dd>
              </div>
            ))}
        </dl>
      </section>
      <section class="settings-card" aria-labelledby="contact-sessions">
        <h2 id="contact-sessions">{t('sessions')}</h2>
        {!detail.sessions.length ? (
          <p class="muted">{t('noSessions')}</p>
        ) : (
          <ul class="item-list" aria-labelledby="contact-sessions">
            {detail.sessions.map((s) => (
              <li key={s.id}>
                <div class="item-main">
                  <p class="item-title">
                    <a href={`#/sessions/${encodeURIComponent(s.id)}`}>{s.last_message || s.channel}</a>
                  </p>
                  <p class="item-meta">
                    {s.channel} · {s.status} · {formatDateTime(s.last_message_at ?? s.created_at, locale)}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="settings-card" aria-labelledby="contact-orders">
        <h2 id="contact-orders">{t('orders')}</h2>
        {!detail.orders.length ? (
          <EmptyState title={t('noOrders')}>{t('noOrdersHint')}</EmptyState>
        ) : (
          <ul class="item-list" aria-labelledby="contact-orders">
            {detail.orders.map((o) => (
              <li key={o.id}>
                <div class="item-main">
                  <p class="item-title">
                    {t('order', { id: o.external_id })} <span class="pill pill-accent">{o.status}</span>
                  </p>
                  <p class="item-meta">
                    {o.items.map((i) => `${i.quantity} × ${i.name}`).join(', ')}
                    {o.items.length ? ` · ${t('total')} ${money(o.total, o.currency)}` : ''}
                  </p>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section class="settings-card" aria-labelledby="contact-meetings">
        <h2 id="contact-meetings">{t('meetings')}</h2>
        {!detail.meetings.length ? (
          <p class="muted">{t('noMeetings')}</p>
        ) : (
          <ul class="item-list" aria-labelledby="contact-meetings">
            {detail.meetings.map((m) => (
              <li key={m.id}>
                <div class="item-main">
                  <p class="item-title">
                    {formatDateTime(m.start_at, locale)}{' '}
                    <span class={'pill' + (m.status === 'scheduled' ? ' pill-ok' : '')}>
                      {t(`meeting.${m.status}`)}
                    </span>
                  </p>
                  {m.url && (
                    <p class="item-meta">
                      <a href={m.url} target="_blank" rel="noopener noreferrer">
                        {m.title || m.url}
                      </a>
                    </p>
                  )}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <form class="settings-card" aria-labelledby="contact-notes" onSubmit={saveNotes}>
        <h2 id="contact-notes">{t('notes')}</h2>
        <FormError message={unclaimed(error, ['notes'])} />
        <Field label={t('notes')} error={messageFor(error, 'notes')}>
          {(p) => (
            <textarea
              {...p}
              rows={4}
              maxLength={10000}
              value={notes}
              onInput={(e) => setNotes(e.currentTarget.value)}
            />
          )}
        </Field>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">
            {t('saveNotes')}
          </button>
        </div>
      </form>
      <section class="settings-card" aria-labelledby="contact-merge">
        <h2 id="contact-merge">{t('merge')}</h2>
        <p class="muted">{t('mergeHint')}</p>
        <Field label={t('mergeSearch')}>
          {(p) => <input {...p} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />}
        </Field>
        {q.trim() && others.contacts && (
          <ul class="item-list" aria-label={t('mergeSearch')}>
            {others.contacts
              .filter((o) => o.id !== id)
              .map((o) => (
                <li key={o.id}>
                  <div class="item-main">
                    <p class="item-title">{nameOf(o, t('unnamed'))}</p>
                    <p class="item-meta">{[o.email, o.phone, o.user_id].filter(Boolean).join(' · ')}</p>
                  </div>
                  <button type="button" class="btn" onClick={() => setMerging(o)}>
                    {t('mergeButton')}
                  </button>
                </li>
              ))}
          </ul>
        )}
      </section>
      {merging && (
        <ConfirmDialog
          title={t('mergeTitle', { name: nameOf(merging, t('unnamed')) })}
          confirmLabel={t('mergeButton')}
          onConfirm={async () => {
            load(await contactsApi.merge(tenantId, id, merging.id))
            setQ('')
            toast(t('merged'))
          }}
          onClose={() => setMerging(null)}
        >
          {t('mergeBody')}
        </ConfirmDialog>
      )}
    </main>
  )
}
