/** The Team page: members (role, availability, capacity, removal) and invitations (invite, resend, revoke). */
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { EmptyState } from '../../components/empty-state'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { SecretBox } from '../../components/secret-box'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import type { Member } from '../../types'
import type { PageProps } from '../types'
import { teamApi, type Invitation } from './api'
import { strings } from './strings'

export default function TeamPage({ tenantId, me, role, members, refreshMembers }: PageProps) {
  const c = useT(common)
  const [invitations, setInvitations] = useState<Invitation[] | null>(null)
  const [reload, setReload] = useState(0)
  const [link, setLink] = useState<{ email: string; url: string; emailed: boolean } | null>(null)
  useEffect(() => {
    let stale = false
    teamApi
      .invitations(tenantId)
      .then((res) => !stale && setInvitations(res.invitations))
      .catch(() => !stale && setInvitations([]))
    return () => {
      stale = true
    }
  }, [tenantId, reload])
  const shown = (res: { invitation: Invitation; accept_url: string; emailed: boolean }) => {
    setLink({ email: res.invitation.email, url: res.accept_url, emailed: res.emailed })
    setReload((r) => r + 1)
  }
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.team')}</h1>
      </div>
      <Members
        tenantId={tenantId}
        myId={me.user.id}
        myRole={role}
        members={members}
        refresh={refreshMembers}
      />
      <InviteForm tenantId={tenantId} onInvited={shown} />
      {link && <InviteLink link={link} onDone={() => setLink(null)} />}
      <Pending
        tenantId={tenantId}
        invitations={invitations}
        onResent={shown}
        onChanged={() => setReload((r) => r + 1)}
      />
    </main>
  )
}

function Members({
  tenantId,
  myId,
  myRole,
  members,
  refresh,
}: {
  tenantId: string
  myId: string
  myRole: Member['role']
  members: Member[] | null
  refresh: () => void
}) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [removing, setRemoving] = useState<Member | null>(null)
  const nameOf = (m: Member) => m.name || m.display_name || m.email || m.user_id.slice(0, 8)
  const patch = async (m: Member, body: { role?: Member['role']; capacity?: number }) => {
    try {
      await teamApi.updateMember(tenantId, m.user_id, body)
      toast(c('saved'))
    } catch (err) {
      toast(err instanceof ApiError ? err.message : c('saveFailed'), 'error')
    }
    refresh()
  }
  const roles: Member['role'][] = myRole === 'owner' ? ['owner', 'admin', 'agent'] : ['admin', 'agent']
  return (
    <section class="settings-card" aria-labelledby="team-members">
      <h2 id="team-members">{t('members')}</h2>
      <p class="muted">{t('membersHint')}</p>
      {!members ? (
        <p class="muted">{c('loading')}</p>
      ) : (
        <ul class="item-list" aria-label={t('members')}>
          {members.map((m) => {
            // Only owners touch owners, and the last owner stays one (the API refuses it too).
            const lastOwner = m.role === 'owner' && members.filter((o) => o.role === 'owner').length === 1
            const locked = (m.role === 'owner' && myRole !== 'owner') || lastOwner
            return (
              <li key={m.user_id} data-member={m.email ?? m.user_id}>
                <div class="item-main">
                  <p class="item-title">
                    <strong>{nameOf(m)}</strong>{' '}
                    {m.user_id === myId && <span class="muted">({t('you')})</span>}
                  </p>
                  <p class="item-meta muted member-email">
                    {m.email} · <span class={`avail-${m.availability}`}>{t(`avail.${m.availability}`)}</span>
                  </p>
                </div>
                <div class="item-actions">
                  <label>
                    <span class="sr-only">
                      {t('role')} {nameOf(m)}
                    </span>
                    <select
                      value={m.role}
                      disabled={locked}
                      onChange={(e) => patch(m, { role: e.currentTarget.value as Member['role'] })}
                    >
                      {(locked ? ['owner' as const] : roles).map((r) => (
                        <option key={r} value={r}>
                          {t(`role.${r}`)}
                        </option>
                      ))}
                    </select>
                  </label>
                  <label title={t('capacityHint')}>
                    <span class="sr-only">
                      {t('capacity')} {nameOf(m)}
                    </span>
                    <input
                      type="number"
                      min="0"
                      max="100"
                      style={{ width: '5em' }}
                      value={m.capacity ?? 5}
                      disabled={locked}
                      onChange={(e) => patch(m, { capacity: Number(e.currentTarget.value) })}
                    />
                  </label>
                  {!locked && (
                    <button type="button" class="btn btn-small btn-danger" onClick={() => setRemoving(m)}>
                      {t('remove')}
                    </button>
                  )}
                </div>
              </li>
            )
          })}
        </ul>
      )}
      {removing && (
        <ConfirmDialog
          title={t('removeTitle', { name: nameOf(removing) })}
          confirmLabel={t('remove')}
          onConfirm={async () => {
            await teamApi.removeMember(tenantId, removing.user_id)
            toast(t('removed', { name: nameOf(removing) }))
            refresh()
          }}
          onClose={() => setRemoving(null)}
        >
          <p>{t('removeBody')}</p>
        </ConfirmDialog>
      )}
    </section>
  )
}

