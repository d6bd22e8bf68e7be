import { useEffect, useState } from 'preact/hooks'
import { common } from '../i18n/common'
import { useT } from '../i18n'

/** Copies a text; says so on the button and to screen readers, or asks to select and copy. */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const t = useT(common)
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle')
  useEffect(() => {
    if (state === 'idle') return
    const id = setTimeout(() => setState('idle'), 2000)
    return () => clearTimeout(id)
  }, [state])
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setState('done')
    } catch {
      setState('failed')
    }
  }
  return (
    <>
      <button type="button" class="btn" onClick={() => void copy()} aria-label={label}>
        {state === 'done' ? t('copied') : state === 'failed' ? t('copyFailed') : t('copy')}
      </button>
      <span role="status" class="sr-only">
        {state === 'done' ? t('copiedStatus') : ''}
      </span>
    </>
  )
}
