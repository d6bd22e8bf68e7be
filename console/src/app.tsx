import type { ComponentType } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { api, ApiError, getToken, setToken, setUnauthorizedHandler } from './api'
import { AvailabilitySelect } from './components/availability-select'
import { SignIn } from './components/sign-in'
import { ToastProvider } from './components/toast'
import {
  LOCALE_NAMES,
  LOCALES,
  LocaleContext,
  initialLocale,
  rememberLocale,
  useT,
  type Locale,
} from './i18n'
import { common } from './i18n/common'
import { Inbox } from './pages/inbox/inbox'
import { PAGES, pageDef, type PageDef } from './pages'
import type { PageProps, Role } from './pages/types'
import { pageHref, useRoute } from './router'
import { applyAccent } from './theme'
import type { Availability, Me, Member } from './types'

const TENANT_KEY = 'parley.console.tenant'

/** Pages reached before sign-in (their own chunk): set-up, invitation, password reset. */
const PUBLIC_PAGES = ['setup', 'accept-invitation', 'forgot-password', 'reset-password']
type PublicPageProps = { page: string; onSignedIn: () => void }
let publicPage: ComponentType<PublicPageProps> | null = null

function PublicPage(props: PublicPageProps) {
  const t = useT(common)
  const [Page, setPage] = useState(() => publicPage)
  useEffect(() => {
    if (Page) return
    void import('./pages/public').then((m) => {
      publicPage = m.default
      setPage(() => m.default)
    })
  }, [Page])
  return Page ? <Page {...props} /> : <p class="empty">{t('loading')}</p>
}

/** Loaded page modules, kept so going back to a page shows it at once. */
const loaded = new Map<string, ComponentType<PageProps>>()

/** A lazily loaded page: its chunk arrives on first visit. */
function LazyPage({ def, props }: { def: PageDef; props: PageProps }) {
  const t = useT(common)
  const [Page, setPage] = useState<ComponentType<PageProps> | null>(() => loaded.get(def.id) ?? null)
  const [failed, setFailed] = useState(false)
  const [attempt, setAttempt] = useState(0)
  useEffect(() => {
    const cached = loaded.get(def.id)
    if (cached) return void setPage(() => cached)
    let stale = false
    setPage(null)
    setFailed(false)
    def.load!()
      .then((m) => {
        loaded.set(def.id, m.default)
        if (!stale) setPage(() => m.default)
      })
      .catch(() => !stale && setFailed(true))
    return () => {
      stale = true
    }
  }, [def, attempt])
  if (failed)
    return (
      <main class="page">
        <p class="pane-error" role="alert">
          {t('loadFailed')}{' '}
          <button type="button" class="btn btn-small" onClick={() => setAttempt(attempt + 1)}>
            {t('retry')}
          </button>
        </p>
      </main>
    )
  if (!Page) return <p class="empty">{t('loading')}</p>
  return <Page {...props} />
}

/** The console's root: language, sign-in, then the shell (top bar, menu) and the current page. */
export function App() {
  const [locale, setLocale] = useState<Locale>(initialLocale)
  useEffect(() => rememberLocale(locale), [locale])
  return (
    <LocaleContext.Provider value={locale}>
      <ToastProvider>
        <Shell locale={locale} setLocale={setLocale} />
      </ToastProvider>
    </LocaleContext.Provider>
  )
}

function LanguageSelect({ locale, setLocale }: { locale: Locale; setLocale: (l: Locale) => void }) {
  const t = useT(common)
  return (
    <label class="lang-select">
      <span class="sr-only">{t('language')}</span>
      <select value={locale} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LOCALE_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  )
}

