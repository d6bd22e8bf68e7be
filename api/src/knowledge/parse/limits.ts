/** What an upload may be (size, and a DOCX's zip), and the errors an upload can end in. */

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

const DEFAULT_PARSE_LIMITS: Required<ParseLimits> = {
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

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1).replace(/\.0$/, '')} MB`
  if (n >= 1024) return `${Math.round(n / 1024)} KB`
  return `${n} bytes`
}

export function limitsOf(limits?: ParseLimits): Required<ParseLimits> {
  return { ...DEFAULT_PARSE_LIMITS, ...limits }
}

export function checkSize(bytes: Uint8Array, limits: Required<ParseLimits>) {
  if (bytes.byteLength > limits.maxBytes) throw new FileTooLarge(bytes.byteLength, limits.maxBytes)
  if (bytes.byteLength === 0) throw new UnsupportedFile('The file is empty.')
}
