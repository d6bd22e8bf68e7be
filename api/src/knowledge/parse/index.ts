import type { ParsedDocument } from './blocks'
import { sniff } from './detect'
import { parseHtml } from './html'
import { limitsOf, type ParseLimits } from './limits'
import { parseMarkdown, parseText } from './markdown'
import { parseDocx, parsePdf } from './pdf-docx'

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

export type { Block } from './blocks'
export { detectType } from './detect'
export { parseHtml } from './html'
export {
  ArchiveBomb,
  FileTooLarge,
  KnowledgeFileError,
  UnsupportedFile,
  type KnowledgeFileErrorCode,
} from './limits'
export { parseMarkdown, parseText } from './markdown'
