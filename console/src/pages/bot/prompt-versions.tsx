/**
 * The prompt versions of one type: a new-version form, the history (newest first) with one-click
 * activation (a rollback when the version is older than the active one), and a line diff between
 * two versions.
 */
import { useEffect, useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { EmptyState } from '../../components/empty-state'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { fullTime as formatTime } from '../../time'
import { botApi, type PromptType, type PromptVersion } from './api'
import { lineDiff } from './diff'
import { strings } from './strings'

export const PROMPT_TYPES: PromptType[] = ['principal', 'triagem', 'think']

export function PromptVersions({ botId, onChanged }: { botId: string; onChanged: () => void }) {
  const t = useT(strings)
  const [type, setType] = useState<PromptType>('principal')
  return (
    <section class="settings-card" aria-labelledby="bot-prompts">
      <h2 id="bot-prompts">{t('prompts')}</h2>
      <p class="muted">{t('promptsHint')}</p>
      <div class="page-tabs" role="tablist">
        {PROMPT_TYPES.map((p) => (
          <button
            key={p}
            type="button"
            role="tab"
            class="page-tab"
            aria-selected={p === type}
            onClick={() => setType(p)}
          >
            {t(`type.${p}`)}
          </button>
        ))}
      </div>
      <TypeVersions key={botId + type} botId={botId} type={type} onChanged={onChanged} />
    </section>
  )
}

function TypeVersions({
  botId,
  type,
  onChanged,
}: {
  botId: string
  type: PromptType
  onChanged: () => void
}) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [versions, setVersions] = useState<PromptVersion[] | null>(null)
  const [fallback, setFallback] = useState('')
  const [loadError, setLoadError] = useState<string | null>(null)
  const [reload, setReload] = useState(0)
  const [compare, setCompare] = useState<{ a: string; b: string } | null>(null)
  const [busyId, setBusyId] = useState<string | null>(null)

  useEffect(() => {
    let stale = false
    botApi
      .prompts(botId, type)
      .then((res) => {
        if (stale) return
        setVersions(res.prompts)
        setFallback(res.defaults[type])
      })
      .catch((err) => !stale && setLoadError(err instanceof ApiError ? err.message : String(err)))
    return () => {
      stale = true
    }
  }, [botId, type, reload])

  const active = versions?.find((v) => v.is_active) ?? null
  const activate = async (v: PromptVersion) => {
    setBusyId(v.id)
    try {
      await botApi.activate(botId, v.id)
      toast(t('activated', { n: v.version }))
      setReload((r) => r + 1)
      onChanged()
    } catch (err) {
      toast(err instanceof ApiError ? err.message : c('saveFailed'), 'error')
    } finally {
      setBusyId(null)
    }
  }

  if (loadError) return <p class="pane-error">{loadError}</p>
  if (!versions) return <p class="muted">{c('loading')}</p>
  const byId = (id: string) => versions.find((v) => v.id === id)!
  return (
    <div class="prompt-type">
      <NewVersion
        botId={botId}
        type={type}
        initial={active?.content ?? fallback}
        onSaved={(v) => {
          toast(t('versionSaved', { n: v.version }))
          setReload((r) => r + 1)
          onChanged()
        }}
      />
      <h3>{t('history')}</h3>
      {versions.length === 0 ? (
        <EmptyState title={t('noVersions')}>
          <span class="muted">{t('defaultPrompt')}</span>
          <pre class="prompt-text">{fallback}</pre>
        </EmptyState>
      ) : (
        <ul class="item-list prompt-history" aria-label={t('history')}>
          {versions.map((v) => (
            <li key={v.id} class={v.is_active ? 'prompt-active' : undefined}>
              <div class="item-main">
                <p class="item-title">
                  <strong>{t('version', { n: v.version })}</strong>{' '}
                  {v.is_active && <span class="pill pill-ok">{t('active')}</span>}{' '}
                  <span>{v.description}</span>
                </p>
                <p class="item-meta muted">{formatTime(v.created_at)}</p>
              </div>
              <div class="item-actions">
                {versions.length > 1 && (
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() => {
                      const other =
                        versions.find((o) => o.id !== v.id && o.is_active) ??
                        versions.find((o) => o.id !== v.id)!
                      setCompare({ a: v.id, b: other.id })
                    }}
                  >
                    {t('compare')}
                  </button>
                )}
                {!v.is_active && (
                  <button
                    type="button"
                    class="btn btn-small btn-primary"
                    disabled={busyId !== null}
                    onClick={() => activate(v)}
                  >
                    {active && v.version < active.version ? t('rollback', { n: v.version }) : t('activate')}
                  </button>
                )}
              </div>
            </li>
          ))}
        </ul>
      )}
      {compare && (
        <VersionDiff
          versions={versions}
          older={byId(compare.a).version <= byId(compare.b).version ? byId(compare.a) : byId(compare.b)}
          newer={byId(compare.a).version <= byId(compare.b).version ? byId(compare.b) : byId(compare.a)}
          onPick={(a, b) => setCompare({ a, b })}
          onClose={() => setCompare(null)}
        />
      )}
    </div>
  )
}

