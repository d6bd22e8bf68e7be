import { DomUtils, ElementType, parseDocument as parseHtmlDom } from 'htmlparser2'
import { fileTypeFromBuffer } from 'file-type'
import yauzl from 'yauzl'

/**
 * Turning an uploaded file into structured text for the knowledge base.
 *
 * The file's bytes decide what it is, never its name or the MIME type a client claims: a PDF renamed
 * `.txt` is read as a PDF, a PNG renamed `.pdf` is refused. Every format ends in the same
 * structure-preserving form (headings, paragraphs, lists, tables, code), which the chunker turns into
 * citable passages. Binary formats go through maintained parsers (unpdf for PDF, mammoth for DOCX,
 * htmlparser2 for HTML); only Markdown and plain text are split by hand, because splitting lines is
 * all they need.
 */

export type DocType = 'pdf' | 'docx' | 'html' | 'markdown' | 'text'

/** One structural unit of a document. Lists hold one item per line; tables one row per line, cells joined by " | ". */
export interface Block {
  kind: 'heading' | 'paragraph' | 'list' | 'table' | 'code'
  text: string
  /** Heading level, 1-6 (headings only). */
  level?: number
  /** 1-based page number, for formats that have pages (PDF). */
  page?: number
}

export interface ParsedDocument {
  type: DocType
  title?: string
  blocks: Block[]
}

/** Limits applied to an upload; every field has a safe default. */
export interface ParseLimits {
  /** Largest accepted file, in bytes (default 20 MB; the API passes its configured value). */
  maxBytes?: number
  /** Largest total uncompressed size of a DOCX's entries (default 50 MB). */
  maxUncompressedBytes?: number
  /** Most entries a DOCX may contain (default 2000). */
  maxEntries?: number
  /** Highest compression ratio accepted for a large entry (default 100, i.e. 100:1). */
  maxCompressionRatio?: number
  /** Entries at least this large (uncompressed) have their ratio checked (default 1 MB). */
  ratioCheckMinBytes?: number
}

export const DEFAULT_PARSE_LIMITS: Required<ParseLimits> = {
  maxBytes: 20 * 1024 * 1024,
  maxUncompressedBytes: 50 * 1024 * 1024,
  maxEntries: 2000,
  maxCompressionRatio: 100,
  ratioCheckMinBytes: 1024 * 1024,
}

export type KnowledgeFileErrorCode = 'unsupported_file' | 'file_too_large' | 'archive_bomb' | 'parse_failed'

/** Base class of the errors an upload can end in; `message` is written for the person who uploaded. */
export class KnowledgeFileError extends Error {
  constructor(
    readonly code: KnowledgeFileErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The bytes are not a supported format (images, executables, other archives, non-UTF-8 text). */
export class UnsupportedFile extends KnowledgeFileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unsupported_file', message, options)
  }
}

/** The file is over the size limit. */
export class FileTooLarge extends KnowledgeFileError {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super('file_too_large', `The file is ${formatBytes(size)}; the limit is ${formatBytes(limit)}.`)
  }
}

/** A DOCX whose zip would expand beyond the limits (a "zip bomb"), or lies about its sizes. */
export class ArchiveBomb extends KnowledgeFileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('archive_bomb', message, options)
  }
}

