import { useCallback, useEffect, useState } from 'preact/hooks'
import { api, ApiError, getToken, setToken, setUnauthorizedHandler } from '../api'
import type { Availability, Me, Member } from '../types'
import { AvailabilitySelect } from './availability-select'
import { Inbox } from './inbox'
import { SignIn } from './sign-in'
import { WidgetSettings } from '../widget-preview'

const TENANT_KEY = 'parley.console.tenant'

/** The console's root: sign-in, then the header (workspace, user, sign out) and the inbox. */
export function App() {
  const [signedIn, setSignedIn] = useState(() => getToken() !== null)
  const [me, setMe] = useState<Me | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [tenantId, setTenantId] = useState<string | null>(() => sessionStorage.getItem(TENANT_KEY))
  const [live, setLive] = useState(false)
  const [members, setMembers] = useState<Member[] | null>(null)
  const [membersKey, setMembersKey] = useState(0)
  // The inbox owns the URL hash (open conversation, filters); #widget is the widget page.
  const [view, setView] = useState<'inbox' | 'widget'>(() =>
    location.hash === '#widget' ? 'widget' : 'inbox',
  )
  const go = (next: 'inbox' | 'widget') => {
    setView(next)
    history.replaceState(null, '', location.pathname + location.search + (next === 'widget' ? '#widget' : ''))
  }

  const signOut = useCallback((message: string | null = null) => {
    setToken(null)
    setMe(null)
    setError(null)
    setNotice(message)
    setSignedIn(false)
    if (location.hash) history.replaceState(null, '', location.pathname + location.search)
  }, [])
  const expired = useCallback(() => signOut('Your session has expired. Please sign in again.'), [signOut])

  useEffect(() => {
    setUnauthorizedHandler(expired)
    return () => setUnauthorizedHandler(null)
  }, [expired])

  useEffect(() => {
    if (!signedIn) return
    let stale = false
    api
      .me()
      .then((res) => {
        if (stale) return
        setMe(res)
        setTenantId((cur) => {
          const ids = res.memberships.map((m) => m.tenant_id)
          return cur && ids.includes(cur) ? cur : (ids[0] ?? null)
        })
      })
      .catch((err) => {
        if (stale) return
        if (err instanceof ApiError && err.status === 401) expired()
        else setError(err instanceof ApiError ? err.message : 'Your account could not be loaded.')
      })
    return () => {
      stale = true
    }
  }, [signedIn, expired])

  useEffect(() => {
    if (tenantId) sessionStorage.setItem(TENANT_KEY, tenantId)
  }, [tenantId])

  // The workspace's members: my availability, the assignee filter and Transfer read them.
  const ready = signedIn && me !== null && tenantId !== null
  useEffect(() => {
    if (!ready || !tenantId) return
    let stale = false
    api
      .members(tenantId)
      .then((res) => !stale && setMembers(res.members ?? []))
      .catch(() => !stale && setMembers((cur) => cur ?? []))
    return () => {
      stale = true
    }
  }, [ready, tenantId, membersKey])
  useEffect(() => setMembers(null), [tenantId])
  const refreshMembers = useCallback(() => setMembersKey((k) => k + 1), [])

  const changeAvailability = async (availability: Availability) => {
    if (!tenantId || !me) return
    const res = await api.setAvailability(tenantId, availability)
    const next = res.member?.availability ?? availability
    setMembers((cur) => cur?.map((m) => (m.user_id === me.user.id ? { ...m, availability: next } : m)) ?? cur)
  }

  if (!signedIn) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={() => {
          setNotice(null)
          setSignedIn(true)
        }}
      />
    )
  }

  const memberships = me?.memberships ?? []
  const myself = members?.find((m) => m.user_id === me?.user.id) ?? null
  return (
    <div class="shell">
      <header class="topbar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            P
          </span>
          <span class="brand-name">Parley</span>
        </div>
        {memberships.length > 1 ? (
          <label class="tenant-select">
            <span class="sr-only">Workspace</span>
            <select
              value={tenantId ?? ''}
              onChange={(e) => {
                setTenantId(e.currentTarget.value)
                history.replaceState(null, '', location.pathname + location.search)
              }}
            >
              {memberships.map((m) => (
                <option key={m.tenant_id} value={m.tenant_id}>
                  {m.tenant.name}
                </option>
              ))}
            </select>
          </label>
        ) : (
          memberships[0] && <span class="tenant-name">{memberships[0].tenant.name}</span>
        )}
        <nav class="views" aria-label="Console">
          <button
            type="button"
            class="view-tab"
            aria-current={view === 'inbox' ? 'page' : undefined}
            onClick={() => go('inbox')}
          >
            Inbox
          </button>
          <button
            type="button"
            class="view-tab"
            aria-current={view === 'widget' ? 'page' : undefined}
            onClick={() => go('widget')}
          >
            Widget
          </button>
        </nav>
        {view === 'inbox' && (
          <span class={`live${live ? ' live-on' : ''}`} title={live ? 'Live updates on' : 'Reconnecting…'}>
            <span class="live-dot" aria-hidden="true" />
            <span class="live-text">{live ? 'Live' : 'Offline'}</span>
          </span>
        )}
        <span class="spacer" />
        {me && <span class="user">{me.user.name || me.user.email}</span>}
        {me && tenantId && myself && (
          <AvailabilitySelect value={myself.availability} onChange={changeAvailability} />
        )}
        <button type="button" class="btn btn-ghost" onClick={() => signOut()}>
          Sign out
        </button>
      </header>
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {me && memberships.length === 0 && (
        <p class="empty">Your account is not a member of any workspace yet. Ask an owner to invite you.</p>
      )}
      {me && tenantId && view === 'widget' && <WidgetSettings key={tenantId} tenantId={tenantId} />}
      {me && tenantId && view === 'inbox' && (
        <Inbox
          key={tenantId}
          tenantId={tenantId}
          userId={me.user.id}
          onUnauthorized={expired}
          onLive={setLive}
          members={members}
          onRefreshMembers={refreshMembers}
        />
      )}
      {!me && !error && <p class="empty">Loading…</p>}
    </div>
  )
}
