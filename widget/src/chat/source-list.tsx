import type { Source } from '../../../contract'
import { linkHref } from '../../../contract/links'

export interface SourceListProps {
  sources: Source[]
  label: string
  /** The config's link_domains: a source elsewhere is listed without a link. */
  domains?: string[]
}

/** The numbered sources under an answer; only http(s) URLs to `domains` become links. */
export function SourceList({ sources, label, domains }: SourceListProps) {
  if (!sources.length) return null
  return (
    <div class="sources">
      <div class="sources-label">{label}</div>
      <ol>
        {sources.map((s, i) => {
          const href = linkHref(s.url, domains)
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