/** The format was recognised but its parser could not read the file (corrupt or encrypted). */
export class ParseFailed extends KnowledgeFileError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('parse_failed', message, options)
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`
  if (n >= 1024) return `${Math.round(n / 1024)} KB`
  return `${n} bytes`
}

function limitsOf(limits?: ParseLimits): Required<ParseLimits> {
  return { ...DEFAULT_PARSE_LIMITS, ...limits }
}

function checkSize(bytes: Uint8Array, limits: Required<ParseLimits>) {
  if (bytes.byteLength > limits.maxBytes) throw new FileTooLarge(bytes.byteLength, limits.maxBytes)
  if (bytes.byteLength === 0) throw new UnsupportedFile('The file is empty.')
}

// ---------------------------------------------------------------------------------------------------
// Type detection

const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]
const MARKDOWN_EXT = /\.(md|markdown|mdown|mkd|mdx)$/i
const PLAIN_EXT = /\.(txt|text|csv|log)$/i
/** file-type reports these for some text files; they go through the text checks instead of being refused. */
const TEXTUAL_TYPES = new Set(['xml', 'html', 'htm'])

/**
 * Decides a file's type from its bytes. PDF and other binary formats are recognised by file-type;
 * anything that is a zip must contain `word/document.xml` (checked in the zip's own directory, after
 * the archive-bomb checks) to count as DOCX; text must be valid UTF-8 without NUL bytes, and is HTML
 * when its content starts like HTML. The filename's extension only chooses between Markdown and plain
 * text, so a renamed file can never change how its bytes are parsed.
 *
 * @throws {UnsupportedFile} for images, executables, non-Word zips, invalid UTF-8 and the like.
 * @throws {FileTooLarge} over `limits.maxBytes`.
 * @throws {ArchiveBomb} for a zip over the expansion limits.
 */
export async function detectType(
  bytes: Uint8Array,
  filename?: string,
  limits?: ParseLimits,
): Promise<DocType> {
  return (await sniff(bytes, filename, limitsOf(limits))).type
}

async function sniff(
  bytes: Uint8Array,
  filename: string | undefined,
  limits: Required<ParseLimits>,
): Promise<{ type: DocType; text?: string }> {
  checkSize(bytes, limits)
  const isZip = ZIP_MAGIC.every((b, i) => bytes[i] === b)
  if (isZip) {
    // Our own look at the zip's directory, not file-type's verdict: the entry list is what mammoth will read.
    const entries = await inspectZip(bytes, limits)
    if (entries.has('word/document.xml')) return { type: 'docx' }
    throw new UnsupportedFile(
      'This zip archive is not a Word document (.docx); other archives are not supported.',
    )
  }
  let detected: Awaited<ReturnType<typeof fileTypeFromBuffer>>
  try {
    detected = await fileTypeFromBuffer(bytes)
  } catch (cause) {
    throw new UnsupportedFile('The file type could not be recognised.', { cause })
  }
  if (detected?.ext === 'pdf') return { type: 'pdf' }
  if (detected && !TEXTUAL_TYPES.has(detected.ext)) {
    throw new UnsupportedFile(
      `This file is ${article(detected.ext)} ${detected.ext.toUpperCase()} (${detected.mime}); supported files are PDF, Word (.docx), HTML, Markdown and plain text.`,
    )
  }
  const text = decodeText(bytes)
  if (looksLikeHtml(text)) return { type: 'html', text }
  if (filename && MARKDOWN_EXT.test(filename)) return { type: 'markdown', text }
  if (filename && PLAIN_EXT.test(filename)) return { type: 'text', text }
  return { type: looksLikeMarkdown(text) ? 'markdown' : 'text', text }
}

function article(word: string) {
  return /^[aeiou]/i.test(word) ? 'an' : 'a'
}

/** Strict UTF-8: a wrong encoding is refused rather than stored as mojibake. */
function decodeText(bytes: Uint8Array): string {
  if (bytes.includes(0))
    throw new UnsupportedFile('This file looks binary (it contains NUL bytes) and is not a supported format.')
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch (cause) {
    throw new UnsupportedFile('This text file is not valid UTF-8; save it as UTF-8 and upload it again.', {
      cause,
    })
  }
  // Control characters other than tabs, newlines and form feeds mean a binary format file-type does not know.
  const controls = text.match(/[\u0001-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0
  if (controls > Math.max(2, text.length / 1000)) {
    throw new UnsupportedFile('This file looks binary and is not a supported format.')
  }
  return text
}

function looksLikeHtml(text: string): boolean {
  // Skip leading whitespace, an XML declaration and comments, then look at the first tag.
  const head = text
    .slice(0, 4096)
    .replace(/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*/i, '')
    .toLowerCase()
  return /^<(!doctype\s+html|html|head|body|meta|title|p|div|h[1-6]|table|ul|ol|section|article|main|span|a|br)[\s>/]/.test(
    head,
  )
}

function looksLikeMarkdown(text: string): boolean {
  return /^(#{1,6}\s+\S|```|~~~|\|.+\|\s*$)/m.test(text.slice(0, 20_000))
}

