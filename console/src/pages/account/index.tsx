/** My account, for every role: who I am, my availability, my password. */
import { useState } from 'preact/hooks'
import { api, ApiError } from '../../api'
import { AvailabilitySelect } from '../../components/availability-select'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import type { Availability } from '../../types'
import type { PageProps } from '../types'
import { ChangePasswordForm } from '../public/forms'
import { strings as publicStrings } from '../public/strings'
import { strings } from './strings'

export default function AccountPage({ tenantId, me, role, members, refreshMembers }: PageProps) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const p = useT(publicStrings)
  const myself = members?.find((m) => m.user_id === me.user.id) ?? null
  const [busy, setBusy] = useState(false)
  const tenant = me.memberships.find((m) => m.tenant_id === tenantId)?.tenant.name ?? ''
  const change = async (a: Availability) => {
    setBusy(true)
    try {
      await api.setAvailability(tenantId, a)
      refreshMembers()
      toast(c('saved'))
    } catch (err) {
      toast(err instanceof ApiError ? err.message : c('saveFailed'), 'error')
    } finally {
      setBusy(false)
    }
  }
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.account')}</h1>
      </div>
      <section class="settings-card" aria-labelledby="account-avail">
        <h2 id="account-avail">{t('availability')}</h2>
        <p class="muted">{t('signedInAs', { email: me.user.email, role, tenant })}</p>
        <p class="muted">{t('availabilityHint')}</p>
        {myself ? (
          <fieldset class="plain" disabled={busy}>
            <AvailabilitySelect value={myself.availability} onChange={change} />
          </fieldset>
        ) : (
          <p class="muted">{c('loading')}</p>
        )}
      </section>
      <section class="settings-card" aria-labelledby="account-password">
        <h2 id="account-password">{t('password')}</h2>
        <ChangePasswordForm onChanged={() => toast(p('changed'))} />
      </section>
    </main>
  )
}
