import { parseText, type Block } from './parse'

/**
 * Cutting parsed documents into passages for retrieval and citation.
 *
 * Chunks follow the document's structure: each belongs to one section, whose heading path it keeps
 * (['Shipping', 'International']) along with the page it starts on, so an answer can cite where a
 * passage came from. Lists and tables stay whole when they fit; longer ones are cut between items or
 * rows, and every part of a table repeats its header row so a row never loses its column names. When
 * a section needs several chunks, each continuation starts with the last sentences of the previous
 * one, so a fact split across the boundary is still found whole in one of them.
 */

interface ChunkOptions {
  /** The size a chunk is filled up to, in estimated tokens (default 350). */
  targetTokens?: number
  /** How much of the previous chunk's prose a continuation repeats (default 50). */
  overlapTokens?: number
  /** Hard ceiling: no chunk is larger (default 600). A whole list or table may use the room up to it. */
  maxTokens?: number
  /** The source's title, used as a chunk's title when the chunk has no heading. */
  title?: string
}

export interface Chunk {
  /** 0-based position in the source (knowledge_chunks.chunk_index). */
  index: number
  /** The chunk's deepest heading, else the source's title. */
  title?: string
  /** The headings above the chunk, outermost first (knowledge_chunks.heading_path). */
  heading_path: string[]
  content: string
  /** 1-based page the chunk starts on, for paged formats (PDF). */
  page?: number
  /** Estimated token count of `content` ({@link estimateTokens}). */
  tokens: number
}

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu

/**
 * Estimates how many tokens a text costs: one per four characters, plus one per CJK character.
 *
 * Why characters and not words: four characters per token is the rule of thumb OpenAI publishes for
 * its tokenizers, and it holds about as well for French, Spanish and Portuguese (long words cost more
 * tokens, which a per-word count misses), it needs no tokenizer download, and it also works for
 * scripts without spaces, where Chinese or Japanese characters are roughly a token each and would
 * count as a single "word". It errs on the high side for English, the safe side for a size ceiling.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(CJK)?.length ?? 0
  return Math.ceil((text.length - cjk) / 4) + cjk
}

interface Section {
  path: string[]
  blocks: Block[]
  tokens: number
}

interface Piece {
  text: string
  kind: Block['kind']
  page?: number
  tokens: number
  /** A part of a paragraph that was cut between sentences: the overlap leading into it reads as the same paragraph. */
  cont?: boolean
}

/**
 * Cuts blocks into chunks that respect the document's structure.
 *
 * - A chunk belongs to one section. Sections smaller than a quarter of the target are merged with
 *   their neighbours, but only under the same top-level heading: the merged chunk's heading path is
 *   the headings they share, and each merged section's own heading is kept as a line of the content.
 * - Paragraphs are filled up to `targetTokens`; a longer paragraph is cut between sentences into
 *   evenly sized parts.
 * - Lists and tables up to `maxTokens` stay whole; longer ones are cut between items or rows, each
 *   table part repeating the header row.
 * - A continuation chunk within a section begins with the last sentences (up to `overlapTokens`) of
 *   the previous chunk's prose.
 * - No chunk exceeds `maxTokens`.
 */
export function chunkBlocks(blocks: Block[], opts: ChunkOptions = {}): Chunk[] {
  const target = opts.targetTokens ?? 350
  const overlap = opts.overlapTokens ?? 50
  const max = opts.maxTokens ?? 600
  if (!(target > 0 && max >= target && overlap >= 0 && overlap < target)) {
    throw new RangeError('chunk options need 0 <= overlapTokens < targetTokens <= maxTokens')
  }
  const chunks: Chunk[] = []
  for (const group of mergeSmallSections(sections(blocks), target)) {
    const pieces = group.blocks.flatMap((b) => toPieces(b, target, overlap, max))
    for (const { content, page } of pack(pieces, target, overlap, max)) {
      chunks.push({
        index: chunks.length,
        title: group.path.at(-1) ?? opts.title,
        heading_path: group.path,
        content,
        ...(page !== undefined && { page }),
        tokens: estimateTokens(content),
      })
    }
  }
  return chunks
}

