/**
 * `npm run bench`: every benchmark, one after the other (BENCH_ONLY=api,streams,rules,escalation,retrieval,answers,channels,orders,improvements,analytics,widget picks
 * some; BENCH_SIZES=10000 makes the retrieval one quick):
 *
 * - api: bench/api.ts, the API over real HTTP at 10, 50 and 200 concurrent visitors (5 extractive
 *   answers each): answered messages/s, p50/p95/p99 and the per-stage split, on PGlite and, when
 *   BENCH_DATABASE_URL is set, on that server. bench/results/api.json.
 * - streams: bench/streams.ts, memory per idle visitor event stream at 10,000 open streams and the time
 *   for an agent reply to reach one of them. bench/results/streams.json.
 * - rules: bench/rules.ts (escalation rule evaluation), bench/results/rules.json.
 * - escalation: bench/escalation.ts (visitor asks for a person -> console event, 200 at once), bench/results/escalation.json.
 * - retrieval: bench/retrieval.ts (RAG ingestion, retrieval latency, HNSW recall, fusion), bench/results/retrieval.json.
 * - answers: bench/answers-eval.ts (the labelled evaluation set: covered answered, correct, uncovered
 *   declined, confidence AUC, offline and model path), bench/results/answers-eval.json.
 * - channels: bench/channels.ts (inbound webhook -> outbound send on a stand-in platform), bench/results/channels.json.
 * - orders: bench/orders.ts (the bot's order answer and its refusals, per case), bench/results/orders.json.
 * - improvements: bench/improvements.ts (what applied improvements cost an answer), bench/results/improvements.json.
 * - analytics: bench/analytics.ts (GET .../analytics over 1M messages for 7/30/90-day ranges, cold and
 *   after the analytics job; topic clustering of 10,000 questions), bench/results/analytics.json.
 * - widget: bench/widget.ts, when that file exists.
 */
import { existsSync } from 'node:fs'
import { benchApi } from './api'
import { benchStreams } from './streams'
import { benchRetrieval } from './retrieval'
import { benchEscalation } from './escalation'
import { benchRules } from './rules'
import { benchAnswers } from './answers-eval'
import { benchChannels } from './channels'
import { benchOrders } from './orders'
import { benchImprovements } from './improvements'
import { benchAnalytics } from './analytics'

const only = new Set(
  (
    process.env.BENCH_ONLY ??
    'api,streams,rules,escalation,retrieval,answers,channels,orders,improvements,analytics,widget'
  )
    .split(',')
    .map((s) => s.trim()),
)
const started = performance.now()
if (only.has('api')) await benchApi()
if (only.has('streams')) await benchStreams()
if (only.has('rules')) await benchRules()
if (only.has('escalation')) await benchEscalation()
if (only.has('retrieval')) await benchRetrieval()
if (only.has('answers')) await benchAnswers()
if (only.has('channels')) await benchChannels()
if (only.has('orders')) await benchOrders()
if (only.has('improvements')) await benchImprovements()
if (only.has('analytics')) await benchAnalytics()
if (only.has('widget')) {
  // bench/widget.ts is optional (written separately): run it when it is there.
  const widgetFile = new URL('./widget.ts', import.meta.url)
  if (existsSync(widgetFile)) {
    const mod = (await import(widgetFile.href)) as { benchWidget?: () => Promise<unknown> }
    if (typeof mod.benchWidget === 'function') await mod.benchWidget()
    else console.log('bench/widget.ts exports no benchWidget(): widget benchmark skipped')
  } else console.log('bench/widget.ts not found: widget benchmark skipped')
}
console.log(`benchmarks done in ${Math.round((performance.now() - started) / 1000)} s`)
