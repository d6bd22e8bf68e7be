import yauzl from 'yauzl'
import { ArchiveBomb, formatBytes, KnowledgeFileError, UnsupportedFile, type ParseLimits } from './limits'

/**
 * Reads a zip's directory with yauzl and refuses archive bombs before any parser inflates it: too many
 * entries, a declared total above the limit, or a large entry compressed more than the ratio allows.
 * The declared sizes can lie, so every entry is then inflated as a stream with yauzl's size validation,
 * which aborts as soon as an entry produces more bytes than it declared. The work is therefore bounded
 * by the declared total, which was checked first. Returns the entry names.
 */
export async function inspectZip(bytes: Uint8Array, limits: Required<ParseLimits>): Promise<Set<string>> {
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
