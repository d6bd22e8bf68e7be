/**
 * The pages shown before sign-in (first-run set-up, invitation, forgotten and new password) and the
 * change-password form of My account. Each shows the API's validation message under its field.
 */
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { setToken } from '../../api'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useT } from '../../i18n'
import { publicApi, type SignedIn } from './api'
import { strings } from './strings'

type T = ReturnType<typeof useT<keyof (typeof strings)['en']>>

/** A form's busy and error state around one submit. */
function useSubmit<R>(run: () => Promise<R>, done: (r: R) => void) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      done(await run())
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, submit }
}

function Card({
  title,
  children,
  onSubmit,
}: {
  title: string
  children: ComponentChildren
  onSubmit: (e: Event) => void
}) {
  return (
    <main class="signin">
      <form class="signin-card" onSubmit={onSubmit} aria-labelledby="public-title">
        <div class="brand brand-large" aria-hidden="true">
          <span class="brand-mark">P</span> Parley
        </div>
        <h1 id="public-title">{title}</h1>
        {children}
      </form>
    </main>
  )
}

function PasswordField({
  t,
  label,
  value,
  set,
  error,
  field = 'password',
  current = false,
}: {
  t: T
  label: string
  value: string
  set: (v: string) => void
  error: unknown
  field?: string
  current?: boolean
}) {
  return (
    <Field label={label} hint={current ? undefined : t('passwordHint')} error={messageFor(error, field)}>
      {(p) => (
        <input
          {...p}
          type="password"
          required
          minLength={current ? 1 : 8}
          autoComplete={current ? 'current-password' : 'new-password'}
          value={value}
          onInput={(e) => set(e.currentTarget.value)}
        />
      )}
    </Field>
  )
}

const signIn = (res: SignedIn, onSignedIn: () => void) => {
  setToken(res.access_token)
  onSignedIn()
}

export function SetupForm({ onSignedIn }: { onSignedIn: () => void }) {
  const t = useT(strings)
  const [v, setV] = useState({ name: '', email: '', password: '', tenant_name: '' })
  const { busy, error, submit } = useSubmit(
    () => publicApi.setup(v),
    (r) => signIn(r, onSignedIn),
  )
  const text = (k: 'name' | 'email' | 'tenant_name') => (
    <Field label={t(k === 'tenant_name' ? 'tenantName' : k)} error={messageFor(error, k)}>
      {(p) => (
        <input
          {...p}
          type={(k === 'email' ? 'email' : 'text') as 'text'}
          required
          value={v[k]}
          onInput={(e) => setV({ ...v, [k]: e.currentTarget.value })}
        />
      )}
    </Field>
  )
  return (
    <Card title={t('setupTitle')} onSubmit={submit}>
      <p class="muted">{t('setupHint')}</p>
      <FormError message={unclaimed(error, ['name', 'email', 'password', 'tenant_name'])} />
      {text('name')}
      {text('email')}
      <PasswordField
        t={t}
        label={t('password')}
        value={v.password}
        set={(password) => setV({ ...v, password })}
        error={error}
      />
      {text('tenant_name')}
      <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
        {t('createAccount')}
      </button>
    </Card>
  )
}

export function AcceptInvitationForm({ token, onSignedIn }: { token: string; onSignedIn: () => void }) {
  const t = useT(strings)
  const [name, setName] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, submit } = useSubmit(
    () => publicApi.accept({ token, password, ...(name.trim() ? { name: name.trim() } : {}) }),
    (r) => signIn(r, onSignedIn),
  )
  return (
    <Card title={t('acceptTitle')} onSubmit={submit}>
      <p class="muted">{t('acceptHintAnon')}</p>
      {!token && <p class="pane-error">{t('noToken')}</p>}
      <FormError message={unclaimed(error, ['name', 'password'])} />
      <Field label={t('name')} error={messageFor(error, 'name')}>
        {(p) => (
          <input
            {...p}
            type="text"
            autoComplete="name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        )}
      </Field>
      <PasswordField t={t} label={t('password')} value={password} set={setPassword} error={error} />
      <button type="submit" class="btn btn-primary btn-block" disabled={busy || !token}>
        {t('accept')}
      </button>
    </Card>
  )
}

export function ForgotPasswordForm() {
  const t = useT(strings)
  const [email, setEmail] = useState('')
  const [sent, setSent] = useState(false)
  const { busy, error, submit } = useSubmit(
    () => publicApi.requestReset(email.trim()),
    () => setSent(true),
  )
  return (
    <Card title={t('forgotTitle')} onSubmit={submit}>
      {sent ? (
        <p class="notice" role="status">
          {t('forgotSent')}
        </p>
      ) : (
        <>
          <p class="muted">{t('forgotHint')}</p>
          <FormError message={unclaimed(error, ['email'])} />
          <Field label={t('email')} error={messageFor(error, 'email')}>
            {(p) => (
              <input
                {...p}
                type="email"
                required
                autoComplete="username"
                value={email}
                onInput={(e) => setEmail(e.currentTarget.value)}
              />
            )}
          </Field>
          <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
            {t('sendLink')}
          </button>
        </>
      )}
      <p class="public-links">
        <a href="#/">{t('backToSignIn')}</a>
      </p>
    </Card>
  )
}

export function ResetPasswordForm({ token, onSignedIn }: { token: string; onSignedIn: () => void }) {
  const t = useT(strings)
  const [password, setPassword] = useState('')
  const { busy, error, submit } = useSubmit(
    () => publicApi.confirmReset(token, password),
    (r) => signIn(r, onSignedIn),
  )
  return (
    <Card title={t('resetTitle')} onSubmit={submit}>
      {!token && <p class="pane-error">{t('noToken')}</p>}
      <FormError message={unclaimed(error, ['password'])} />
      <PasswordField t={t} label={t('newPassword')} value={password} set={setPassword} error={error} />
      <button type="submit" class="btn btn-primary btn-block" disabled={busy || !token}>
        {t('resetSubmit')}
      </button>
      <p class="public-links">
        <a href="#/forgot-password">{t('forgot')}</a>
      </p>
    </Card>
  )
}

/** My account's password form (signed in). */
export function ChangePasswordForm({
  onChanged,
  change = publicApi.changePassword,
}: {
  onChanged: () => void
  change?: typeof publicApi.changePassword
}) {
  const t = useT(strings)
  const [current, setCurrent] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, submit } = useSubmit(
    () => change(current, password),
    () => {
      setCurrent('')
      setPassword('')
      onChanged()
    },
  )
  return (
    <form onSubmit={submit} aria-label={t('changeTitle')}>
      <FormError message={unclaimed(error, ['current_password', 'password'])} />
      <div class="form-row">
        <PasswordField
          t={t}
          label={t('currentPassword')}
          value={current}
          set={setCurrent}
          error={error}
          field="current_password"
          current
        />
        <PasswordField t={t} label={t('newPassword')} value={password} set={setPassword} error={error} />
      </div>
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {t('changeSubmit')}
        </button>
      </div>
    </form>
  )
}