function Shell({ locale, setLocale }: { locale: Locale; setLocale: (l: Locale) => void }) {
  const t = useT(common)
  const [signedIn, setSignedIn] = useState(() => getToken() !== null)
  const [me, setMe] = useState<Me | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [tenantId, setTenantId] = useState<string | null>(() => sessionStorage.getItem(TENANT_KEY))
  const [live, setLive] = useState(false)
  const [members, setMembers] = useState<Member[] | null>(null)
  const [membersKey, setMembersKey] = useState(0)
  const [brand, setBrand] = useState<string | null>(null)
  const [meKey, setMeKey] = useState(0)
  const route = useRoute()

  const signOut = useCallback((message: string | null = null) => {
    setToken(null)
    setMe(null)
    setError(null)
    setNotice(message)
    setSignedIn(false)
    setBrand(null)
    if (location.hash) history.replaceState(null, '', location.pathname + location.search)
  }, [])
  const expired = useCallback(() => signOut(t('expired')), [signOut, t])

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
  }, [signedIn, expired, meKey])

  // First run: with no account at all, the sign-in page gives way to the set-up page.
  useEffect(() => {
    if (signedIn || PUBLIC_PAGES.includes(route.page)) return
    let stale = false
    fetch('/v1/auth/setup')
      .then((r) => (r.ok ? r.json() : null))
      .then((res) => !stale && res?.needed && (location.hash = '#/setup'))
      .catch(() => {})
    return () => {
      stale = true
    }
  }, [signedIn, route.page])

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

  // The brand colour: the first bot's widget colour becomes the accent.
  useEffect(() => {
    if (!ready || !tenantId) return
    let stale = false
    api
      .bots(tenantId)
      .then((res) => (res.bots?.[0] ? api.widget(res.bots[0].id) : null))
      .then((res) => !stale && setBrand(res?.widget.theme?.primary_color ?? null))
      .catch(() => {})
    return () => {
      stale = true
    }
  }, [ready, tenantId])
  useEffect(() => applyAccent(brand), [brand])

  const changeAvailability = async (availability: Availability) => {
    if (!tenantId || !me) return
    const res = await api.setAvailability(tenantId, availability)
    const next = res.member?.availability ?? availability
    setMembers((cur) => cur?.map((m) => (m.user_id === me.user.id ? { ...m, availability: next } : m)) ?? cur)
  }

  if (PUBLIC_PAGES.includes(route.page)) {
    return (
      <PublicPage
        page={route.page}
        onSignedIn={() => {
          setNotice(null)
          setMe(null)
          setTenantId(null)
          sessionStorage.removeItem(TENANT_KEY)
          setSignedIn(true)
          setMeKey((k) => k + 1)
          location.hash = '#/'
        }}
      />
    )
  }

  if (!signedIn) {
    return (
      <>
        <div class="signin-lang">
          <LanguageSelect locale={locale} setLocale={setLocale} />
        </div>
        <SignIn
          footer={
            <p class="public-links">
              <a href="#/forgot-password">{t('forgotPassword')}</a>
            </p>
          }
          notice={notice}
          onSignedIn={() => {
            setNotice(null)
            setSignedIn(true)
          }}
        />
      </>
    )
  }

  const memberships = me?.memberships ?? []
  const role: Role | null = memberships.find((m) => m.tenant_id === tenantId)?.role ?? null
  const myself = members?.find((m) => m.user_id === me?.user.id) ?? null
  const menu = PAGES.filter((p) => p.menu && role && p.roles.includes(role))
  const def = pageDef(route.page)
  const allowed = def && role ? def.roles.includes(role) : false
  const props: PageProps | null =
    me && tenantId && role
      ? { tenantId, me, role, members, refreshMembers, path: route.rest, setBrand }
      : null

  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="#/" aria-label="Parley">
          <span class="brand-mark" aria-hidden="true">
            P
          </span>
          <span class="brand-name">Parley</span>
        </a>
        {memberships.length > 1 ? (
          <label class="tenant-select">
            <span class="sr-only">{t('workspace')}</span>
            <select
              value={tenantId ?? ''}
              onChange={(e) => {
                setTenantId(e.currentTarget.value)
                setBrand(null)
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
        {route.page === 'inbox' && (
          <span class={`live${live ? ' live-on' : ''}`} title={live ? t('liveOn') : t('reconnecting')}>
            <span class="live-dot" aria-hidden="true" />
            <span class="live-text">{live ? t('live') : t('offline')}</span>
          </span>
        )}
        <span class="spacer" />
        <LanguageSelect locale={locale} setLocale={setLocale} />
        {me && (
          <a
            class="user"
            href={pageHref('account')}
            aria-current={route.page === 'account' ? 'page' : undefined}
            title={t('nav.account')}
          >
            {me.user.name || me.user.email}
          </a>
        )}
        {me && tenantId && myself && (
          <AvailabilitySelect value={myself.availability} onChange={changeAvailability} />
        )}
        <button type="button" class="btn btn-ghost" onClick={() => signOut()}>
          {t('signOut')}
        </button>
      </header>
      {menu.length > 0 && (
        <nav class="menu" aria-label={t('nav')}>
          {menu.map((p) => (
            <a
              key={p.id}
              class="menu-link"
              href={pageHref(p.id)}
              aria-current={route.page === p.id ? 'page' : undefined}
            >
              {t(`nav.${p.id}`)}
            </a>
          ))}
          <a
            class="menu-link menu-account"
            href={pageHref('account')}
            aria-current={route.page === 'account' ? 'page' : undefined}
          >
            {t('nav.account')}
          </a>
        </nav>
      )}
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {me && memberships.length === 0 && <p class="empty">{t('noWorkspace')}</p>}
      {props && !def && (
        <main class="page">
          <p class="empty">{t('notFound')}</p>
        </main>
      )}
      {props && def && !allowed && (
        <main class="page">
          <p class="empty">{t('notAllowed', { role: props.role })}</p>
        </main>
      )}
      {props && def && allowed && def.id === 'inbox' && (
        <Inbox
          key={props.tenantId}
          tenantId={props.tenantId}
          userId={props.me.user.id}
          onUnauthorized={expired}
          onLive={setLive}
          members={members}
          onRefreshMembers={refreshMembers}
        />
      )}
      {props && def && allowed && def.load && (
        <LazyPage key={def.id + props.tenantId} def={def} props={props} />
      )}
      {!me && !error && <p class="empty">{t('loading')}</p>}
    </div>
  )
}