/**
 * Chunks plain text (an FAQ answer, pasted text): paragraphs on blank lines, bullet lines as lists,
 * then the same rules as {@link chunkBlocks}.
 */
export function chunkPlainText(text: string, opts: ChunkOptions = {}): Chunk[] {
  return chunkBlocks(parseText(text), opts)
}

/** Groups blocks under their heading path; sections without content are dropped (their headings live on in their children's paths). */
function sections(blocks: Block[]): Section[] {
  const out: Section[] = []
  const stack: { level: number; text: string }[] = []
  let current: Section = { path: [], blocks: [], tokens: 0 }
  for (const b of blocks) {
    if (b.kind === 'heading') {
      if (current.blocks.length) out.push(current)
      const level = b.level ?? 1
      while (stack.length && stack[stack.length - 1].level >= level) stack.pop()
      stack.push({ level, text: b.text.trim() })
      current = { path: stack.map((h) => h.text), blocks: [], tokens: 0 }
      continue
    }
    if (!b.text.trim()) continue
    current.blocks.push(b)
    current.tokens += estimateTokens(b.text)
  }
  if (current.blocks.length) out.push(current)
  return out
}

function commonPrefix(a: string[], b: string[]): string[] {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return a.slice(0, i)
}

/**
 * Merges runs of tiny sections that share a top-level heading, so a page of two-line subsections
 * does not become a pile of two-line chunks; a section of useful size keeps its own precise path.
 */
function mergeSmallSections(list: Section[], target: number): Section[] {
  const small = target / 4
  const groups: { members: Section[]; path: string[]; tokens: number }[] = []
  for (const s of list) {
    const g = groups[groups.length - 1]
    if (g) {
      const shared = commonPrefix(g.path, s.path)
      const extra = estimateTokens(s.path.slice(shared.length).join(' > ')) + 1
      if (
        shared.length >= 1 &&
        (g.tokens < small || s.tokens < small) &&
        g.tokens + s.tokens + extra <= target
      ) {
        g.members.push(s)
        g.path = shared
        g.tokens += s.tokens + extra
        continue
      }
    }
    groups.push({ members: [s], path: s.path, tokens: s.tokens })
  }
  return groups.map((g) => {
    if (g.members.length === 1) return g.members[0]
    const blocks: Block[] = []
    for (const m of g.members) {
      // The merged section's own headings become a line of the content, so its name still reads.
      const own = m.path.slice(g.path.length)
      if (own.length) blocks.push({ kind: 'paragraph', text: own.join(' > '), page: m.blocks[0]?.page })
      blocks.push(...m.blocks)
    }
    return { path: g.path, blocks, tokens: g.tokens }
  })
}

/** Turns a block into pieces no larger than the target (or, for a whole list or table, the maximum). */
function toPieces(b: Block, target: number, overlap: number, max: number): Piece[] {
  const text = b.text.trim()
  const tokens = estimateTokens(text)
  const piece = (t: string): Piece => ({ text: t, kind: b.kind, page: b.page, tokens: estimateTokens(t) })
  if (tokens <= target || ((b.kind === 'list' || b.kind === 'table') && tokens <= max)) return [piece(text)]
  if (b.kind === 'table') {
    const [header, ...rows] = text.split('\n')
    const budget = target - estimateTokens(header) - 1
    if (budget < target / 4) return packUnits(text.split('\n'), target).map(piece)
    return packUnits(rows, budget).map((part) => piece(`${header}\n${part}`))
  }
  if (b.kind === 'list') return packUnits(listItems(text), target).map(piece)
  if (b.kind === 'code') return packUnits(text.split('\n'), target).map(piece)
  // Prose leaves room for the overlap a continuation starts with, so that chunk stays near the target.
  return packUnits(sentences(text), target - overlap, true).map((t, i) => ({ ...piece(t), cont: i > 0 }))
}

/** List lines grouped by top-level item, so a nested item never leaves its parent. */
function listItems(text: string): string[] {
  const items: string[] = []
  for (const line of text.split('\n')) {
    if (/^\s/.test(line) && items.length) items[items.length - 1] += `\n${line}`
    else items.push(line)
  }
  return items
}

