/** The Analytics page's calls: the figures of a date range, its CSV, and the daily topics. */
import { downloadFile, request } from '../../api'

export interface Figures {
  conversations: number
  ai_resolved: number
  escalated: number
  deflection_rate: number | null
  csat_avg: number | null
  csat_count: number
  thumbs_up: number
  thumbs_down: number
  first_response_p50_s: number | null
  first_response_p90_s: number | null
  human_first_response_p50_s: number | null
  human_first_response_p90_s: number | null
  resolution_p50_s: number | null
  resolution_p90_s: number | null
}
export interface AgentFigures {
  agent_id: string
  name: string
  conversations_handled: number
  avg_resolution_minutes: number | null
  csat: number | null
  escalations_received: number
}
export interface Analytics {
  from: string
  to: string
  timezone: string
  definitions: Record<string, string>
  totals: Figures
  days: (Figures & { date: string })[]
  agents: AgentFigures[]
}
export interface TopicSample {
  id: string
  session_id: string
  content: string
}
export interface Topic {
  date: string
  topic_id: number
  label: string
  keywords: string[]
  message_count: number
  percentage: number
  sample_messages: TopicSample[]
}

const t = (tenantId: string) => `/v1/tenants/${encodeURIComponent(tenantId)}`
const range = (from: string, to: string) => `from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`

export const analyticsApi = {
  figures: (tenantId: string, from: string, to: string) =>
    request<Analytics>(`${t(tenantId)}/analytics?${range(from, to)}`),
  topics: (tenantId: string, from: string, to: string) =>
    request<{ topics: Topic[] }>(`${t(tenantId)}/topics?${range(from, to)}`),
  runTopics: (tenantId: string, date: string) =>
    request<unknown>(`${t(tenantId)}/topics/run?date=${encodeURIComponent(date)}`, { method: 'POST' }),
  /** Saves the CSV export as a file. */
  csv: (tenantId: string, from: string, to: string) =>
    downloadFile(`${t(tenantId)}/analytics/export.csv?${range(from, to)}`, `analytics-${from}-to-${to}.csv`),
}
