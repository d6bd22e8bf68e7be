import type { Strings } from '../i18n'

export interface ChatHeaderProps {
  name: string
  avatarUrl: string | null
  subtitle: string
  t: Strings
  onClose: () => void
}

/** The panel's header: bot name and the close button. */
export function ChatHeader({ name, avatarUrl, subtitle, t, onClose }: ChatHeaderProps) {
  const avatar = avatarUrl && /^https:\/\//i.test(avatarUrl) ? avatarUrl : null
  return (
    <div class="header">
      <div class="avatar" aria-hidden="true">
        {avatar ? <img src={avatar} alt="" /> : name.trim().charAt(0).toUpperCase() || '?'}
      </div>
      <div class="title">
        <div class="name">{name}</div>
        <div class="sub">{subtitle}</div>
      </div>
      <button type="button" class="close" aria-label={t.closeChat} onClick={onClose}>
        <svg viewBox="0 0 24 24" aria-hidden="true">
          <path d="M6 6l12 12M18 6L6 18" />
        </svg>
      </button>
    </div>
  )
}
