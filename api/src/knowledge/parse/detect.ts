import { fileTypeFromBuffer } from 'file-type'
import type { DocType } from './blocks'
import { checkSize, limitsOf, UnsupportedFile, type ParseLimits } from './limits'
import { inspectZip } from './zip'

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

/** {@link detectType}, keeping the decoded text of a textual file for its parser. */
export async function sniff(
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