/** Sentence boundaries: end punctuation followed by space, and line breaks. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?…。！？])\s+|\n+/u)
    .map((s) => s.trim())
    .filter(Boolean)
}

/**
 * Packs units (rows, items, sentences, lines) into parts of at most `budget` tokens; a unit larger
 * than the budget is cut between words. With `balanced`, parts are evened out: 700 tokens become two
 * parts of about 350, not 350 + 340 + a stray 10 left over by rounding.
 */
function packUnits(units: string[], budget: number, balanced = false): string[] {
  const sep = balanced ? ' ' : '\n'
  const flat = units.flatMap((u) => (estimateTokens(u) > budget ? splitWords(u, budget) : [u]))
  const greedy = (limit: number) => {
    const parts: string[] = []
    let cur = ''
    for (const u of flat) {
      const next = cur ? `${cur}${sep}${u}` : u
      if (cur && estimateTokens(next) > limit) {
        parts.push(cur)
        cur = u
      } else cur = next
    }
    if (cur) parts.push(cur)
    return parts
  }
  const fewest = greedy(budget)
  if (!balanced || fewest.length < 2) return fewest
  // Units are not divisible: search for the smallest part size that still needs no more parts.
  let lo = estimateTokens(flat.join(sep)) / fewest.length
  let hi = budget
  for (let i = 0; i < 12 && hi - lo > 1; i++) {
    const mid = (lo + hi) / 2
    if (greedy(mid).length <= fewest.length) hi = mid
    else lo = mid
  }
  return greedy(hi)
}

/** Cuts a text between words into parts of at most `budget` tokens; a single huge "word" (CJK, a URL) is cut by characters. */
function splitWords(text: string, budget: number): string[] {
  const parts: string[] = []
  let cur = ''
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = cur ? `${cur} ${word}` : word
    if (estimateTokens(next) <= budget) {
      cur = next
      continue
    }
    if (cur) parts.push(cur)
    cur = ''
    if (estimateTokens(word) <= budget) {
      cur = word
      continue
    }
    let rest = word
    while (rest) {
      let n = Math.min(rest.length, budget * 4)
      while (n > 1 && estimateTokens(rest.slice(0, n)) > budget) n = Math.floor(n * 0.9)
      parts.push(rest.slice(0, n))
      rest = rest.slice(n)
    }
  }
  if (cur) parts.push(cur)
  return parts
}

/** The last sentences of a text, up to `budget` tokens; a last sentence longer than that gives its final words. */
function tail(text: string, budget: number): string {
  const list = sentences(text)
  let out = ''
  for (let i = list.length - 1; i >= 0; i--) {
    const next = out ? `${list[i]} ${out}` : list[i]
    if (estimateTokens(next) > budget) break
    out = next
  }
  if (out) return out
  const words = (list.at(-1) ?? '').split(/\s+/)
  const kept: string[] = []
  while (words.length && estimateTokens(['…', words[words.length - 1], ...kept].join(' ')) <= budget)
    kept.unshift(words.pop()!)
  return kept.length ? `… ${kept.join(' ')}` : ''
}

/** Fills chunks with pieces up to the target, adding the overlap at the start of each continuation. */
function pack(
  pieces: Piece[],
  target: number,
  overlap: number,
  max: number,
): { content: string; page?: number }[] {
  const out: { content: string; page?: number }[] = []
  let cur: Piece[] = []
  let lead = ''
  const join = (list: Piece[], extra: string) => {
    const body = list.map((p) => p.text).join('\n\n')
    if (!extra) return body
    return `${extra}${list[0]?.cont ? ' ' : '\n\n'}${body}`
  }
  const size = (list: Piece[], extra = '') => estimateTokens(join(list, extra))
  const emit = () => {
    if (!cur.length) return
    const content = join(cur, lead)
    out.push({ content, page: cur[0].page })
    const last = cur[cur.length - 1]
    // Only prose carries over: repeating table rows or list items out of context would confuse more than help.
    lead = overlap > 0 && last.kind === 'paragraph' ? tail(last.text, overlap) : ''
    cur = []
  }
  for (const p of pieces) {
    if (cur.length && size([...cur, p], lead) > target) emit()
    if (!cur.length && lead && size([p], lead) > max) lead = ''
    cur.push(p)
  }
  emit()
  return out
}
