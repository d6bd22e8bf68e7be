/** A bot's answer tests: the list, a form to add one, a run now, and what changed since the last run. */
import { useEffect, useState } from 'preact/hooks'
import type { AnswerTest, AnswerTestRun } from '../../../../contract'
import { ApiError } from '../../api'
import { EmptyState } from '../../components/empty-state'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { feedbackApi } from './api'
import { strings } from './strings'

export function AnswerTests({ botId, reload }: { botId: string; reload: number }) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [tests, setTests] = useState<AnswerTest[] | null>(null)
  const [runs, setRuns] = useState<AnswerTestRun[]>([])
  const [busy, setBusy] = useState(false)
  const [tick, setTick] = useState(0)
  useEffect(() => {
    let stale = false
    feedbackApi
      .tests(botId)
      .then((r) => {
        if (stale) return
        setTests(r.tests)
        setRuns(r.runs)
      })
      .catch(() => !stale && setTests([]))
    return () => {
      stale = true
    }
  }, [botId, reload, tick])
  const run = async () => {
    setBusy(true)
    try {
      await feedbackApi.runTests(botId)
    } catch (err) {
      toast(err instanceof ApiError ? err.message : String(err), 'error')
    } finally {
      setBusy(false)
      setTick((x) => x + 1)
    }
  }
  const last = runs.find((r) => r.status === 'done')
  const pending = runs.some((r) => r.status === 'pending' || r.status === 'running')
  // A queued run (after a change) finishes in the background: look again until it has.
  useEffect(() => {
    if (!pending) return
    const timer = setTimeout(() => setTick((n) => n + 1), 2000)
    return () => clearTimeout(timer)
  }, [pending, runs])
  const resultOf = (id: string) => last?.results.find((r) => r.test_id === id)
  const byId = new Map((tests ?? []).map((x) => [x.id, x]))
  const list = (ids: string[] | undefined) => (ids ?? []).map((id) => byId.get(id)?.question ?? id)
  return (
    <section class="settings-card answer-tests" aria-labelledby="answer-tests">
      <div class="page-head">
        <h2 id="answer-tests">{t('tests')}</h2>
        <button type="button" class="btn" disabled={busy || !tests?.length} onClick={() => void run()}>
          {busy ? t('running') : t('run')}
        </button>
      </div>
      <p class="muted">{t('testsIntro')}</p>
      {pending && <p class="muted">{t('queued')}</p>}
      {last && (
        <div class="test-run" role="status">
          <p>
            {t('lastRun', {
              trigger: t(`trigger.${last.trigger}`),
              when: new Date(last.finished_at ?? last.created_at).toLocaleString(),
              passed: last.passed,
              failed: last.failed,
            })}
          </p>
          {!!last.changes.newly_failing?.length && (
            <p class="pane-error">
              {t('newlyFailing')}: {list(last.changes.newly_failing).join(' · ')}
            </p>
          )}
          {!!last.changes.newly_passing?.length && (
            <p>
              {t('newlyPassing')}: {list(last.changes.newly_passing).join(' · ')}
            </p>
          )}
        </div>
      )}
      {tests === null && <p class="muted">{c('loading')}</p>}
      {tests?.length === 0 && <EmptyState title={t('noTests')}>{t('noTestsBody')}</EmptyState>}
      {tests && tests.length > 0 && (
        <ul class="item-list" aria-label={t('tests')}>
          {tests.map((x) => {
            const r = resultOf(x.id)
            return (
              <li key={x.id} data-test={x.id}>
                <div class="item-main">
                  <p class="item-title">
                    {r && (
                      <span class={`pill ${r.passed ? 'pill-ok' : 'pill-danger'}`}>
                        {r.passed ? t('passed') : t('failed')}
                      </span>
                    )}{' '}
                    {x.question}
                  </p>
                  <p class="item-meta muted">
                    {[
                      x.expect.contains?.length ? `${t('contains')}: ${x.expect.contains.join(', ')}` : null,
                      x.expect.declines ? t('expectDeclines') : null,
                      x.expect.escalates ? t('expectEscalates') : null,
                      x.improvement_id ? t('fromImprovement') : null,
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </p>
                  {r && !r.passed && <p class="field-error">{r.reasons.join(' ')}</p>}
                </div>
                <div class="item-actions">
                  <button
                    type="button"
                    class="btn btn-small"
                    aria-label={`${c('delete')}: ${x.question}`}
                    onClick={async () => {
                      await feedbackApi.deleteTest(botId, x.id).catch(() => {})
                      setTick((n) => n + 1)
                    }}
                  >
                    {c('delete')}
                  </button>
                </div>
              </li>
            )
          })}
        </ul>
      )}
      <AddTest botId={botId} onAdded={() => setTick((n) => n + 1)} />
    </section>
  )
}

function AddTest({ botId, onAdded }: { botId: string; onAdded: () => void }) {
  const t = useT(strings)
  const c = useT(common)
  const [question, setQuestion] = useState('')
  const [contains, setContains] = useState('')
  const [declines, setDeclines] = useState(false)
  const [escalates, setEscalates] = useState(false)
  const [error, setError] = useState<unknown>(null)
  const submit = async (e: Event) => {
    e.preventDefault()
    setError(null)
    const words = contains
      .split(',')
      .map((w) => w.trim())
      .filter(Boolean)
    try {
      await feedbackApi.addTest(botId, {
        question,
        expect: {
          ...(words.length ? { contains: words } : {}),
          ...(declines ? { declines: true } : {}),
          ...(escalates ? { escalates: true } : {}),
        },
      })
      setQuestion('')
      setContains('')
      setDeclines(false)
      setEscalates(false)
      onAdded()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <form class="add-test" onSubmit={submit} aria-labelledby="add-test">
      <h3 id="add-test">{t('addTest')}</h3>
      <Field label={t('testQuestion')} error={messageFor(error, 'question')}>
        {(p) => (
          <input {...p} required value={question} onInput={(e) => setQuestion(e.currentTarget.value)} />
        )}
      </Field>
      <Field label={t('contains')} hint={t('containsHint')} error={messageFor(error, 'expect')}>
        {(p) => <input {...p} value={contains} onInput={(e) => setContains(e.currentTarget.value)} />}
      </Field>
      <label class="checkbox">
        <input type="checkbox" checked={declines} onChange={(e) => setDeclines(e.currentTarget.checked)} />{' '}
        {t('expectDeclines')}
      </label>
      <label class="checkbox">
        <input type="checkbox" checked={escalates} onChange={(e) => setEscalates(e.currentTarget.checked)} />{' '}
        {t('expectEscalates')}
      </label>
      <FormError message={unclaimed(error, ['question', 'expect'])} />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">
          {t('addTest')}
        </button>
        <span class="sr-only">{c('optional')}</span>
      </div>
    </form>
  )
}
