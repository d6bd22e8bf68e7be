/**
 * The Analytics page (owners and admins): the figures of a date range with their definitions, daily
 * charts (plain SVG, each with its table), the agents' table, a CSV export, and the topics of the
 * range with sample questions one click from their conversation.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { ApiError } from '../../api'
import { EmptyState } from '../../components/empty-state'
import { useToast } from '../../components/toast'
import { useT } from '../../i18n'
import { common } from '../../i18n/common'
import type { PageProps } from '../types'
import { analyticsApi, type Analytics, type Topic } from './api'
import { LineChart } from './chart'
import { strings } from './strings'
import './analytics.css'

const COLORS = ['#2f5bea', '#16794a', '#b42318', '#9a4f05', '#6b3fa0']

const isoDay = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
const daysAgo = (n: number) => isoDay(new Date(Date.now() - n * 86_400_000))

const secs = (v: number | null) =>
  v === null
    ? '–'
    : v < 120
      ? `${Math.round(v)} s`
      : v < 7200
        ? `${Math.round(v / 60)} min`
        : `${(v / 3600).toFixed(1)} h`
const pct = (v: number | null) => (v === null ? '–' : `${Math.round(v * 1000) / 10} %`)

export default function AnalyticsPage({ tenantId }: PageProps) {
  const t = useT(strings)
  const c = useT(common)
  const toast = useToast()
  const [range, setRange] = useState({ from: daysAgo(29), to: daysAgo(0) })
  const [draft, setDraft] = useState(range)
  const [data, setData] = useState<Analytics | null>(null)
  const [topics, setTopics] = useState<Topic[] | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [open, setOpen] = useState<string | null>(null)

  useEffect(() => {
    let stale = false
    setData(null)
    setTopics(null)
    setError(null)
    analyticsApi
      .figures(tenantId, range.from, range.to)
      .then((res) => !stale && setData(res))
      .catch((err) => !stale && setError(err instanceof ApiError ? err.message : String(err)))
    analyticsApi
      .topics(tenantId, range.from, range.to)
      .then((res) => !stale && setTopics(res.topics))
      .catch(() => !stale && setTopics([]))
    return () => {
      stale = true
    }
  }, [tenantId, range])

  const preset = (days: number) => {
    const next = { from: daysAgo(days - 1), to: daysAgo(0) }
    setDraft(next)
    setRange(next)
  }
  const badRange = draft.from > draft.to
  const exportCsv = async () => {
    try {
      await analyticsApi.csv(tenantId, range.from, range.to)
    } catch (err) {
      toast(err instanceof ApiError ? err.message : String(err), 'error')
    }
  }
  const runTopics = async () => {
    try {
      await analyticsApi.runTopics(tenantId, range.to)
      toast(t('topicsQueued', { date: range.to }))
    } catch (err) {
      toast(err instanceof ApiError ? err.message : String(err), 'error')
    }
  }

  const labels = data?.days.map((d) => d.date) ?? []
  const topicSeries = useMemo(() => topicsOverTime(topics ?? [], labels), [topics, data])

  return (
    <main class="page analytics" aria-labelledby="page-title">
      <div class="page-head">
        <h1 id="page-title">{c('nav.analytics')}</h1>
        <button type="button" class="btn" onClick={exportCsv} disabled={!data}>
          {t('exportCsv')}
        </button>
      </div>
      <form
        class="analytics-range"
        onSubmit={(e) => {
          e.preventDefault()
          if (!badRange) setRange(draft)
        }}
      >
        <div class="form-field">
          <label class="form-label" for="analytics-from">
            {t('from')}
          </label>
          <input
            id="analytics-from"
            type="date"
            value={draft.from}
            max={draft.to}
            onInput={(e) => setDraft({ ...draft, from: (e.target as HTMLInputElement).value })}
          />
        </div>
        <div class="form-field">
          <label class="form-label" for="analytics-to">
            {t('to')}
          </label>
          <input
            id="analytics-to"
            type="date"
            value={draft.to}
            min={draft.from}
            onInput={(e) => setDraft({ ...draft, to: (e.target as HTMLInputElement).value })}
          />
        </div>
        <button type="submit" class="btn btn-primary" disabled={badRange}>
          {t('apply')}
        </button>
        <div class="analytics-presets" role="group" aria-label={t('apply')}>
          {[7, 30, 90].map((n) => (
            <button type="button" class="btn btn-small" key={n} onClick={() => preset(n)}>
              {t(n === 7 ? 'last7' : n === 30 ? 'last30' : 'last90')}
            </button>
          ))}
        </div>
        {badRange && (
          <p class="field-error" role="alert">
            {t('badRange')}
          </p>
        )}
      </form>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {!data && !error && <p class="muted">{t('loading')}</p>}
      {data && (
        <>
          <p class="muted">{t('timezone', { tz: data.timezone })}</p>
          <section class="analytics-cards" aria-label={c('nav.analytics')}>
            <Card label={t('conversations')} value={String(data.totals.conversations)} />
            <Card
              label={t('aiResolved')}
              value={`${data.totals.ai_resolved}`}
              sub={pct(data.totals.deflection_rate)}
              note={t('aiResolvedDef')}
            />
            <Card label={t('escalated')} value={String(data.totals.escalated)} />
            <Card
              label={t('csat')}
              value={data.totals.csat_avg === null ? '–' : `${data.totals.csat_avg} / 5`}
              sub={`${t('csatCount', { n: data.totals.csat_count })} · ${t('thumbs', {
                up: data.totals.thumbs_up,
                down: data.totals.thumbs_down,
              })}`}
            />
            <Card
              label={t('firstResponse')}
              value={secs(data.totals.first_response_p50_s)}
              sub={t('p50p90', {
                p50: secs(data.totals.first_response_p50_s),
                p90: secs(data.totals.first_response_p90_s),
              })}
            />
            <Card
              label={t('humanFirstResponse')}
              value={secs(data.totals.human_first_response_p50_s)}
              sub={t('p50p90', {
                p50: secs(data.totals.human_first_response_p50_s),
                p90: secs(data.totals.human_first_response_p90_s),
              })}
            />
            <Card
              label={t('resolution')}
              value={secs(data.totals.resolution_p50_s)}
              sub={t('p50p90', {
                p50: secs(data.totals.resolution_p50_s),
                p90: secs(data.totals.resolution_p90_s),
              })}
            />
          </section>
          {data.totals.conversations === 0 ? (
            <EmptyState title={t('noData')}>{t('noDataHint')}</EmptyState>
          ) : (
            <div class="analytics-charts">
              <LineChart
                title={t('dailyTitle')}
                summary={t('dailySummary')}
                labels={labels}
                tableLabel={t('showTable')}
                labelHeading={t('date')}
                series={[
                  {
                    name: t('conversations'),
                    color: COLORS[0]!,
                    values: data.days.map((d) => d.conversations),
                  },
                  { name: t('aiResolved'), color: COLORS[1]!, values: data.days.map((d) => d.ai_resolved) },
                  {
                    name: t('escalated'),
                    color: COLORS[2]!,
                    dashed: true,
                    values: data.days.map((d) => d.escalated),
                  },
                ]}
              />
              <LineChart
                title={t('deflectionTitle')}
                summary={t('deflectionSummary')}
                labels={labels}
                tableLabel={t('showTable')}
                labelHeading={t('date')}
                format={(v) => `${Math.round(v * 100)} %`}
                series={[
                  {
                    name: t('deflection'),
                    color: COLORS[1]!,
                    values: data.days.map((d) => d.deflection_rate),
                  },
                ]}
              />
              <LineChart
                title={t('csatTitle')}
                summary={t('csatSummary')}
                labels={labels}
                tableLabel={t('showTable')}
                labelHeading={t('date')}
                format={(v) => String(Math.round(v * 10) / 10)}
                series={[{ name: t('csat'), color: COLORS[3]!, values: data.days.map((d) => d.csat_avg) }]}
              />
              <LineChart
                title={t('responseTitle')}
                summary={t('responseSummary')}
                labels={labels}
                tableLabel={t('showTable')}
                labelHeading={t('date')}
                format={(v) => String(Math.round(v))}
                series={[
                  {
                    name: t('firstResponse'),
                    color: COLORS[0]!,
                    values: data.days.map((d) => d.first_response_p50_s),
                  },
                  {
                    name: t('resolution'),
                    color: COLORS[4]!,
                    dashed: true,
                    values: data.days.map((d) => d.resolution_p50_s),
                  },
                ]}
              />
            </div>
          )}
          <h2>{t('agents')}</h2>
          {data.agents.length === 0 ? (
            <p class="muted">{t('noAgents')}</p>
          ) : (
            <div class="table-scroll">
              <table class="analytics-table">
                <thead>
                  <tr>
                    <th scope="col">{t('agent')}</th>
                    <th scope="col">{t('handled')}</th>
                    <th scope="col">{t('avgResolution')}</th>
                    <th scope="col">{t('csat')}</th>
                    <th scope="col">{t('received')}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.agents.map((a) => (
                    <tr key={a.agent_id}>
                      <th scope="row">{a.name}</th>
                      <td>{a.conversations_handled}</td>
                      <td>{a.avg_resolution_minutes ?? '–'}</td>
                      <td>{a.csat ?? '–'}</td>
                      <td>{a.escalations_received}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <details class="analytics-definitions">
            <summary>{t('definition')}</summary>
            <dl>
              {Object.entries(data.definitions).map(([k, v]) => (
                <div key={k}>
                  <dt>{k}</dt>
                  <dd>{v}</dd>
                </div>
              ))}
            </dl>
          </details>
        </>
      )}
      <h2>{t('topics')}</h2>
      {topics !== null && topics.length === 0 && (
        <EmptyState
          title={t('noTopics')}
          action={
            <button type="button" class="btn btn-primary" onClick={runTopics}>
              {t('runTopics', { date: range.to })}
            </button>
          }
        >
          {t('noTopicsHint')}
        </EmptyState>
      )}
      {topics !== null && topics.length > 0 && (
        <>
          {labels.length > 0 && (
            <LineChart
              title={t('topicsTitle')}
              summary={t('topicsSummary')}
              labels={labels}
              tableLabel={t('showTable')}
              labelHeading={t('date')}
              series={topicSeries.map((s, i) => ({
                ...s,
                color: COLORS[i % COLORS.length]!,
                dashed: i % 2 === 1,
              }))}
            />
          )}
          <ul class="analytics-topics">
            {topics.map((tp) => {
              const key = `${tp.date}/${tp.topic_id}`
              const panel = `topic-${tp.date}-${tp.topic_id}`
              return (
                <li key={key}>
                  <button
                    type="button"
                    class="analytics-topic"
                    aria-expanded={open === key}
                    aria-controls={panel}
                    onClick={() => setOpen(open === key ? null : key)}
                  >
                    <span class="analytics-topic-date">{tp.date}</span>
                    <strong>{tp.label}</strong>
                    <span class="muted">{t('questions', { n: tp.message_count, pct: tp.percentage })}</span>
                    <span class="analytics-bar" aria-hidden="true">
                      <span style={{ width: `${Math.min(100, tp.percentage)}%` }} />
                    </span>
                    <span class="analytics-keywords">{tp.keywords.join(', ')}</span>
                  </button>
                  {open === key && (
                    <div id={panel} class="analytics-samples">
                      <h3 class="sr-only">{t('samples', { label: tp.label })}</h3>
                      <ul>
                        {tp.sample_messages.map((m) => (
                          <li key={m.id}>
                            <a href={`#/sessions/${encodeURIComponent(m.session_id)}`}>
                              {m.content}
                              <span class="sr-only"> ({t('openConversation')})</span>
                            </a>
                          </li>
                        ))}
                      </ul>
                    </div>
                  )}
                </li>
              )
            })}
          </ul>
        </>
      )}
    </main>
  )
}

function Card({ label, value, sub, note }: { label: string; value: string; sub?: string; note?: string }) {
  return (
    <div class="analytics-card">
      <p class="analytics-card-label">{label}</p>
      <p class="analytics-card-value">{value}</p>
      {sub && <p class="analytics-card-sub">{sub}</p>}
      {note && <p class="analytics-card-note">{note}</p>}
    </div>
  )
}

/** The range's five biggest topics (by label), each a line of its daily question counts. */
function topicsOverTime(topics: Topic[], labels: string[]) {
  const totals = new Map<string, number>()
  for (const tp of topics) totals.set(tp.label, (totals.get(tp.label) ?? 0) + tp.message_count)
  const top = [...totals.entries()]
    .filter(([label]) => label !== 'other')
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([label]) => label)
  return top.map((label) => ({
    name: label,
    values: labels.map((d) =>
      topics.filter((tp) => tp.date === d && tp.label === label).reduce((n, tp) => n + tp.message_count, 0),
    ),
  }))
}
