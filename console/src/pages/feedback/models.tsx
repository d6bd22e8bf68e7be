/**
 * The Feedback page's Models section: the tenant's model versions (status, bot, active, metrics),
 * a form to register one, a side-by-side run of a bot's answer tests with two versions, and the
 * applied improvements as a fine-tuning file. Owners and admins write; members read.
 */
import { useEffect, useState } from 'preact/hooks'
import type { AnswerTestRunResult, ModelVersion } from '../../../../contract'
import { ApiError } from '../../api'
import { EmptyState } from '../../components/empty-state'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { feedbackApi, type ModelVersionPatch } from './api'
import { modelStrings as strings } from './strings'
import './models.css'
import { BotOptions } from '../../components/bot-options'

type Bot = { id: string; name: string }
const STATUSES: ModelVersion['status'][] = ['training', 'ready', 'deprecated']
const label = (m: ModelVersion) => `${m.model_name} · ${m.version}`
const errText = (err: unknown) => (err instanceof ApiError ? err.message : String(err))

export function Models({ tenantId, bots, writer }: { tenantId: string; bots: Bot[]; writer: boolean }) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [models, setModels] = useState<ModelVersion[] | null>(null)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let stale = false
    feedbackApi
      .models(tenantId)
      .then((r) => !stale && setModels(r.model_versions))
      .catch(() => !stale && setModels([]))
    return () => {
      stale = true
    }
  }, [tenantId, tick])
  const botName = (id: string | null) => (id ? (bots.find((b) => b.id === id)?.name ?? id) : null)
  const patch = async (m: ModelVersion, body: ModelVersionPatch, done?: string) => {
    try {
      await feedbackApi.patchModel(tenantId, m.id, body)
      if (done) toast(done)
    } catch (err) {
      toast(errText(err), 'error')
    } finally {
      setTick((n) => n + 1)
    }
  }
  const download = async () => {
    try {
      await feedbackApi.fineTuningFile(tenantId)
    } catch (err) {
      toast(errText(err), 'error')
    }
  }
  return (
    <section class="settings-card models" aria-labelledby="models">
      <div class="page-head">
        <h2 id="models">{t('models')}</h2>
        {writer && (
          <button type="button" class="btn" title={t('downloadHint')} onClick={() => void download()}>
            {t('download')}
          </button>
        )}
      </div>
      <p class="muted">{t('modelsIntro')}</p>
      {models === null && <p class="muted">{c('loading')}</p>}
      {models?.length === 0 && (
        <EmptyState title={t('noModels')}>{writer ? t('noModelsBody') : null}</EmptyState>
      )}
      {models && models.length > 0 && (
        <ul class="item-list model-list" aria-label={t('models')}>
          {models.map((m) => (
            <ModelRow
              key={m.id}
              m={m}
              bots={bots}
              botName={botName(m.bot_id)}
              writer={writer}
              onPatch={(body, done) => void patch(m, body, done)}
            />
          ))}
        </ul>
      )}
      {writer && bots.length > 0 && models && models.length > 1 && (
        <Compare models={models} bots={bots} tenantId={tenantId} onStored={() => setTick((n) => n + 1)} />
      )}
      {writer && <Register tenantId={tenantId} bots={bots} onAdded={() => setTick((n) => n + 1)} />}
    </section>
  )
}

