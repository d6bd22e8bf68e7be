/** A secret shown once (identity secret, API key, invitation link): the value, a copy button, a warning. */
import { common } from '../i18n/common'
import { useT } from '../i18n'
import { CopyButton } from './copy-button'

export interface SecretBoxProps {
  label: string
  secret: string
  /** "I have copied it": hides the box; the secret is gone for good. */
  onDone?: () => void
}

export function SecretBox({ label, secret, onDone }: SecretBoxProps) {
  const t = useT(common)
  return (
    <div class="secret-box" role="group" aria-label={label}>
      <p class="secret-warning" role="alert">
        <strong>{label}.</strong> {t('secretWarning')}
      </p>
      <div class="secret-row">
        <input
          class="secret-value"
          type="text"
          readOnly
          value={secret}
          aria-label={label}
          onFocus={(e) => e.currentTarget.select()}
        />
        <CopyButton text={secret} />
      </div>
      {onDone && (
        <button type="button" class="btn btn-ghost" onClick={onDone}>
          {t('secretDone')}
        </button>
      )}
    </div>
  )
}
