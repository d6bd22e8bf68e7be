/**
 * The playground: a question as a visitor would ask it -> the answer the chosen bot would give (a dry
 * run, POST /v1/bots/:b/playground), whether it declines, its confidence against the threshold in use,
 * whether a rule would hand the conversation to a person (POST .../escalation-rules/test), and the
 * passages it weighed. The threshold can be tried here, then saved as the bot's own (PATCH the bot),
 * after which the bot's answer tests run and show what changed.
 */
import { useEffect, useId, useState } from 'preact/hooks'
import type { RuleTestResult } from '../../../../contract'
import type { AnswerTestRunResult, PlaygroundResult } from '../../../../contract'
import { api, ApiError } from '../../api'
import { ConfirmDialog } from '../../components/confirm-dialog'
import { formatScore, useLocale, useT } from '../../i18n'
import { pageHref } from '../../router'
import { strings } from './strings'
import { BotOptions } from '../../components/bot-options'

export type Decision =
  | { kind: 'escalate'; rule: string | null; reason: string }
  | { kind: 'decline'; best: number; threshold: number }
  | { kind: 'answer'; best: number; threshold: number }

/** What the assistant would do: a rule (or asking for a person) first, then the bot's own answer. */
export function decide(play: PlaygroundResult, rules: RuleTestResult | null): Decision {
  if (rules?.fired) return { kind: 'escalate', rule: rules.fired.name, reason: rules.fired.reason }
  if (rules?.human_request) return { kind: 'escalate', rule: null, reason: rules.human_request }
  const r = { best: play.confidence, threshold: play.threshold }
  return play.declined ? { kind: 'decline', ...r } : { kind: 'answer', ...r }
}

/** A threshold typed or slid: within 0..1 on the API's 0.005 steps, else null. */
export function parseThreshold(raw: string): number | null {
  const v = Number(raw.replace(',', '.'))
  if (raw.trim() === '' || !Number.isFinite(v) || v < 0 || v > 1) return null
  return Math.round(v * 1000) / 1000
}

type Bot = { id: string; name: string; min_confidence: number | null }