function ModelRow({
  m,
  bots,
  botName,
  writer,
  onPatch,
}: {
  m: ModelVersion
  bots: Bot[]
  botName: string | null
  writer: boolean
  onPatch: (body: ModelVersionPatch, done?: string) => void
}) {
  const t = useT(strings)
  const name = label(m)
  const rate = typeof m.metrics.pass_rate === 'number' ? m.metrics.pass_rate : null
  const others = Object.entries(m.metrics).filter(([k]) => k !== 'pass_rate' && k !== 'pass_rate_at')
  const canActivate = m.status === 'ready' && !!m.bot_id
  return (
    <li data-model={m.id}>
      <div class="item-main">
        <p class="item-title">
          {name}{' '}
          <span
            class={`pill ${m.status === 'ready' ? 'pill-ok' : m.status === 'training' ? 'pill-warn' : ''}`}
          >
            {t(`status.${m.status}`)}
          </span>{' '}
          {m.is_active && <span class="pill pill-ok">{t('active')}</span>}
        </p>
        <p class="item-meta muted">
          {[`${t('baseModel')}: ${m.base_model}`, `${t('bot')}: ${botName ?? t('noBot')}`].join(' · ')}
        </p>
        {(rate !== null || others.length > 0) && (
          <p class="item-meta">
            {[
              rate !== null
                ? t('passRate', {
                    rate: `${Math.round(rate * 100)}%`,
                    date:
                      typeof m.metrics.pass_rate_at === 'string'
                        ? new Date(m.metrics.pass_rate_at).toLocaleDateString()
                        : '—',
                  })
                : null,
              ...others.map(([k, v]) => `${k}: ${String(v)}`),
            ]
              .filter(Boolean)
              .join(' · ')}
          </p>
        )}
      </div>
      {writer && (
        <div class="item-actions model-actions">
          <label class="inline-field">
            <span class="sr-only">{t('statusOf', { name })}</span>
            <select
              value={m.status}
              onChange={(e) => onPatch({ status: e.currentTarget.value as ModelVersion['status'] })}
            >
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label class="inline-field">
            <span class="sr-only">{t('botOf', { name })}</span>
            <select
              value={m.bot_id ?? ''}
              onChange={(e) => onPatch({ bot_id: e.currentTarget.value || null })}
            >
              <option value="">{t('noBot')}</option>
              <BotOptions bots={bots} />
            </select>
          </label>
          {m.is_active ? (
            <button
              type="button"
              class="btn btn-small"
              aria-label={`${t('deactivate')}: ${name}`}
              onClick={() => onPatch({ is_active: false }, t('deactivated', { bot: botName ?? '' }))}
            >
              {t('deactivate')}
            </button>
          ) : (
            <button
              type="button"
              class="btn btn-small btn-primary"
              aria-label={`${t('activate')}: ${name}`}
              title={canActivate ? undefined : t('needsReady')}
              disabled={!canActivate}
              onClick={() => onPatch({ is_active: true }, t('activated', { name, bot: botName ?? '' }))}
            >
              {t('activate')}
            </button>
          )}
        </div>
      )}
    </li>
  )
}

