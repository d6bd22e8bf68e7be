/**
 * The playground: a question as a visitor would ask it -> the ranked passages with their scores and
 * sources (POST .../knowledge/search), whether a rule would hand the conversation to a person
 * (POST .../escalation-rules/test), and otherwise whether the assistant answers or declines (the
 * best passage's confidence against the answer threshold) with the passage it would quote.
 */
import { useState } from 'preact/hooks'
import type { RuleTestResult, SearchResult } from '../../../../contract'
import { api, ApiError } from '../../api'
import { formatScore, useLocale, useT } from '../../i18n'
import { strings } from './strings'

/**
 * RETRIEVAL_MIN_CONFIDENCE's default (api/src/config.ts). The API does not publish the deployment's
 * value; a deployment that changes it sees decisions made against this one.
 */
export const ANSWER_THRESHOLD = 0.3

export type Decision =
  | { kind: 'escalate'; rule: string | null; reason: string }
  | { kind: 'decline'; best: number }
  | { kind: 'answer'; best: number }

/** What the assistant would do: a rule (or asking for a person) first, then the confidence threshold. */
export function decide(search: SearchResult, rules: RuleTestResult | null): Decision {
  if (rules?.fired) return { kind: 'escalate', rule: rules.fired.name, reason: rules.fired.reason }
  if (rules?.human_request) return { kind: 'escalate', rule: null, reason: rules.human_request }
  const best = Math.max(0, ...search.passages.map((p) => p.confidence))
  return best < ANSWER_THRESHOLD ? { kind: 'decline', best } : { kind: 'answer', best }
}

/** The headings above a passage, unless they only repeat the source's title. */
const headings = (p: SearchResult['passages'][number]) => {
  const path = (p.source.heading_path ?? []).filter((h) => h !== p.source.title)
  return path.length ? path.join(' › ') : null
}

export function Playground({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const locale = useLocale()
  const [question, setQuestion] = useState('')
  const [result, setResult] = useState<{ search: SearchResult; rules: RuleTestResult | null } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)
  const n = (v: number) => formatScore(v, locale)

  const ask = async (e: Event) => {
    e.preventDefault()
    if (!question.trim()) return
    setBusy(true)
    setError(null)
    try {
      const [search, rules] = await Promise.all([
        api.search(tenantId, question.trim(), 5),
        api.testRules(tenantId, question.trim(), {}).catch(() => null),
      ])
      setResult({ search, rules })
    } catch (err) {
      setError(err instanceof ApiError ? err.message : String(err))
    } finally {
      setBusy(false)
    }
  }

  const decision = result ? decide(result.search, result.rules) : null
  const top = result?.search.passages.reduce<SearchResult['passages'][number] | null>(
    (a, b) => (!a || b.confidence > a.confidence ? b : a),
    null,
  )
  return (
    <section aria-labelledby="play-title">
      <form class="settings-card" onSubmit={ask}>
        <h2 id="play-title">{t('playTitle')}</h2>
        <p class="muted">{t('playHint')}</p>
        <div class="inline-form">
          <label class="form-field grow">
            <span class="form-label">{t('playQuestion')}</span>
            <input type="text" value={question} onInput={(e) => setQuestion(e.currentTarget.value)} />
          </label>
          <button type="submit" class="btn btn-primary" disabled={busy || !question.trim()}>
            {t('playAsk')}
          </button>
        </div>
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
                    best: n(decision.best),
                    min: n(ANSWER_THRESHOLD),
                  })}
            </p>
            {decision.kind === 'answer' && top && (
              <>
                <h3>{t('answerTitle')}</h3>
                <blockquote class="answer-preview">
                  {top.text.length > 600 ? top.text.slice(0, 600) + '…' : top.text}{' '}
                  <span class="muted">[1]</span>
                </blockquote>
                <p class="form-hint">
                  [1] {top.source.title}
                  {top.source.url && <> · {top.source.url}</>}
                </p>
                <p class="form-hint">{t('answerNote')}</p>
              </>
            )}
          </div>
          <h2>{t('playPassages')}</h2>
          <p class="form-hint">
            {t('took', {
              ms: result.search.took_ms,
              model: result.search.embedding_model,
              store: result.search.vector_store,
            })}
          </p>
          {result.search.passages.length === 0 ? (
            <p class="muted">{t('playNone')}</p>
          ) : (
            <ol class="item-list passages" aria-label={t('playPassages')}>
              {result.search.passages.map((p) => (
                <li key={p.chunk_id}>
                  <div class="item-main">
                    <div class="item-title">
                      {p.rank}. {p.source.title}
                      {p.source.page != null && (
                        <span class="muted"> · {t('page', { n: p.source.page })}</span>
                      )}
                      {headings(p) && <span class="muted"> · {headings(p)}</span>}
                    </div>
                    <p class="passage-text">{p.text.length > 400 ? p.text.slice(0, 400) + '…' : p.text}</p>
                    <div class="item-meta">
                      <span class="pill">{t(`kind.${p.source.kind}` as 'kind.document')}</span>{' '}
                      {t('scoresDetail', {
                        fused: n(p.scores.fused),
                        similarity: n(p.scores.similarity),
                        text: n(p.scores.text_rank),
                        coverage: n(p.scores.coverage),
                      })}
                    </div>
                  </div>
                  <span class={`pill ${p.confidence >= ANSWER_THRESHOLD ? 'pill-ok' : 'pill-warn'}`}>
                    {t('confidence', { value: n(p.confidence) })}
                  </span>
                </li>
              ))}
            </ol>
          )}
        </div>
      )}
    </section>
  )
}
