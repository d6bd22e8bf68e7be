/**
 * A tiny markdown renderer for answers and agent replies. It builds Preact vnodes, never HTML
 * strings, so text is always text: `<script>` in a message shows as those characters. Supported:
 * paragraphs, line breaks, `-`/`1.` lists, `#` headings (as bold lines), **bold**, *italic*, `code`,
 * fenced code, [links](https://...) and bare URLs (http, https and mailto only, opened in a new tab
 * with rel=noopener noreferrer), and numbered citations `[1]` that open the cited source. Given
 * `domains` (a bot answer: the config's link_domains), a link elsewhere shows as its text only.
 * Images are never loaded: `![alt](url)` shows its alt text.
 */
import type { ComponentChildren, VNode } from 'preact'
import type { Source } from '../../../contract'
import { linkHref } from '../../../contract/links'

const INLINE =
  /(`+)([^`]+?)\1|\*\*(.+?)\*\*|__(.+?)__|\*([^*\s](?:[^*]*[^*\s])?)\*|!\[([^\]]*)\]\([^)]*\)|\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)|\[(\d{1,2})\]|((?:https?:\/\/|mailto:)[^\s<>()]*[^\s<>().,;:!?'"*_])|\n/g

function link(href: string | null, children: ComponentChildren, key: number, cls?: string, title?: string) {
  return href ? (
    <a key={key} class={cls} href={href} target="_blank" rel="noopener noreferrer" title={title}>
      {children}
    </a>
  ) : (
    children
  )
}

/** Inline markdown of one paragraph, list item or heading. */
export function inline(text: string, sources: Source[] = [], d?: string[]): ComponentChildren[] {
  const out: ComponentChildren[] = []
  let last = 0
  let k = 0
  let m: RegExpExecArray | null
  const re = new RegExp(INLINE.source, 'g') // a fresh one: inline() recurses
  while ((m = re.exec(text))) {
    if (m.index > last) out.push(text.slice(last, m.index))
    last = re.lastIndex
    k++
    if (m[2] != null) out.push(<code key={k}>{m[2]}</code>)
    else if (m[3] != null || m[4] != null)
      out.push(<strong key={k}>{inline(m[3] ?? m[4], sources, d)}</strong>)
    else if (m[5] != null) out.push(<em key={k}>{inline(m[5], sources, d)}</em>)
    else if (m[6] != null)
      out.push(m[6]) // an image: its alt text, never a request
    else if (m[7] != null) out.push(link(linkHref(m[8], d, true), inline(m[7], sources, d), k))
    else if (m[9] != null) {
      const n = Number(m[9])
      const src = sources[n - 1]
      const href = src && linkHref(src.url, d)
      out.push(
        !src ? (
          m[0]
        ) : href ? (
          link(href, n, k, 'cite', src.title)
        ) : (
          <sup key={k} class="cite" title={src.title}>
            {n}
          </sup>
        ),
      )
    } else if (m[10] != null) out.push(link(linkHref(m[10], d, true), m[10], k))
    else out.push(<br key={k} />)
  }
  if (last < text.length) out.push(text.slice(last))
  return out
}

const ITEM = /^\s{0,3}(?:([-*+])|(\d{1,9})[.)])\s+(.*)$/

/** Block markdown: paragraphs, lists, headings and fenced code. */
export function Markdown({
  text,
  sources,
  domains,
}: {
  text: string
  sources?: Source[]
  domains?: string[]
}) {
  const lines = text.replace(/\r\n?/g, '\n').split('\n')
  const blocks: VNode[] = []
  let para: string[] = []
  const flush = () => {
    if (para.length) blocks.push(<p>{inline(para.join('\n'), sources, domains)}</p>)
    para = []
  }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    let m: RegExpExecArray | null
    if (/^\s*```/.test(line)) {
      flush()
      const code: string[] = []
      while (++i < lines.length && !/^\s*```/.test(lines[i])) code.push(lines[i])
      blocks.push(
        <pre>
          <code>{code.join('\n')}</code>
        </pre>,
      )
    } else if ((m = ITEM.exec(line))) {
      flush()
      const ordered = !!m[2]
      const items: ComponentChildren[] = []
      const start = ordered ? Number(m[2]) : 1
      while (m && !!m[2] === ordered) {
        items.push(<li>{inline(m[3], sources, domains)}</li>)
        m = i + 1 < lines.length ? ITEM.exec(lines[i + 1]) : null
        if (m) i++
      }
      blocks.push(ordered ? <ol start={start}>{items}</ol> : <ul>{items}</ul>)
    } else if ((m = /^#{1,6}\s+(.*)$/.exec(line))) {
      flush()
      blocks.push(
        <p>
          <strong>{inline(m[1], sources, domains)}</strong>
        </p>,
      )
    } else if (!line.trim()) flush()
    else para.push(line)
  }
  flush()
  return <div class="md">{blocks}</div>
}
