/**
 * A line chart in plain SVG (no library): one line per series over the days, with its figures as a
 * table one click away (the chart's text alternative, and what a screen reader reads).
 */
import { useId } from 'preact/hooks'

export interface Series {
  name: string
  /** A CSS colour (a line and its legend swatch; never the only way to tell series apart: names). */
  color: string
  values: (number | null)[]
  /** Dashed, to tell it from a solid line without colour. */
  dashed?: boolean
}

export interface LineChartProps {
  title: string
  /** One sentence saying what the chart shows (its accessible description). */
  summary: string
  labels: string[]
  series: Series[]
  format?: (v: number) => string
  /** The table toggle's text. */
  tableLabel: string
  /** The first column's heading. */
  labelHeading: string
}

const W = 640
const H = 200
const PAD = { l: 44, r: 12, t: 12, b: 26 }

/** A round upper bound for the axis: 1, 2 or 5 times a power of ten. */
function niceMax(max: number): number {
  if (max <= 0) return 1
  const p = 10 ** Math.floor(Math.log10(max))
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p
  return 10 * p
}

export function LineChart({
  title,
  summary,
  labels,
  series,
  format = String,
  tableLabel,
  labelHeading,
}: LineChartProps) {
  const id = useId()
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null))))
  const n = labels.length
  const x = (i: number) => PAD.l + (n <= 1 ? (W - PAD.l - PAD.r) / 2 : (i * (W - PAD.l - PAD.r)) / (n - 1))
  const y = (v: number) => PAD.t + (1 - v / max) * (H - PAD.t - PAD.b)
  const ticks = [0, max / 2, max]
  // About six dates under the axis, whatever the range.
  const every = Math.max(1, Math.ceil(n / 6))
  return (
    <figure class="chart">
      <figcaption class="chart-title" id={`${id}-t`}>
        {title}
      </figcaption>
      <ul class="chart-legend">
        {series.map((s) => (
          <li key={s.name}>
            <svg width="18" height="8" aria-hidden="true">
              <line
                x1="0"
                y1="4"
                x2="18"
                y2="4"
                stroke={s.color}
                stroke-width="3"
                stroke-dasharray={s.dashed ? '4 3' : undefined}
              />
            </svg>
            {s.name}
          </li>
        ))}
      </ul>
      <svg viewBox={`0 0 ${W} ${H}`} class="chart-svg" role="img" aria-labelledby={`${id}-t ${id}-d`}>
        <desc id={`${id}-d`}>{summary}</desc>
        {ticks.map((v) => (
          <g key={v}>
            <line x1={PAD.l} x2={W - PAD.r} y1={y(v)} y2={y(v)} class="chart-grid" />
            <text x={PAD.l - 6} y={y(v) + 4} text-anchor="end" class="chart-axis">
              {format(v)}
            </text>
          </g>
        ))}
        {labels.map((l, i) =>
          i % every === 0 || i === n - 1 ? (
            <text
              key={l}
              x={x(i)}
              y={H - 6}
              text-anchor={i === n - 1 && n > 1 ? 'end' : i === 0 && n > 1 ? 'start' : 'middle'}
              class="chart-axis"
            >
              {l.slice(5)}
            </text>
          ) : null,
        )}
        {series.map((s) => {
          // A day without a value breaks the line rather than drawing it at zero.
          const runs: string[][] = [[]]
          s.values.forEach((v, i) => {
            if (v === null) runs.push([])
            else runs.at(-1)!.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`)
          })
          return (
            <g key={s.name}>
              {runs
                .filter((r) => r.length)
                .map((r, k) =>
                  r.length === 1 ? (
                    <circle key={k} cx={r[0]!.split(',')[0]} cy={r[0]!.split(',')[1]} r="3" fill={s.color} />
                  ) : (
                    <polyline
                      key={k}
                      points={r.join(' ')}
                      fill="none"
                      stroke={s.color}
                      stroke-width="2.5"
                      stroke-dasharray={s.dashed ? '6 4' : undefined}
                    />
                  ),
                )}
            </g>
          )
        })}
      </svg>
      <details class="chart-table">
        <summary>{tableLabel}</summary>
        <div class="table-scroll">
          <table>
            <caption class="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">{labelHeading}</th>
                {series.map((s) => (
                  <th scope="col" key={s.name}>
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {labels.map((l, i) => (
                <tr key={l}>
                  <th scope="row">{l}</th>
                  {series.map((s) => (
                    <td key={s.name}>{s.values[i] === null ? '–' : format(s.values[i]!)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  )
}
