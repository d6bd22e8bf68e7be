/**
 * CSV for spreadsheets (RFC 4180 quoting). A cell a spreadsheet would run as a formula (starting with
 * = + - @, a tab or a carriage return) gets a leading apostrophe, so an exported value can never
 * execute (CSV injection).
 */
import type { Analytics, Figures } from './figures'

const FORMULA_START = /^[=+\-@\t\r]/

/** One cell: neutralised when it could be read as a formula, quoted when it holds , " CR or LF. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return ''
  let s = String(value)
  // Numbers are written by us: a negative figure stays a number, not text.
  if (typeof value !== 'number' && FORMULA_START.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export const csvRow = (cells: unknown[]) => cells.map(csvCell).join(',')

const COLUMNS: (keyof Figures)[] = [
  'conversations',
  'ai_resolved',
  'escalated',
  'deflection_rate',
  'csat_avg',
  'csat_count',
  'thumbs_up',
  'thumbs_down',
  'first_response_p50_s',
  'first_response_p90_s',
  'human_first_response_p50_s',
  'human_first_response_p90_s',
  'resolution_p50_s',
  'resolution_p90_s',
]

/** A row per day, a totals row, then the agents' table (after a blank line). */
export function analyticsCsv(a: Analytics): string {
  const lines = [csvRow(['date', ...COLUMNS])]
  for (const d of a.days) lines.push(csvRow([d.date, ...COLUMNS.map((k) => d[k])]))
  lines.push(csvRow(['total', ...COLUMNS.map((k) => a.totals[k])]))
  lines.push('')
  lines.push(
    csvRow(['agent', 'conversations_handled', 'avg_resolution_minutes', 'csat', 'escalations_received']),
  )
  for (const g of a.agents)
    lines.push(
      csvRow([g.name, g.conversations_handled, g.avg_resolution_minutes, g.csat, g.escalations_received]),
    )
  return lines.join('\r\n') + '\r\n'
}