// ---------------------------------------------------------------------------------------------------
// Zip inspection (archive-bomb defence)

/**
 * Reads a zip's directory with yauzl and refuses archive bombs before any parser inflates it: too many
 * entries, a declared total above the limit, or a large entry compressed more than the ratio allows.
 * The declared sizes can lie, so every entry is then inflated as a stream with yauzl's size validation,
 * which aborts as soon as an entry produces more bytes than it declared. The work is therefore bounded
 * by the declared total, which was checked first. Returns the entry names.
 */
async function inspectZip(bytes: Uint8Array, limits: Required<ParseLimits>): Promise<Set<string>> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let zip: yauzl.ZipFile
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(
        buffer,
        { lazyEntries: true, validateEntrySizes: true, strictFileNames: false },
        (err, z) => (err ? reject(err) : resolve(z)),
      ),
    )
  } catch (cause) {
    throw new UnsupportedFile('This zip archive is damaged and cannot be read.', { cause })
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close()
    throw new ArchiveBomb(
      `The archive has ${zip.entryCount} entries; at most ${limits.maxEntries} are accepted.`,
    )
  }
  const names = new Set<string>()
  let declared = 0
  let actual = 0
  try {
    await new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => {
        zip.close()
        reject(err)
      }
      zip.on('error', fail)
      zip.on('end', () => resolve())
      zip.on('entry', (entry: yauzl.Entry) => {
        names.add(entry.fileName)
        declared += entry.uncompressedSize
        if (declared > limits.maxUncompressedBytes) {
          return fail(
            new ArchiveBomb(
              `The document would expand to more than ${formatBytes(limits.maxUncompressedBytes)}; it is refused as a possible zip bomb.`,
            ),
          )
        }
        const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1)
        if (entry.uncompressedSize >= limits.ratioCheckMinBytes && ratio > limits.maxCompressionRatio) {
          return fail(
            new ArchiveBomb(
              `An entry of the document is compressed ${Math.round(ratio)}:1 (the limit is ${limits.maxCompressionRatio}:1); it is refused as a possible zip bomb.`,
            ),
          )
        }
        if (entry.fileName.endsWith('/')) return zip.readEntry()
        zip.openReadStream(entry, (err, stream) => {
          if (err) return fail(err)
          stream.on('data', (chunk: Buffer) => {
            actual += chunk.length
          })
          // yauzl destroys the stream with an error when an entry inflates past its declared size.
          stream.on('error', fail)
          stream.on('end', () => zip.readEntry())
        })
      })
      zip.readEntry()
    })
  } catch (cause) {
    if (cause instanceof KnowledgeFileError) throw cause
    const message = cause instanceof Error ? cause.message : String(cause)
    if (/too many bytes|expected \d+|size mismatch|invalid|zip64/i.test(message) && actual > 0) {
      throw new ArchiveBomb(
        'The archive lies about the size of its contents; it is refused as a possible zip bomb.',
        { cause },
      )
    }
    throw new UnsupportedFile('This zip archive is damaged and cannot be read.', { cause })
  }
  return names
}

// ---------------------------------------------------------------------------------------------------
// Parsing

/**
 * Parses an uploaded file into blocks, after {@link detectType} has decided its type from its bytes.
 * The title comes from the document itself (HTML `<title>`, PDF metadata, or the first level-1 heading).
 *
 * @throws {UnsupportedFile} {@link FileTooLarge} {@link ArchiveBomb} as {@link detectType} does.
 * @throws {ParseFailed} when the recognised format cannot be read (a corrupt or encrypted file).
 */