export function InviteForm({
  tenantId,
  onInvited,
  invite = teamApi.invite,
}: {
  tenantId: string
  onInvited: (res: { invitation: Invitation; accept_url: string; emailed: boolean }) => void
  invite?: typeof teamApi.invite
}) {
  const t = useT(strings)
  const [email, setEmail] = useState('')
  const [role, setRole] = useState<'admin' | 'agent'>('agent')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const res = await invite(tenantId, { email, role })
      setEmail('')
      onInvited(res)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="settings-card" aria-labelledby="team-invite" onSubmit={submit}>
      <h2 id="team-invite">{t('invite')}</h2>
      <p class="muted">{t('inviteHint')}</p>
      <FormError message={unclaimed(error, ['email', 'role'])} />
      <div class="form-row">
        <Field label={t('email')} error={messageFor(error, 'email')}>
          {(p) => (
            <input
              {...p}
              type="email"
              required
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label={t('role')} error={messageFor(error, 'role')}>
          {(p) => (
            <select {...p} value={role} onChange={(e) => setRole(e.currentTarget.value as 'admin' | 'agent')}>
              <option value="agent">{t('role.agent')}</option>
              <option value="admin">{t('role.admin')}</option>
            </select>
          )}
        </Field>
      </div>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {t('sendInvite')}
        </button>
      </div>
    </form>
  )
}

function InviteLink({
  link,
  onDone,
}: {
  link: { email: string; url: string; emailed: boolean }
  onDone: () => void
}) {
  const t = useT(strings)
  return (
    <section class="settings-card">
      <SecretBox label={t('inviteLink', { email: link.email })} secret={link.url} onDone={onDone} />
      <p class="muted">{link.emailed ? t('emailed') : t('notEmailed')}</p>
    </section>
  )
}

function Pending({
  tenantId,
  invitations,
  onResent,
  onChanged,
}: {
  tenantId: string
  invitations: Invitation[] | null
  onResent: (res: { invitation: Invitation; accept_url: string; emailed: boolean }) => void
  onChanged: () => void
}) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [revoking, setRevoking] = useState<Invitation | null>(null)
  const resend = async (inv: Invitation) => {
    try {
      onResent(await teamApi.resend(tenantId, inv.id))
    } catch (err) {
      toast(err instanceof ApiError ? err.message : c('saveFailed'), 'error')
    }
  }
  return (
    <section class="settings-card" aria-labelledby="team-pending">
      <h2 id="team-pending">{t('pending')}</h2>
      {!invitations ? (
        <p class="muted">{c('loading')}</p>
      ) : invitations.length === 0 ? (
        <EmptyState title={t('noPending')}>{t('noPendingHint')}</EmptyState>
      ) : (
        <ul class="item-list" aria-label={t('pending')}>
          {invitations.map((inv) => (
            <li key={inv.id}>
              <div class="item-main">
                <p class="item-title">
                  <strong class="member-email">{inv.email}</strong>{' '}
                  <span class="pill">{t(`role.${inv.role}`)}</span>
                </p>
                <p class="item-meta muted">
                  {inv.expired ? (
                    <span class="pill pill-warn">{t('expired')}</span>
                  ) : (
                    t('expires', { date: new Date(inv.expires_at).toLocaleDateString() })
                  )}
                </p>
              </div>
              <div class="item-actions">
                <button type="button" class="btn btn-small" onClick={() => resend(inv)}>
                  {t('resend')}
                </button>
                <button type="button" class="btn btn-small btn-danger" onClick={() => setRevoking(inv)}>
                  {t('revoke')}
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {revoking && (
        <ConfirmDialog
          title={t('revokeTitle', { email: revoking.email })}
          confirmLabel={t('revoke')}
          onConfirm={async () => {
            await teamApi.revoke(tenantId, revoking.id)
            toast(t('revoked'))
            onChanged()
          }}
          onClose={() => setRevoking(null)}
        >
          <p>{t('revokeBody')}</p>
        </ConfirmDialog>
      )}
    </section>
  )
}