function Register({ tenantId, bots, onAdded }: { tenantId: string; bots: Bot[]; onAdded: () => void }) {
  const t = useT(strings)
  const toast = useToast()
  const empty = { model_name: '', base_model: '', version: '', bot_id: '', status: 'training' }
  const [form, setForm] = useState(empty)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  const set = (k: keyof typeof empty) => (e: Event) =>
    setForm((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }))
  const submit = async (e: Event) => {
    e.preventDefault()
    setError(null)
    setBusy(true)
    try {
      await feedbackApi.addModel(tenantId, {
        model_name: form.model_name,
        base_model: form.base_model,
        version: form.version,
        status: form.status as ModelVersion['status'],
        ...(form.bot_id ? { bot_id: form.bot_id } : {}),
      })
      // The next version is most often of the same base model and bot.
      setForm((f) => ({ ...empty, base_model: f.base_model, bot_id: f.bot_id }))
      toast(t('registered'))
      onAdded()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  const fields = ['model_name', 'base_model', 'version', 'bot_id', 'status']
  return (
    <form class="add-test model-form" onSubmit={submit} aria-labelledby="register-model" noValidate>
      <h3 id="register-model">{t('register')}</h3>
      <div class="model-form-grid">
        <Field label={t('modelName')} hint={t('modelNameHint')} error={messageFor(error, 'model_name')}>
          {(p) => <input {...p} value={form.model_name} onInput={set('model_name')} maxLength={100} />}
        </Field>
        <Field label={t('baseModel')} error={messageFor(error, 'base_model')}>
          {(p) => <input {...p} value={form.base_model} onInput={set('base_model')} maxLength={100} />}
        </Field>
        <Field label={t('version')} error={messageFor(error, 'version')}>
          {(p) => <input {...p} value={form.version} onInput={set('version')} maxLength={50} />}
        </Field>
        <Field label={t('bot')} error={messageFor(error, 'bot_id')}>
          {(p) => (
            <select {...p} value={form.bot_id} onChange={set('bot_id')}>
              <option value="">{t('noBot')}</option>
              <BotOptions bots={bots} />
            </select>
          )}
        </Field>
        <Field label={t('status')} error={messageFor(error, 'status')}>
          {(p) => (
            <select {...p} value={form.status} onChange={set('status')}>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
      </div>
      <FormError message={unclaimed(error, fields)} />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={busy}>
          {t('register')}
        </button>
      </div>
    </form>
  )
}

/**
 * Two versions on one bot's answer tests, side by side. Each version's pass rate is kept in its
 * metrics (`pass_rate` 0..1, `pass_rate_at`) so the list shows the last one.
 */
function Compare({
  tenantId,
  models,
  bots,
  onStored,
}: {
  tenantId: string
  models: ModelVersion[]
  bots: Bot[]
  onStored: () => void
}) {
  const t = useT(strings)
  const [bot, setBot] = useState(bots[0]!.id)
  const [a, setA] = useState('')
  const [b, setB] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [result, setResult] = useState<{ a: ModelVersion; b: ModelVersion; run: AnswerTestRunResult } | null>(
    null,
  )
  const byId = (id: string) => models.find((m) => m.id === id)
  const run = async (e: Event) => {
    e.preventDefault()
    setError(null)
    const ma = byId(a)
    const mb = byId(b)
    if (!ma || !mb || a === b) {
      setError(t('compareSame'))
      return
    }
    setBusy(true)
    try {
      const r = await feedbackApi.compareModels(bot, a, b)
      setResult({ a: ma, b: mb, run: r })
      if (r.results.length) {
        const at = new Date().toISOString()
        const n = r.results.length
        const pb = r.results.filter((x) => x.compare?.passed).length
        await Promise.all([
          feedbackApi.patchModel(tenantId, ma.id, {
            metrics: { ...ma.metrics, pass_rate: r.passed / n, pass_rate_at: at },
          }),
          feedbackApi.patchModel(tenantId, mb.id, {
            metrics: { ...mb.metrics, pass_rate: pb / n, pass_rate_at: at },
          }),
        ]).catch(() => {})
        onStored()
      }
    } catch (err) {
      setError(errText(err))
    } finally {
      setBusy(false)
    }
  }
  const pill = (passed: boolean | undefined) =>
    passed === undefined ? (
      '—'
    ) : (
      <span class={`pill ${passed ? 'pill-ok' : 'pill-danger'}`}>{passed ? t('passed') : t('failed')}</span>
    )
  const choices = (value: string, onChange: (v: string) => void, text: string) => (
    <label class="form-field">
      <span class="form-label">{text}</span>
      <select value={value} onChange={(e) => onChange(e.currentTarget.value)}>
        <option value="">{t('choose')}</option>
        {models.map((m) => (
          <option key={m.id} value={m.id}>
            {label(m)}
          </option>
        ))}
      </select>
    </label>
  )
  return (
    <form class="add-test model-compare" onSubmit={run} aria-labelledby="compare-models">
      <h3 id="compare-models">{t('compare')}</h3>
      <p class="muted">{t('compareIntro')}</p>
      <div class="model-form-grid">
        <label class="form-field">
          <span class="form-label">{t('bot')}</span>
          <select value={bot} onChange={(e) => setBot(e.currentTarget.value)}>
            {bots.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </label>
        {choices(a, setA, t('first'))}
        {choices(b, setB, t('second'))}
      </div>
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      <div class="form-actions">
        <button type="submit" class="btn" disabled={busy}>
          {busy ? t('comparing') : t('compareRun')}
        </button>
      </div>
      <div role="status">
        {result && result.run.results.length === 0 && <p class="muted">{t('noTestsToCompare')}</p>}
        {result && result.run.results.length > 0 && (
          <>
            <p>
              {t('compareResult', {
                a: label(result.a),
                b: label(result.b),
                n: result.run.results.length,
                pa: result.run.passed,
                pb: result.run.results.filter((x) => x.compare?.passed).length,
              })}
            </p>
            <div class="table-scroll">
              <table class="compare-table">
                <thead>
                  <tr>
                    <th scope="col">{t('testQuestion')}</th>
                    <th scope="col">{label(result.a)}</th>
                    <th scope="col">{label(result.b)}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.run.results.map((r) => (
                    <tr key={r.test_id} data-test={r.test_id}>
                      <th scope="row">{r.question}</th>
                      <td title={r.reasons.join(' ') || undefined}>{pill(r.passed)}</td>
                      <td title={r.compare?.reasons.join(' ') || undefined}>{pill(r.compare?.passed)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </>
        )}
      </div>
    </form>
  )
}