export function Playground({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const locale = useLocale()
  const ids = useId()
  const [bots, setBots] = useState<Bot[] | null>(null)
  const [botId, setBotId] = useState('')
  const [question, setQuestion] = useState('')
  const [result, setResult] = useState<{
    question: string
    play: PlaygroundResult
    rules: RuleTestResult | null
    /** The answer was made at a tried threshold, not the bot's own. */
    trial: boolean
  } | null>(null)
  /** The bot's own threshold in use (known from an answer made without a tried one). */
  const [botThreshold, setBotThreshold] = useState<number | null>(null)
  const [trial, setTrial] = useState('')
  const [confirm, setConfirm] = useState<{ to: number | null } | null>(null)
  const [saved, setSaved] = useState<{ from: number; to: number; run: AnswerTestRunResult | null } | null>(
    null,
  )
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const n = (v: number) => formatScore(v, locale)
  const t3 = (v: number) =>
    new Intl.NumberFormat(locale, { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(v)

  useEffect(() => {
    api
      .botThresholds(tenantId)
      .then((r) => {
        setBots(r.bots)
        setBotId((id) => id || r.bots[0]?.id || '')
      })
      .catch((err) => setError(err instanceof ApiError ? err.message : String(err)))
  }, [tenantId])

  const bot = bots?.find((b) => b.id === botId) ?? null
  const tried = parseThreshold(trial)

  const run = async (q: string, minConfidence?: number) => {
    const [play, rules] = await Promise.all([
      api.playground(botId, q, minConfidence),
      api.testRules(tenantId, q, {}).catch(() => null),
    ])
    setResult({ question: q, play, rules, trial: minConfidence !== undefined })
    if (minConfidence === undefined) {
      setBotThreshold(play.threshold)
      setTrial(String(play.threshold))
    }
    return play
  }

  const guard = async (fn: () => Promise<unknown>) => {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }

  const ask = (e: Event) => {
    e.preventDefault()
    const q = question.trim()
    if (!q || !botId) return
    void guard(() => run(q))
  }

  const tryThreshold = () => {
    if (!result || tried === null) return
    void guard(() => run(result.question, tried))
  }

  /** PATCH the bot, ask again at its new threshold, then run its answer tests. */
  const save = async (to: number | null) => {
    const from = botThreshold ?? 0
    const r = await api.setBotThreshold(botId, to)
    setBots(
      (list) =>
        list?.map((b) => (b.id === botId ? { ...b, min_confidence: r.bot.min_confidence } : b)) ?? null,
    )
    const q = result?.question
    let now = to ?? from
    if (q) now = (await run(q)).threshold
    setSaved({ from, to: now, run: null })
    const tests = await api.runAnswerTests(botId).catch(() => null)
    setSaved({ from, to: now, run: tests })
  }

  const decision = result ? decide(result.play, result.rules) : null
  const questionOf = (id: string) => saved?.run?.results.find((x) => x.test_id === id)?.question ?? id
  const onBot = (id: string) => {
    setBotId(id)
    setResult(null)
    setSaved(null)
    setBotThreshold(null)
    setTrial('')
  }
  return (
    <section aria-labelledby="play-title">
      <form class="settings-card" onSubmit={ask}>
        <h2 id="play-title">{t('playTitle')}</h2>
        <p class="muted">{t('playHint')}</p>
        <div class="inline-form">
          {bots && bots.length > 1 && (
            <label class="form-field">
              <span class="form-label">{t('playBot')}</span>
              <select value={botId} onChange={(e) => onBot(e.currentTarget.value)}>
                <BotOptions bots={bots} />
              </select>
            </label>
          )}
          <label class="form-field grow">
            <span class="form-label">{t('playQuestion')}</span>
            <input
              type="text"
              maxLength={4000}
              value={question}
              onInput={(e) => setQuestion(e.currentTarget.value)}
            />
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy || !botId || !question.trim()}>
            {t('playAsk')}
          </button>
        </div>
        {bots && bots.length === 0 && <p class="muted">{t('playNoBot')}</p>}
        {error && (
          <p class="pane-error" role="alert">
            {error}
          </p>
        )}
      </form>
      {result && decision && (
        <div aria-live="polite">
          <div class={`settings-card decision decision-${decision.kind}`}>
            <h2>{t('decision')}</h2>
            <p class="decision-verdict">
              {decision.kind === 'escalate'
                ? t('decideEscalate')
                : decision.kind === 'decline'
                  ? t('decideDecline')
                  : t('decideAnswer')}
            </p>
            <p class="muted">
              {decision.kind === 'escalate'
                ? decision.rule
                  ? t('decideEscalateRule', { rule: decision.rule, reason: decision.reason })
                  : t('decideEscalateHuman', { phrase: decision.reason })
                : t(decision.kind === 'decline' ? 'decideDeclineWhy' : 'decideAnswerWhy', {
                    best: t3(decision.best),
                    min: t3(decision.threshold),
                  })}
            </p>
            <p class="form-hint">
              {result.trial
                ? t('thresholdTried', { value: t3(result.play.threshold) })
                : t('thresholdBot', { value: t3(result.play.threshold) })}
            </p>
            <h3>{t('answerTitle')}</h3>
            <p class="answer-preview" data-testid="play-answer">
              {result.play.answer}
            </p>
            {result.play.sources.length > 0 && (
              <ol class="form-hint" aria-label={t('answerSources')}>
                {result.play.sources.map((src) => (
                  <li key={src.id}>
                    {src.title}
                    {src.url && <> · {src.url}</>}
                  </li>
                ))}
              </ol>
            )}
            {!result.play.declined && (
              <p class="form-hint">
                {t('answerModel', { model: result.play.model, language: result.play.language })}
              </p>
            )}
          </div>

          <div class="settings-card" role="group" aria-labelledby={`${ids}-th`}>
            <h2 id={`${ids}-th`}>{t('thresholdTitle')}</h2>
            <p class="muted">{t('thresholdHint')}</p>
            <div class="inline-form">
              <label class="form-field grow">
                <span class="form-label">{t('thresholdSlider')}</span>
                <input
                  type="range"
                  min={0}
                  max={1}
                  step={0.005}
                  value={tried ?? botThreshold ?? 0}
                  aria-valuetext={tried === null ? undefined : t3(tried)}
                  onInput={(e) => setTrial(e.currentTarget.value)}
                />
              </label>
              <label class="form-field">
                <span class="form-label">{t('thresholdValue')}</span>
                <input
                  type="number"
                  min={0}
                  max={1}
                  step={0.005}
                  value={trial}
                  aria-invalid={tried === null}
                  aria-describedby={tried === null ? `${ids}-bad` : undefined}
                  onInput={(e) => setTrial(e.currentTarget.value)}
                />
              </label>
              <button type="button" class="btn" disabled={busy || tried === null} onClick={tryThreshold}>
                {t('thresholdTry')}
              </button>
            </div>
            {tried === null && (
              <p class="field-error" id={`${ids}-bad`}>
                {t('thresholdInvalid')}
              </p>
            )}
            <div class="inline-form">
              <button
                type="button"
                class="btn btn-primary"
                disabled={busy || tried === null || tried === botThreshold}
                onClick={() => setConfirm({ to: tried })}
              >
                {t('thresholdSave')}
              </button>
              <button
                type="button"
                class="btn"
                disabled={busy || bot?.min_confidence == null}
                onClick={() => setConfirm({ to: null })}
              >
                {t('thresholdReset')}
              </button>
            </div>
            {saved && (
              <div role="status">
                <p>{t('thresholdSaved', { from: t3(saved.from), to: t3(saved.to) })}</p>
                {saved.run === null ? (
                  <p class="muted">{t('testsRunning')}</p>
                ) : saved.run.results.length === 0 ? (
                  <p class="muted">{t('testsNone')}</p>
                ) : (
                  <>
                    <p>{t('testsResult', { passed: saved.run.passed, failed: saved.run.failed })}</p>
                    {(saved.run.changes.newly_failing ?? []).length > 0 && (
                      <>
                        <h3>{t('testsNewlyFailing')}</h3>
                        <ul>
                          {saved.run.changes.newly_failing!.map((id) => (
                            <li key={id}>{questionOf(id)}</li>
                          ))}
                        </ul>
                      </>
                    )}
                    {(saved.run.changes.newly_passing ?? []).length > 0 && (
                      <>
                        <h3>{t('testsNewlyPassing')}</h3>
                        <ul>
                          {saved.run.changes.newly_passing!.map((id) => (
                            <li key={id}>{questionOf(id)}</li>
                          ))}
                        </ul>
                      </>
                    )}
                  </>
                )}
                <p>
                  <a href={pageHref('feedback')}>{t('testsLink')}</a>
                </p>
              </div>
            )}
          </div>

          <h2>{t('playPassages')}</h2>
          {result.play.passages.length === 0 ? (
            <p class="muted">{t('playNone')}</p>
          ) : (
            <ol class="item-list passages" aria-label={t('playPassages')}>
              {result.play.passages.map((p) => (
                <li key={p.chunk_id}>
                  <div class="item-main">
                    <div class="item-title">
                      {p.source.title ?? p.source.url ?? t(`kind.${p.source.kind}` as 'kind.document')}
                      {p.source.url && p.source.title && <span class="muted"> · {p.source.url}</span>}
                    </div>
                    <p class="passage-text">{p.snippet}</p>
                    <div class="item-meta">
                      <span class="pill">{t(`kind.${p.source.kind}` as 'kind.document')}</span>{' '}
                      {p.cited && <span class="pill pill-ok">{t('cited')}</span>}{' '}
                      {t('scoresDetail', {
                        coverage: n(p.coverage),
                        retrieval: n(p.retrieval),
                        missing: p.missing,
                      })}
                    </div>
                  </div>
                  <span class={`pill ${p.score >= result.play.threshold ? 'pill-ok' : 'pill-warn'}`}>
                    {t('score', { value: t3(p.score) })}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
      {confirm && (
        <ConfirmDialog
          title={t('thresholdConfirmTitle', { bot: bot?.name ?? '' })}
          confirmLabel={confirm.to === null ? t('thresholdReset') : t('thresholdSave')}
          onConfirm={() => save(confirm.to)}
          onClose={() => setConfirm(null)}
        >
          <p>
            {t('thresholdConfirmBody', {
              from: botThreshold === null ? '–' : t3(botThreshold),
              to: confirm.to === null ? t('thresholdDefault') : t3(confirm.to),
            })}
          </p>
        </ConfirmDialog>
      )}
    </section>
  )
}