export async function parseDocument(
  bytes: Uint8Array,
  filename?: string,
  limits?: ParseLimits,
): Promise<ParsedDocument> {
  const { type, text } = await sniff(bytes, filename, limitsOf(limits))
  switch (type) {
    case 'pdf':
      return { type, ...(await parsePdf(bytes)) }
    case 'docx':
      return { type, ...(await parseDocx(bytes)) }
    case 'html':
      return { type, ...parseHtml(text!) }
    case 'markdown':
      return { type, ...parseMarkdown(text!) }
    case 'text':
      return { type, blocks: parseText(text!) }
  }
}

/** Tags whose content is page chrome or code, never knowledge. */
const DROPPED = new Set([
  'script',
  'style',
  'nav',
  'footer',
  'header',
  'aside',
  'noscript',
  'template',
  'svg',
  'iframe',
  'form',
  'button',
  'select',
  'head',
  'object',
  'canvas',
  'math',
])
/** Tags that end a paragraph: their text starts and ends a block. */
const BLOCK_TAGS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'blockquote',
  'dd',
  'dt',
  'dl',
  'figure',
  'figcaption',
  'address',
  'details',
  'summary',
  'li',
  'center',
  'hr',
  'body',
  'html',
])

type DomDoc = ReturnType<typeof parseHtmlDom>
type DomNode = DomDoc['children'][number]
type DomElement = Extract<DomNode, { name: string; attribs: Record<string, string> }>
type DomText = Extract<DomNode, { type: typeof ElementType.Text }>

const isText = (n: DomNode): n is DomText => n.type === ElementType.Text
/** Elements, including <script> and <style>, which domhandler types apart. */
const isElement = (n: DomNode): n is DomElement => ElementType.isTag(n)

/**
 * Parses HTML with htmlparser2 into blocks: headings, paragraphs, lists (one item per line, nested
 * items indented), tables (one row per line, cells joined by " | ") and preformatted code. Scripts,
 * styles and page chrome (nav, header, footer, aside, forms) are dropped. A `<header>` or `<footer>`
 * inside an `<article>` or `<main>` is kept: there it is the article's own heading, not site chrome.
 * Title: `<title>`, else the first `<h1>`.
 */
export function parseHtml(html: string): { title?: string; blocks: Block[] } {
  const dom = parseHtmlDom(html, { decodeEntities: true, lowerCaseTags: true })
  const blocks: Block[] = []
  let inline = ''
  const flush = () => {
    const text = inline
      .split('\n')
      .map((l) => collapse(l))
      .filter(Boolean)
      .join('\n')
    if (text) blocks.push({ kind: 'paragraph', text })
    inline = ''
  }
  const titleEl = DomUtils.findOne((e) => e.name === 'title', dom.children, true)
  let title = titleEl ? collapse(DomUtils.textContent(titleEl)) || undefined : undefined

  const walk = (node: DomNode, inContent: boolean) => {
    if (isText(node)) {
      inline += node.data
      return
    }
    if (!isElement(node)) return
    const el = node as DomElement
    const name = el.name
    if (DROPPED.has(name) && !((name === 'header' || name === 'footer') && inContent)) return
    const content = inContent || name === 'article' || name === 'main'
    const heading = /^h([1-6])$/.exec(name)
    if (heading) {
      flush()
      const text = collapse(textOf(el))
      if (text) {
        blocks.push({ kind: 'heading', text, level: Number(heading[1]) })
        if (!title && heading[1] === '1') title = text
      }
      return
    }
    if (name === 'br') {
      inline += '\n'
      return
    }
    if (name === 'ul' || name === 'ol') {
      flush()
      const lines = listLines(el, 0)
      if (lines.length) blocks.push({ kind: 'list', text: lines.join('\n') })
      return
    }
    if (name === 'table') {
      flush()
      const rows = tableRows(el)
      if (rows.length) blocks.push({ kind: 'table', text: rows.join('\n') })
      return
    }
    if (name === 'pre') {
      flush()
      const text = DomUtils.textContent(el).replace(/^\n+|\s+$/g, '')
      if (text) blocks.push({ kind: 'code', text })
      return
    }
    if (name === 'img') {
      // Alt text is the only knowledge an image carries for us.
      const alt = collapse(el.attribs.alt ?? '')
      if (alt) inline += ` ${alt} `
      return
    }
    const isBlock = BLOCK_TAGS.has(name)
    if (isBlock) flush()
    for (const child of el.children) walk(child as DomNode, content)
    if (isBlock) flush()
  }
  for (const child of dom.children) walk(child, false)
  flush()
  return { title, blocks }
}

