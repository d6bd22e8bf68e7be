/** The simulator: a message and a situation -> which rule fires, with the trace condition by condition. */
import { useState } from 'preact/hooks'
import type { RuleTestContext, RuleTestResult, Sentiment } from '../../../../contract'
import { api } from '../../api'
import { Field, FormError, messageFor, unclaimed } from '../../components/field'
import { RuleTraceView } from '../../components/rule-trace'
import { useT } from '../../i18n'
import { parseScalar } from './conditions'
import { strings } from './strings'

/** "plan=vip\nvip=true" -> {plan: "vip", vip: true}. */
export function parseAttributes(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const line of text.split('\n')) {
    const i = line.indexOf('=')
    if (i <= 0) continue
    out[line.slice(0, i).trim()] = parseScalar(line.slice(i + 1))
  }
  return out
}

export function Simulator({ tenantId }: { tenantId: string }) {
  const t = useT(strings)
  const [message, setMessage] = useState('')
  const [human, setHuman] = useState<'' | 'yes' | 'no'>('')
  const [count, setCount] = useState('')
  const [confidences, setConfidences] = useState('')
  const [sentiment, setSentiment] = useState<'' | Sentiment>('')
  const [intent, setIntent] = useState('')
  const [open, setOpen] = useState<'' | 'yes' | 'no'>('')
  const [pageUrl, setPageUrl] = useState('')
  const [attributes, setAttributes] = useState('')
  const [result, setResult] = useState<RuleTestResult | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)

  const run = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    const context: RuleTestContext = {}
    if (human) context.human_requested = human === 'yes'
    if (count.trim()) context.visitor_message_count = Number(count)
    const conf = confidences
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number)
    if (conf.length) context.recent_confidences = conf
    if (sentiment) context.sentiment = sentiment
    if (intent.trim()) context.intent = intent.trim()
    if (open) context.business_hours_open = open === 'yes'
    if (pageUrl.trim()) context.page_url = pageUrl.trim()
    const attrs = parseAttributes(attributes)
    if (Object.keys(attrs).length) context.attributes = attrs
    try {
      setResult(await api.testRules(tenantId, message, context))
    } catch (err) {
      setError(err)
      setResult(null)
    } finally {
      setBusy(false)
    }
  }

  const err = (f: string) => messageFor(error, `context.${f}`)
  return (
    <section class="settings-card" aria-labelledby="sim-title">
      <h2 id="sim-title">{t('simTitle')}</h2>
      <p class="muted">{t('simHint')}</p>
      <form onSubmit={run} noValidate>
        <Field label={t('simMessage')} error={messageFor(error, 'message')}>
          {(p) => (
            <textarea {...p} rows={2} value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
          )}
        </Field>
        <details class="sim-context">
          <summary>{t('simContext')}</summary>
          <div class="form-row">
            <Field label={t('simHuman')} error={err('human_requested')}>
              {(p) => (
                <select
                  {...p}
                  value={human}
                  onChange={(e) => setHuman(e.currentTarget.value as '' | 'yes' | 'no')}
                >
                  <option value="">{t('auto')}</option>
                  <option value="yes">{t('yes')}</option>
                  <option value="no">{t('no')}</option>
                </select>
              )}
            </Field>
            <Field label={t('simCount')} error={err('visitor_message_count')}>
              {(p) => (
                <input
                  {...p}
                  type="number"
                  min={0}
                  value={count}
                  onInput={(e) => setCount(e.currentTarget.value)}
                />
              )}
            </Field>
            <Field label={t('simSentiment')} error={err('sentiment')}>
              {(p) => (
                <select
                  {...p}
                  value={sentiment}
                  onChange={(e) => setSentiment(e.currentTarget.value as '' | Sentiment)}
                >
                  <option value="">{t('auto')}</option>
                  <option value="negative">{t('sentiment.negative')}</option>
                  <option value="neutral">{t('sentiment.neutral')}</option>
                  <option value="positive">{t('sentiment.positive')}</option>
                </select>
              )}
            </Field>
            <Field label={t('simOpen')} error={err('business_hours_open')}>
              {(p) => (
                <select
                  {...p}
                  value={open}
                  onChange={(e) => setOpen(e.currentTarget.value as '' | 'yes' | 'no')}
                >
                  <option value="">{t('unknown')}</option>
                  <option value="yes">{t('yes')}</option>
                  <option value="no">{t('no')}</option>
                </select>
              )}
            </Field>
            <Field label={t('simIntent')} error={err('intent')}>
              {(p) => (
                <input {...p} type="text" value={intent} onInput={(e) => setIntent(e.currentTarget.value)} />
              )}
            </Field>
            <Field label={t('simPage')} error={err('page_url')}>
              {(p) => (
                <input
                  {...p}
                  type="text"
                  value={pageUrl}
                  onInput={(e) => setPageUrl(e.currentTarget.value)}
                />
              )}
            </Field>
          </div>
          <Field label={t('simConfidences')} error={err('recent_confidences')}>
            {(p) => (
              <input
                {...p}
                type="text"
                value={confidences}
                onInput={(e) => setConfidences(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label={t('simAttributes')} error={err('attributes')}>
            {(p) => (
              <textarea
                {...p}
                rows={2}
                spellcheck={false}
                value={attributes}
                onInput={(e) => setAttributes(e.currentTarget.value)}
              />
            )}
          </Field>
        </details>
        <FormError message={unclaimed(error, ['message', 'context'])} />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || !message.trim()}>
            {t('simRun')}
          </button>
        </div>
      </form>
      {result && (
        <div class="sim-result" aria-live="polite">
          <p class={`sim-verdict ${result.escalates ? 'sim-escalates' : 'sim-stays'}`}>
            {result.fired
              ? t('simFires', { rule: result.fired.name })
              : result.human_request
                ? t('simHumanOnly', { phrase: result.human_request })
                : t('simNone')}
          </p>
          {result.fired && <p class="muted">{result.fired.reason}</p>}
          <h3>{t('simTrace')}</h3>
          <RuleTraceView trace={result.trace} />
        </div>
      )}
    </section>
  )
}
