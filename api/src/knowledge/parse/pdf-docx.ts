import { collapse, type Block } from './blocks'
import { parseHtml } from './html'
import { ParseFailed } from './limits'

/**
 * PDF through unpdf (pdf.js). Text items are grouped into lines; a line set clearly larger than the
 * body text (the most used font size, by characters) and short is a heading, its level given by the
 * rank of its size; a vertical gap wider than about one and a half lines starts a new paragraph. Every
 * block keeps its page number for citations.
 */
export async function parsePdf(bytes: Uint8Array): Promise<{ title?: string; blocks: Block[] }> {
  const { extractTextItems, getDocumentProxy, getMeta } = await import('unpdf')
  let pages: Awaited<ReturnType<typeof extractTextItems>>['items']
  let metaTitle: string | undefined
  try {
    // pdf.js may transfer (detach) the buffer it is given, so it gets its own copy.
    const pdf = await getDocumentProxy(new Uint8Array(bytes))
    try {
      pages = (await extractTextItems(pdf)).items
      const meta = await getMeta(pdf).catch(() => undefined)
      const t = (meta?.info as { Title?: unknown } | undefined)?.Title
      metaTitle = typeof t === 'string' && t.trim() ? collapse(t) : undefined
    } finally {
      // Frees pdf.js resources held for this document (fonts, the fake worker).
      await pdf.loadingTask.destroy().catch(() => undefined)
    }
  } catch (cause) {
    throw new ParseFailed('This PDF could not be read; it may be damaged or password-protected.', { cause })
  }

  interface Line {
    text: string
    size: number
    y: number
    page: number
  }
  const lines: Line[] = []
  pages.forEach((items, p) => {
    let cur: Line | undefined
    for (const it of items) {
      if (cur && Math.abs(it.y - cur.y) > Math.max(2, cur.size * 0.5) && it.str) {
        lines.push(cur)
        cur = undefined
      }
      if (it.str) {
        if (!cur) cur = { text: '', size: 0, y: it.y, page: p + 1 }
        cur.text += it.str
        cur.size = Math.max(cur.size, it.fontSize)
      }
      if (it.hasEOL && cur) {
        lines.push(cur)
        cur = undefined
      }
    }
    if (cur) lines.push(cur)
  })
  for (const l of lines) l.text = collapse(l.text)
  const kept = lines.filter((l) => l.text)
  if (!kept.length) return { title: metaTitle, blocks: [] }

  const bySize = new Map<number, number>()
  for (const l of kept) bySize.set(round1(l.size), (bySize.get(round1(l.size)) ?? 0) + l.text.length)
  const body = [...bySize.entries()].sort((a, b) => b[1] - a[1])[0][0]
  const isHeading = (l: Line) =>
    round1(l.size) >= body * 1.15 && l.text.length <= 150 && !/[.,;:]$/.test(l.text)
  const headingSizes = [...new Set(kept.filter(isHeading).map((l) => round1(l.size)))].sort((a, b) => b - a)

  const blocks: Block[] = []
  let para: Line[] = []
  let prevHeading: Line | undefined
  const flush = () => {
    if (para.length) {
      // Re-join words hyphenated across lines.
      const text = para
        .map((l) => l.text)
        .join('\n')
        .replace(/(\p{L})-\n(\p{Ll})/gu, '$1$2')
        .replace(/\n/g, ' ')
      blocks.push({ kind: 'paragraph', text, page: para[0].page })
    }
    para = []
  }
  for (const l of kept) {
    if (isHeading(l)) {
      flush()
      const level = Math.min(6, headingSizes.indexOf(round1(l.size)) + 1)
      const prev = blocks[blocks.length - 1]
      // A heading wrapped over two lines arrives as two adjacent lines of the same size.
      const wrapped =
        prev?.kind === 'heading' &&
        prevHeading &&
        prev.level === level &&
        prevHeading.page === l.page &&
        prevHeading.y - l.y <= l.size * 1.5
      if (wrapped) prev.text += ` ${l.text}`
      else blocks.push({ kind: 'heading', text: l.text, level, page: l.page })
      prevHeading = l
      continue
    }
    const last = para[para.length - 1]
    if (last && (last.page !== l.page || last.y - l.y > Math.max(last.size, l.size) * 1.6 || last.y < l.y))
      flush()
    para.push(l)
  }
  flush()
  const title = metaTitle ?? blocks.find((b) => b.kind === 'heading' && b.level === 1)?.text
  return { title, blocks }
}

function round1(n: number) {
  return Math.round(n * 10) / 10
}

/** DOCX through mammoth's HTML conversion, so headings, lists and tables keep their structure. */
export async function parseDocx(bytes: Uint8Array): Promise<{ title?: string; blocks: Block[] }> {
  const mammoth = (await import('mammoth')).default
  let html: string
  try {
    const result = await mammoth.convertToHtml(
      { buffer: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) },
      // Images would be inlined as base64 data URIs: useless for text and large.
      { convertImage: mammoth.images.imgElement(async () => ({ src: '' })), ignoreEmptyParagraphs: true },
    )
    html = result.value
  } catch (cause) {
    throw new ParseFailed('This Word document could not be read; it may be damaged.', { cause })
  }
  return parseHtml(html)
}