/** Text of an element minus dropped tags, with <br> as a space. */
function textOf(el: DomElement): string {
  let out = ''
  const visit = (n: DomNode) => {
    if (isText(n)) out += n.data
    else if (isElement(n)) {
      const e = n as DomElement
      if (DROPPED.has(e.name)) return
      if (e.name === 'br') out += ' '
      else if (e.name === 'img' && e.attribs.alt) out += ` ${e.attribs.alt} `
      else {
        const block = BLOCK_TAGS.has(e.name) || e.name === 'td' || e.name === 'th'
        if (block) out += ' '
        for (const c of e.children) visit(c as DomNode)
        if (block) out += ' '
      }
    }
  }
  for (const c of el.children) visit(c as DomNode)
  return out
}

function listLines(list: DomElement, depth: number): string[] {
  const lines: string[] = []
  const ordered = list.name === 'ol'
  let n = Number(list.attribs.start) || 1
  for (const child of list.children) {
    if (!isElement(child)) continue
    const li = child as DomElement
    if (li.name !== 'li') {
      if (li.name === 'ul' || li.name === 'ol') lines.push(...listLines(li, depth + 1))
      continue
    }
    // The item's own text, without its nested lists, which follow as indented lines.
    const nested = li.children.filter((c) => isElement(c) && ['ul', 'ol'].includes((c as DomElement).name))
    const own = collapse(
      li.children
        .filter((c) => !nested.includes(c))
        .map((c) => (isElement(c) ? ` ${textOf(c as DomElement)} ` : isText(c) ? c.data : ''))
        .join(''),
    )
    const marker = ordered ? `${n++}.` : '-'
    if (own) lines.push(`${'  '.repeat(depth)}${marker} ${own}`)
    for (const sub of nested) lines.push(...listLines(sub as DomElement, depth + 1))
  }
  return lines
}

function tableRows(table: DomElement): string[] {
  const rows: string[] = []
  const visit = (el: DomElement) => {
    for (const child of el.children) {
      if (!isElement(child)) continue
      const c = child as DomElement
      if (c.name === 'tr') {
        const cells = c.children
          .filter((x) => isElement(x) && ['td', 'th'].includes((x as DomElement).name))
          .map((x) => collapse(textOf(x as DomElement)).replace(/\|/g, '/'))
        if (cells.some(Boolean)) rows.push(cells.join(' | '))
      } else if (['thead', 'tbody', 'tfoot'].includes(c.name)) visit(c)
      else if (c.name === 'caption') {
        const text = collapse(textOf(c))
        if (text) rows.unshift(text)
      }
    }
  }
  visit(table)
  return rows
}

function collapse(s: string): string {
  return s.replace(/[\s\u00a0]+/g, ' ').trim()
}

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

/**
 * PDF through unpdf (pdf.js). Text items are grouped into lines; a line set clearly larger than the
 * body text (the most used font size, by characters) and short is a heading, its level given by the
 * rank of its size; a vertical gap wider than about one and a half lines starts a new paragraph. Every
 * block keeps its page number for citations.
 */
async function parsePdf(bytes: Uint8Array): Promise<{ title?: string; blocks: Block[] }> {
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
async function parseDocx(bytes: Uint8Array): Promise<{ title?: string; blocks: Block[] }> {
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
