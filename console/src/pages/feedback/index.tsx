/**
 * The Feedback page: rated answers (question, answer, passages and scores, comment, the conversation
 * one click away) with their improvements, the selected bot's answer tests and the model versions.
 */
import { useEffect, useState } from 'preact/hooks'
import type { FeedbackItem, Improvement, ImprovementStatus } from '../../../../contract'
import { ApiError } from '../../api'
import { EmptyState } from '../../components/empty-state'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import { fullTime } from '../../time'
import type { PageProps } from '../types'
import { feedbackApi, type FeedbackFilters } from './api'
import { ImproveForm } from './improve-form'
import { Models } from './models'
import { strings } from './strings'
import { AnswerTests } from './tests'
import { BotOptions } from '../../components/bot-options'

const STATUSES: (ImprovementStatus | 'none')[] = ['none', 'pending', 'in_review', 'applied', 'rejected']

export default function FeedbackPage({ tenantId, role }: PageProps) {
  const t = useT(strings)
  const c = useT(common)
  const [filters, setFilters] = useState<FeedbackFilters>({ rating: 'down' })
  const [items, setItems] = useState<FeedbackItem[] | null>(null)
  const [cursor, setCursor] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [bots, setBots] = useState<{ id: string; name: string }[]>([])
  const [reload, setReload] = useState(0)
  useEffect(() => {
    feedbackApi
      .bots(tenantId)
      .then((r) => setBots(r.bots))
      .catch(() => setBots([]))
  }, [tenantId])
  useEffect(() => {
    let stale = false
    setError(null)
    feedbackApi
      .list(tenantId, filters)
      .then((r) => {
        if (stale) return
        setItems(r.items)
        setCursor(r.next_cursor)
      })
      .catch((err) => !stale && setError(err instanceof ApiError ? err.message : c('loadFailed')))
    return () => {
      stale = true
    }
  }, [tenantId, JSON.stringify(filters), reload])
  const more = async () => {
    const r = await feedbackApi.list(tenantId, filters, cursor)
    setItems((cur) => [...(cur ?? []), ...r.items])
    setCursor(r.next_cursor)
  }
  const set = (k: keyof FeedbackFilters) => (e: Event) =>
    setFilters((f) => ({ ...f, [k]: (e.currentTarget as HTMLInputElement).value }))
  const reviewer = role === 'owner' || role === 'admin'
  const testBot = filters.bot_id || bots[0]?.id
  return (
    <main class="page" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.feedback')}</h1>
      </div>
      <p class="muted page-intro">{t('intro')}</p>
      <form class="feedback-filters" aria-label={t('filters')} onSubmit={(e) => e.preventDefault()}>
        <label>
          <span>{t('rating')}</span>
          <select value={filters.rating ?? ''} onChange={set('rating')}>
            <option value="">{t('rating.any')}</option>
            <option value="down">{t('rating.down')}</option>
            <option value="up">{t('rating.up')}</option>
            <option value="low">{t('rating.low')}</option>
          </select>
        </label>
        <label>
          <span>{t('status')}</span>
          <select value={filters.status ?? ''} onChange={set('status')}>
            <option value="">{t('status.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </label>
        {bots.length > 1 && (
          <label>
            <span>{t('bot')}</span>
            <select value={filters.bot_id ?? ''} onChange={set('bot_id')}>
              <option value="">{t('allBots')}</option>
              <BotOptions bots={bots} />
            </select>
          </label>
        )}
        <label>
          <span>{t('from')}</span>
          <input type="date" value={filters.from ?? ''} onChange={set('from')} />
        </label>
        <label>
          <span>{t('to')}</span>
          <input type="date" value={filters.to ?? ''} onChange={set('to')} />
        </label>
      </form>
      {error && (
        <p class="pane-error" role="alert">
          {error}
        </p>
      )}
      {items === null && !error && <p class="muted">{c('loading')}</p>}
      {items?.length === 0 && <EmptyState title={t('empty')}>{t('emptyBody')}</EmptyState>}
      {items && items.length > 0 && (
        <ul class="item-list feedback-list" aria-label={c('nav.feedback')}>
          {items.map((item) => (
            <FeedbackRow
              key={item.id}
              tenantId={tenantId}
              item={item}
              reviewer={reviewer}
              onChanged={() => setReload((r) => r + 1)}
            />
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" class="btn" onClick={() => void more()}>
          {t('more')}
        </button>
      )}
      {reviewer && testBot && <AnswerTests botId={testBot} reload={reload} />}
      <Models tenantId={tenantId} bots={bots} writer={reviewer} />
    </main>
  )
}

function FeedbackRow({
  tenantId,
  item,
  reviewer,
  onChanged,
}: {
  tenantId: string
  item: FeedbackItem
  reviewer: boolean
  onChanged: () => void
}) {
  const t = useT(strings)
  const toast = useToast()
  const [improving, setImproving] = useState(false)
  const imp = item.improvement
  const review = async (i: Improvement, status: ImprovementStatus) => {
    try {
      await feedbackApi.review(tenantId, i.id, { status })
      toast(status === 'applied' ? t('applied') : t('rejected'))
      onChanged()
    } catch (err) {
      toast(err instanceof ApiError ? err.message : String(err), 'error')
    }
  }
  const pct = (x: number) => `${Math.round(x * 100)}%`
  return (
    <li class="feedback-item" data-message={item.message.id}>
      <div class="item-main">
        <p class="item-meta">
          <span class={`pill ${item.rating === 'up' ? 'pill-ok' : 'pill-danger'}`}>
            {t(`rating.${item.rating}`)}
            {item.csat !== null && ` · ${item.csat}/5`}
          </span>{' '}
          <time dateTime={item.created_at} title={fullTime(item.created_at)}>
            {new Date(item.created_at).toLocaleString()}
          </time>{' '}
          · <a href={`#/sessions/${encodeURIComponent(item.message.session_id)}`}>{t('openConversation')}</a>
        </p>
        <h2 class="feedback-question">
          <span class="sr-only">{t('question')}: </span>
          {item.question ?? t('noQuestion')}
        </h2>
        <p class="feedback-label">{t('answer')}</p>
        <p class="feedback-answer">{item.message.content}</p>
        {item.comment && (
          <p class="feedback-comment">
            <strong>{t('comment')}:</strong> {item.comment}
          </p>
        )}
        {item.sources.length > 0 && (
          <details class="feedback-sources">
            <summary>
              {t('sources')} ({item.sources.length})
            </summary>
            <ol>
              {item.sources.map((s) => (
                <li key={s.chunk_id ?? s.id}>
                  <span title={s.snippet}>{s.title}</span>
                  {s.scores && (
                    <span class="muted">
                      {' '}
                      — {t('score', { retrieval: pct(s.scores.retrieval), coverage: pct(s.scores.coverage) })}
                    </span>
                  )}
                </li>
              ))}
            </ol>
          </details>
        )}
        {imp && (
          <div class="feedback-improvement">
            <p class="item-meta">
              <span
                class={`pill ${imp.status === 'applied' ? 'pill-ok' : imp.status === 'rejected' ? '' : 'pill-warn'}`}
              >
                {t(`status.${imp.status}`)}
              </span>{' '}
              {imp.status === 'applied' && t('timesApplied', { n: imp.times_applied })}
            </p>
            <p class="feedback-answer">{imp.improved_response}</p>
          </div>
        )}
        {improving && (
          <ImproveForm
            tenantId={tenantId}
            messageId={item.message.id}
            original={imp?.improved_response ?? item.message.content}
            onCancel={() => setImproving(false)}
            onSaved={() => {
              setImproving(false)
              toast(t('submitted'))
              onChanged()
            }}
          />
        )}
      </div>
      <div class="item-actions">
        {!improving && (
          <button type="button" class="btn btn-small" onClick={() => setImproving(true)}>
            {t('improve')}
          </button>
        )}
        {reviewer && imp && imp.status !== 'applied' && imp.status !== 'rejected' && (
          <button type="button" class="btn btn-small btn-primary" onClick={() => void review(imp, 'applied')}>
            {t('apply')}
          </button>
        )}
        {reviewer && imp && imp.status !== 'rejected' && (
          <button type="button" class="btn btn-small" onClick={() => void review(imp, 'rejected')}>
            {t('reject')}
          </button>
        )}
      </div>
    </li>
  )
}
