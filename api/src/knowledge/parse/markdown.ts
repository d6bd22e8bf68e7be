import type { Block } from './blocks'

/**
 * Splits Markdown into blocks by its line structure: ATX and setext headings, fenced code, lists
 * (continuation lines join their item), pipe tables (the separator row dropped) and paragraphs.
 * Inline markup is reduced to its text (links keep their label, images their alt text); YAML front
 * matter is skipped, except its `title:`.
 */
export function parseMarkdown(markdown: string): { title?: string; blocks: Block[] } {
  let lines = markdown.replace(/\r\n?/g, '\n').split('\n')
  let title: string | undefined
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((l, i) => i > 0 && /^(---|\.\.\.)\s*$/.test(l))
    if (end > 0) {
      const t = lines.slice(1, end).find((l) => /^title:\s*/i.test(l))
      if (t)
        title =
          t
            .replace(/^title:\s*/i, '')
            .replace(/^["']|["']$/g, '')
            .trim() || undefined
      lines = lines.slice(end + 1)
    }
  }
  const blocks: Block[] = []
  let para: string[] = []
  const flushPara = () => {
    const text = para
      .map((l) => inlineMd(l.trim()))
      .filter(Boolean)
      .join('\n')
    if (text) blocks.push({ kind: 'paragraph', text })
    para = []
  }
  const listRe = /^(\s*)([-*+]|\d{1,9}[.)])\s+(.*)$/
  const tableSep = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const fence = /^\s*(```+|~~~+)/.exec(line)
    if (fence) {
      flushPara()
      const close = fence[1]
      const body: string[] = []
      for (i++; i < lines.length && !lines[i].trim().startsWith(close); i++) body.push(lines[i])
      const text = body.join('\n').replace(/\s+$/, '')
      if (text) blocks.push({ kind: 'code', text })
      continue
    }
    const atx = /^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line)
    if (atx) {
      flushPara()
      const text = inlineMd(atx[2])
      if (text) blocks.push({ kind: 'heading', text, level: atx[1].length })
      continue
    }
    if (para.length === 1 && /^\s{0,3}(=+|-+)\s*$/.test(line)) {
      // Setext heading: the paragraph line above is the heading.
      const text = inlineMd(para[0].trim())
      para = []
      if (text) blocks.push({ kind: 'heading', text, level: line.trim().startsWith('=') ? 1 : 2 })
      continue
    }
    if (/^\s{0,3}([-*_])(\s*\1){2,}\s*$/.test(line)) {
      flushPara()
      continue
    }
    if (
      line.includes('|') &&
      i + 1 < lines.length &&
      tableSep.test(lines[i + 1]) &&
      lines[i + 1].includes('-')
    ) {
      flushPara()
      const rows = [cells(line)]
      for (i += 2; i < lines.length && lines[i].includes('|') && lines[i].trim(); i++)
        rows.push(cells(lines[i]))
      i--
      blocks.push({ kind: 'table', text: rows.map((r) => r.join(' | ')).join('\n') })
      continue
    }
    const item = listRe.exec(line)
    if (item) {
      flushPara()
      const items: string[] = []
      const baseIndent = item[1].length
      for (; i < lines.length; i++) {
        const l = lines[i]
        const m = listRe.exec(l)
        if (m) {
          const depth = Math.max(0, Math.floor((m[1].length - baseIndent) / 2))
          const marker = /\d/.test(m[2]) ? m[2].replace(')', '.') : '-'
          items.push(`${'  '.repeat(depth)}${marker} ${inlineMd(m[3])}`)
        } else if (l.trim() && /^\s+/.test(l) && items.length) {
          items[items.length - 1] += ` ${inlineMd(l.trim())}`
        } else if (!l.trim() && i + 1 < lines.length && listRe.test(lines[i + 1])) {
          continue // a loose list: blank lines between items
        } else break
      }
      i--
      if (items.length) blocks.push({ kind: 'list', text: items.join('\n') })
      continue
    }
    if (!line.trim()) {
      flushPara()
      continue
    }
    para.push(line.replace(/^\s{0,3}>\s?/, ''))
  }
  flushPara()
  title ??= blocks.find((b) => b.kind === 'heading' && b.level === 1)?.text
  return { title, blocks }
}

function cells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => inlineMd(c.trim()).replace(/\\\|/g, '/'))
}

/** Reduces inline Markdown to its text. */
function inlineMd(s: string): string {
  return s
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
    .replace(/<(https?:[^>]+)>/g, '$1')
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, '$2')
    .replace(/(^|\W)[*_](?=\S)(.+?)(?<=\S)[*_](?=\W|$)/g, '$1$2')
    .replace(/`([^`]+)`/g, '$1')
    .trim()
}

/**
 * Splits plain text into paragraphs on blank lines; a paragraph whose every line starts with a bullet
 * or a number is a list. Used for .txt uploads, pasted text and FAQ answers.
 */
export function parseText(text: string): Block[] {
  const blocks: Block[] = []
  for (const part of text.replace(/\r\n?/g, '\n').split(/\n\s*\n/)) {
    const lines = part
      .split('\n')
      .map((l) => l.trimEnd())
      .filter((l) => l.trim())
    if (!lines.length) continue
    const bullet = /^\s*([-*•·–]|\d{1,3}[.)])\s+/
    if (lines.length > 1 && lines.every((l) => bullet.test(l))) {
      blocks.push({
        kind: 'list',
        text: lines
          .map((l) => l.replace(bullet, (_m, b: string) => (/\d/.test(b) ? `${b.replace(')', '.')} ` : '- ')))
          .join('\n'),
      })
    } else {
      blocks.push({ kind: 'paragraph', text: lines.map((l) => l.trim()).join('\n') })
    }
  }
  return blocks
}