function NewVersion({
  botId,
  type,
  initial,
  onSaved,
}: {
  botId: string
  type: PromptType
  initial: string
  onSaved: (v: PromptVersion) => void
}) {
  const t = useT(strings)
  const c = useT(common)
  const [content, setContent] = useState(initial)
  const [description, setDescription] = useState('')
  const [activate, setActivate] = useState(true)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => setContent(initial), [initial])
  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      const { prompt } = await botApi.createPrompt(botId, {
        prompt_type: type,
        content,
        description,
        activate,
      })
      setDescription('')
      onSaved(prompt)
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form class="prompt-new" onSubmit={submit} aria-label={t('newVersion')}>
      <FormError message={unclaimed(error, ['content', 'description', 'prompt_type'])} />
      <Field label={t('content')} error={messageFor(error, 'content')}>
        {(p) => (
          <textarea {...p} rows={8} value={content} onInput={(e) => setContent(e.currentTarget.value)} />
        )}
      </Field>
      <div class="form-row">
        <Field label={t('description')} error={messageFor(error, 'description')}>
          {(p) => (
            <input
              {...p}
              type="text"
              value={description}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
          )}
        </Field>
      </div>
      <div class="form-actions">
        <label class="check">
          <input type="checkbox" checked={activate} onChange={(e) => setActivate(e.currentTarget.checked)} />{' '}
          {t('activateOnSave')}
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? c('saving') : t('saveVersion')}
        </button>
      </div>
    </form>
  )
}

function VersionDiff({
  versions,
  older,
  newer,
  onPick,
  onClose,
}: {
  versions: PromptVersion[]
  older: PromptVersion
  newer: PromptVersion
  onPick: (a: string, b: string) => void
  onClose: () => void
}) {
  const t = useT(strings)
  const c = useT(common)
  const lines = lineDiff(older.content, newer.content)
  const changed = lines.some((l) => l.kind !== 'same')
  return (
    <section class="prompt-diff" aria-label={t('diffTitle', { a: older.version, b: newer.version })}>
      <div class="form-actions">
        <h3>{t('diffTitle', { a: older.version, b: newer.version })}</h3>
        <label>
          {t('compareWith', { a: newer.version })}{' '}
          <select value={older.id} onChange={(e) => onPick(newer.id, e.currentTarget.value)}>
            {versions
              .filter((v) => v.id !== newer.id)
              .map((v) => (
                <option key={v.id} value={v.id}>
                  {t('version', { n: v.version })}
                </option>
              ))}
          </select>
        </label>
        <button type="button" class="btn btn-small btn-ghost" onClick={onClose}>
          {c('close')}
        </button>
      </div>
      {changed ? (
        <pre class="diff">
          {lines.map((l, i) => (
            <div key={i} class={`diff-${l.kind}`}>
              <span aria-hidden="true">{l.kind === 'add' ? '+ ' : l.kind === 'del' ? '- ' : '  '}</span>
              {l.kind === 'add' ? <ins>{l.text}</ins> : l.kind === 'del' ? <del>{l.text}</del> : l.text}
            </div>
          ))}
        </pre>
      ) : (
        <p class="muted">{t('noChanges')}</p>
      )}
    </section>
  )
}
