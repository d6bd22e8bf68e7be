import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { api, ApiError, setToken } from '../api'
import { useT } from '../i18n'
import { common } from '../i18n/common'

export interface SignInProps {
  /** Called once the token is stored. */
  onSignedIn: () => void
  /** A notice to show above the form (e.g. "Your session has expired"). */
  notice?: string | null
  /** Links under the button (e.g. "Forgot your password?"). */
  footer?: ComponentChildren
}

/** Email and password sign-in against POST /v1/auth/login. */
export function SignIn({ onSignedIn, notice, footer }: SignInProps) {
  const t = useT(common)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  const submit = async (e: Event) => {
    e.preventDefault()
    if (busy) return
    setBusy(true)
    setError(null)
    try {
      const res = await api.login(email.trim(), password)
      setToken(res.access_token)
      onSignedIn()
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('signInFailed'))
      setBusy(false)
    }
  }

  return (
    <main class="signin">
      <form class="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div class="brand brand-large" aria-hidden="true">
          <span class="brand-mark">P</span> Parley
        </div>
        <h1 id="signin-title">{t('signInTitle')}</h1>
        {notice && !error && <p class="notice">{notice}</p>}
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <label class="field">
          <span>{t('email')}</span>
          <input
            type="email"
            name="email"
            autoComplete="username"
            required
            value={email}
            onInput={(e) => setEmail(e.currentTarget.value)}
          />
        </label>
        <label class="field">
          <span>{t('password')}</span>
          <input
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="btn btn-primary btn-block" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
        {footer}
      </form>
    </main>
  )
}
