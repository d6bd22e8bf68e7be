/** The pages reached before sign-in: `#/setup`, `#/accept-invitation?token=`, `#/forgot-password`, `#/reset-password?token=`. */
import { hashToken } from './api'
import { AcceptInvitationForm, ForgotPasswordForm, ResetPasswordForm, SetupForm } from './forms'

export const PUBLIC_PAGES = ['setup', 'accept-invitation', 'forgot-password', 'reset-password'] as const

export default function PublicPage({ page, onSignedIn }: { page: string; onSignedIn: () => void }) {
  if (page === 'setup') return <SetupForm onSignedIn={onSignedIn} />
  if (page === 'accept-invitation')
    return <AcceptInvitationForm token={hashToken()} onSignedIn={onSignedIn} />
  if (page === 'reset-password') return <ResetPasswordForm token={hashToken()} onSignedIn={onSignedIn} />
  return <ForgotPasswordForm />
}
