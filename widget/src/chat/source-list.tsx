import type { Source } from '../../../contract'
import { safeHref } from './markdown'

export { safeHref }

export interface SourceListProps {
  sources: Source[]
  label: string
}

/** The numbered sources under an answer; only http(s) URLs become links. */
export function SourceList({ sources, label }: SourceListProps) {
  if (!sources.length) return null
  return (
    <div class="sources">
      <div class="sources-label">{label}</div>
      <ol>
        {sources.map((s, i) => {
          const href = safeHref(s.url)
          const title = s.title || s.url || String(i + 1)
          return (
            <li key={s.id || i}>
              <span class="n">{i + 1}</span>
              {href ? (
                <a href={href} target="_blank" rel="noopener noreferrer" title={s.snippet || undefined}>
                  {title}
                </a>
              ) : (
                <span class="t">{title}</span>
              )}
            </li>
          )
        })}
      </ol>
    </div>
  )
}
