/**
 * Uploads by drag and drop or file picker, several at once, each with its own progress bar
 * (XMLHttpRequest reports upload progress; fetch does not). A refused file keeps its row with the
 * API's reason (415 unsupported_file, 413 file_too_large...).
 */
import { useRef, useState } from 'preact/hooks'
import type { KnowledgeSource } from '../../../../contract'
import { api, ApiError, uploadDocument } from '../../api'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { strings } from './strings'

interface Upload {
  id: number
  name: string
  progress: number
  error: string | null
  done: boolean
}

export const ACCEPT =
  '.txt,.md,.markdown,.html,.htm,.pdf,.docx,text/plain,text/markdown,text/html,application/pdf'

export interface UploadZoneProps {
  tenantId: string
  /** A file was accepted: the list shows its source at once. */
  onUploaded: (source: KnowledgeSource) => void
}

export function UploadZone({ tenantId, onUploaded }: UploadZoneProps) {
  const t = useT(strings)
  const toast = useToast()
  const input = useRef<HTMLInputElement>(null)
  const [uploads, setUploads] = useState<Upload[]>([])
  const [over, setOver] = useState(false)
  const next = useRef(1)

  const patch = (id: number, p: Partial<Upload>) =>
    setUploads((cur) => cur.map((u) => (u.id === id ? { ...u, ...p } : u)))

  const send = (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const id = next.current++
      setUploads((cur) => [...cur, { id, name: file.name, progress: 0, error: null, done: false }])
      const { done } = uploadDocument(api.uploadUrl(tenantId), file, (f) => patch(id, { progress: f }))
      done.then(
        (source) => {
          patch(id, { progress: 1, done: true })
          toast(t('uploaded', { name: file.name }))
          if (source) onUploaded(source)
          // Finished rows go after a moment; the source list now shows the file.
          setTimeout(() => setUploads((cur) => cur.filter((u) => u.id !== id)), 2500)
        },
        (err) => patch(id, { error: err instanceof ApiError ? err.message : String(err) }),
      )
    }
  }

  return (
    <section class="settings-card" aria-labelledby="upload-title">
      <h2 id="upload-title">{t('dropTitle')}</h2>
      <div
        class={`dropzone${over ? ' dropzone-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault()
          setOver(false)
          if (e.dataTransfer?.files?.length) send(e.dataTransfer.files)
        }}
      >
        <p class="muted">{t('dropHint')}</p>
        <button type="button" class="btn btn-primary" onClick={() => input.current?.click()}>
          {t('choose')}
        </button>
        <input
          ref={input}
          type="file"
          multiple
          accept={ACCEPT}
          class="sr-only"
          tabIndex={-1}
          aria-label={t('choose')}
          onChange={(e) => {
            const files = e.currentTarget.files
            if (files?.length) send(Array.from(files))
            e.currentTarget.value = ''
          }}
        />
      </div>
      {uploads.length > 0 && (
        <ul class="uploads">
          {uploads.map((u) => (
            <li key={u.id} class={u.error ? 'upload-failed' : ''}>
              {u.error ? (
                <p class="field-error" role="alert">
                  {t('uploadFailed', { name: u.name, message: u.error })}
                </p>
              ) : (
                <>
                  <span class="upload-name">
                    {t('uploading', { name: u.name, pct: Math.round(u.progress * 100) })}
                  </span>
                  <progress max={1} value={u.progress} aria-label={u.name} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
