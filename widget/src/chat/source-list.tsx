import type { Source } from '../types'

export interface SourceListProps {
  sources: Source[]
  label: string
}

/** Only http(s) URLs become links: a `javascript:` or `data:` URL from a document stays plain text. */
export function safeHref(url: string | null | undefined): string | null {
  if (!url) return null
  try {
    const u = new URL(url)
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null
  } catch {
    return null
  }
}

/** The numbered sources under an answer. */
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
