/** The structure every format ends in: the chunker turns these blocks into citable passages. */

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

/** Whitespace (and no-break spaces) collapsed to single spaces, trimmed. */
export function collapse(s: string): string {
  return s.replace(/[\s\u00a0]+/g, ' ').trim()
}
