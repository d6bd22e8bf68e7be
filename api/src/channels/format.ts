/**
 * What an outgoing message looks like on each platform: the answer's markdown turned into what the
 * platform renders (Telegram HTML, WhatsApp's own marks, plain text on Messenger and Instagram), and
 * long texts split at paragraph, then line, then sentence, then word boundaries under the platform's
 * limit.
 */
import type { Source } from '../../../contract'

export type Platform = 'telegram' | 'whatsapp' | 'messenger' | 'instagram'

/** Characters per message each platform accepts. */
export const MAX_CHARS: Record<Platform, number> = {
  telegram: 4096,
  whatsapp: 4096,
  messenger: 2000,
  instagram: 1000,
}

/** Splits text into parts of at most `max` characters, cutting at the largest boundary that fits. */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = []
  let rest = text.trim()
  while (rest.length > max) {
    const window = rest.slice(0, max + 1)
    const cut =
      lastBoundary(window, /\n\s*\n/g, max) ??
      lastBoundary(window, /\n/g, max) ??
      lastBoundary(window, /[.!?…。](?=\s)/g, max, true) ??
      lastBoundary(window, /\s/g, max) ??
      max
    parts.push(rest.slice(0, cut).trim())
    rest = rest.slice(cut).trim()
  }
  if (rest) parts.push(rest)
  return parts
}

/** The index to cut at: just before the last match (or after it when `keep`), within max, past a quarter. */
function lastBoundary(window: string, re: RegExp, max: number, keep = false): number | null {
  let best: number | null = null
  for (const m of window.matchAll(re)) {
    const at = keep ? m.index! + m[0].length : m.index!
    if (at <= max && at > max / 4) best = at
  }
  return best
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Markdown (what answers are written in) as Telegram's HTML parse mode renders it. */
export function toTelegramHtml(md: string): string {
  const code: string[] = []
  let s = md.replace(/```[a-z]*\n?([\s\S]*?)```|`([^`\n]+)`/g, (_m, block?: string, inline?: string) => {
    code.push(block !== undefined ? `<pre>${escapeHtml(block)}</pre>` : `<code>${escapeHtml(inline!)}</code>`)
    return `\u0000${code.length - 1}\u0000`
  })
  s = escapeHtml(s)
    .replace(/^#{1,6}\s+(.+)$/gm, '<b>$1</b>')
    .replace(/\*\*([^*\n]+)\*\*|__([^_\n]+)__/g, (_m, a?: string, b?: string) => `<b>${a ?? b}</b>`)
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)|(^|[^_\w])_([^_\n]+)_(?!\w)/g, (_m, p1, a, p2, b) =>
      a !== undefined ? `${p1}<i>${a}</i>` : `${p2}<i>${b}</i>`,
    )
    .replace(/~~([^~\n]+)~~/g, '<s>$1</s>')
    .replace(
      /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g,
      (_m, t: string, u: string) => `<a href="${u.replace(/"/g, '&quot;')}">${t}</a>`,
    )
    .replace(/^[ \t]*[-*][ \t]+/gm, '• ')
  return s.replace(/\u0000(\d+)\u0000/g, (_m, i: string) => code[Number(i)]!)
}

/** Markdown as WhatsApp renders it: *bold*, _italic_, ~strike~, ```mono```; links written out. */
export function toWhatsApp(md: string): string {
  return md
    .replace(/(^|[^*])\*([^*\n]+)\*(?!\*)/g, '$1_$2_')
    .replace(/^#{1,6}\s+(.+)$/gm, '*$1*')
    .replace(/\*\*([^*\n]+)\*\*|__([^_\n]+)__/g, (_m, a?: string, b?: string) => `*${a ?? b}*`)
    .replace(/~~([^~\n]+)~~/g, '~$1~')
    .replace(/`([^`\n]+)`/g, '```$1```')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '$1 ($2)')
    .replace(/^[ \t]*[-*][ \t]+/gm, '• ')
}

/** Markdown as plain text (Messenger and Instagram render none). */
export function toPlain(md: string): string {
  return md
    .replace(/```[a-z]*\n?([\s\S]*?)```/g, '$1')
    .replace(/`([^`\n]+)`/g, '$1')
    .replace(/^#{1,6}\s+(.+)$/gm, '$1')
    .replace(/\*\*([^*\n]+)\*\*|__([^_\n]+)__/g, (_m, a?: string, b?: string) => a ?? b ?? '')
    .replace(/(^|[^*\w])\*([^*\n]+)\*(?!\w)/g, '$1$2')
    .replace(/(^|[^_\w])_([^_\n]+)_(?!\w)/g, '$1$2')
    .replace(/~~([^~\n]+)~~/g, '$1')
    .replace(/\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g, '$1 ($2)')
    .replace(/^[ \t]*[-*][ \t]+/gm, '• ')
}

/**
 * The text of a stored message for a platform: the citation marks ([1]) become a short list of the
 * cited pages' links at the end (a chat app has no source cards), then the platform's markup, split
 * under its limit (the split is made on the markdown so no mark is cut in two).
 */
export function renderForPlatform(platform: Platform, content: string, sources: Source[] = []): string[] {
  const cited = [...content.matchAll(/\[(\d{1,2})\]/g)].map((m) => Number(m[1]))
  let text = content.replace(/\s*\[(\d{1,2})\]/g, '')
  const links = [...new Set(cited)]
    .map((n) => sources[n - 1])
    .filter((s): s is Source => !!s?.url)
    .map((s) => `- [${s.title || s.url}](${s.url})`)
  if (links.length) text += `\n\n${links.join('\n')}`
  const convert = platform === 'telegram' ? toTelegramHtml : platform === 'whatsapp' ? toWhatsApp : toPlain
  // The HTML of a part can be longer than its markdown: leave Telegram room for the tags.
  const max = platform === 'telegram' ? MAX_CHARS.telegram - 400 : MAX_CHARS[platform]
  return splitText(text, max)
    .map(convert)
    .map((p) => p.slice(0, MAX_CHARS[platform]))
}
