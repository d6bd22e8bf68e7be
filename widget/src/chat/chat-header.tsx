import type { Strings } from '../i18n'

export interface ChatHeaderProps {
  name: string
  avatarUrl: string | null
  subtitle: string
  t: Strings
  onClose: () => void
}

/** An avatar image when the URL is https, else the name's initial. */
export function Avatar({ name, url, small }: { name: string; url?: string | null; small?: boolean }) {
  const src = url && /^https:\/\//i.test(url) ? url : null
  return (
    <div class={small ? 'avatar sm' : 'avatar'} aria-hidden="true">
      {src ? (
        <img src={src} alt="" referrerpolicy="no-referrer" />
      ) : (
        name.trim().charAt(0).toUpperCase() || '?'
      )}
    </div>
  )
}

/** The panel's header: who answers (the bot, or the agent who took the session) and the close button. */
export function ChatHeader({ name, avatarUrl, subtitle, t, onClose }: ChatHeaderProps) {
  return (
    <div class="header">
      <Avatar name={name} url={avatarUrl} />
      <div class="title">
        <h2 class="name">{name}</h2>
        {subtitle && <div class="sub">{subtitle}</div>}
      </div>
      <button type="button" class="close" aria-label={t.closeChat} onClick={onClose}>
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M6 6l12 12M18 6L6 18" />
        </svg>
      </button>
    </div>
  )
}
