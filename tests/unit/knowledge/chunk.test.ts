import { describe, expect, it } from 'vitest'
import { chunkBlocks, chunkPlainText, estimateTokens, type Chunk } from '../../../api/src/knowledge/chunk'
import { parseMarkdown, type Block } from '../../../api/src/knowledge/parse'

/**
 * Chunking decides what a visitor sees quoted and cited: a passage must belong to one section, carry
 * the headings that locate it, keep tables readable (header included) and lists whole, and never be
 * larger than the model's budget.
 */

/** `n` distinct, numbered sentences of about 12 tokens each, so tests can tell which ones landed where. */
const prose = (tag: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `${tag} sentence number ${i + 1} explains one detail of the policy.`,
  ).join(' ')
const h = (level: number, text: string): Block => ({ kind: 'heading', level, text })
const p = (text: string, page?: number): Block => ({ kind: 'paragraph', text, ...(page && { page }) })

function sentencesIn(chunks: Chunk[]) {
  return chunks.flatMap((c) => c.content.match(/\w+ sentence number \d+/g) ?? [])
}

describe('estimateTokens', () => {
  it('counts four characters per token, and each CJK character as one', () => {
    expect(estimateTokens('abcd'.repeat(25))).toBe(25)
    expect(estimateTokens('')).toBe(0)
    expect(estimateTokens('配送について')).toBe(6)
  })
})

describe('chunkBlocks', () => {
  it('keeps each chunk inside its section, with the heading path for citations', () => {
    const { blocks } = parseMarkdown(
      [
        '# Shipping',
        prose('Ship', 10),
        '## International',
        prose('Intl', 10),
        '### Customs',
        prose('Customs', 10),
        '# Returns',
        prose('Ret', 10),
      ].join('\n\n'),
    )
    const chunks = chunkBlocks(blocks, { title: 'Help' })
    expect(chunks.map((c) => c.heading_path)).toEqual([
      ['Shipping'],
      ['Shipping', 'International'],
      ['Shipping', 'International', 'Customs'],
      ['Returns'],
    ])
    expect(chunks.map((c) => c.title)).toEqual(['Shipping', 'International', 'Customs', 'Returns'])
    expect(chunks.map((c) => c.index)).toEqual([0, 1, 2, 3])
    expect(chunks[1].content).toContain('Intl sentence number 1 ')
    expect(chunks[1].content).not.toMatch(/Ship |Customs /)
  })

  it('uses the source title for text without headings', () => {
    const [chunk] = chunkBlocks([p('Open 9 to 5.')], { title: 'Opening hours' })
    expect(chunk).toMatchObject({ title: 'Opening hours', heading_path: [], content: 'Open 9 to 5.' })
  })

  it('merges tiny subsections under their shared parent, never across a top-level heading', () => {
    const blocks = [
      h(1, 'Payment'),
      h(2, 'Cards'),
      p('Visa and Mastercard.'),
      h(2, 'PayPal'),
      p('PayPal is accepted.'),
      h(1, 'Accounts'),
      p('Sign in with e-mail.'),
    ]
    const chunks = chunkBlocks(blocks)
    expect(chunks).toHaveLength(2)
    expect(chunks[0].heading_path).toEqual(['Payment'])
    // The merged subsections keep their names inside the passage.
    expect(chunks[0].content).toBe('Cards\n\nVisa and Mastercard.\n\nPayPal\n\nPayPal is accepted.')
    expect(chunks[1]).toMatchObject({ heading_path: ['Accounts'], content: 'Sign in with e-mail.' })
  })

  it('cuts a long section between sentences into even parts, each starting with the end of the previous one', () => {
    const chunks = chunkBlocks([h(1, 'Refunds'), p(prose('Ref', 80))], {
      targetTokens: 200,
      overlapTokens: 30,
      maxTokens: 300,
    })
    expect(chunks.length).toBeGreaterThan(3)
    for (let i = 1; i < chunks.length; i++) {
      // The continuation opens with the previous chunk's last whole sentences, within the overlap budget.
      const previous = chunks[i - 1].content.match(/Ref sentence number \d+ [^.]*\./g)!
      const overlap = previous
        .map((_, j) => previous.slice(j).join(' '))
        .find((tail) => chunks[i].content.startsWith(tail))
      expect(overlap).toBeDefined()
      expect(estimateTokens(overlap!)).toBeLessThanOrEqual(30)
      expect(chunks[i].heading_path).toEqual(['Refunds'])
      expect(chunks[i].tokens).toBeLessThanOrEqual(200)
    }
    // Nothing is lost, and each sentence is whole somewhere.
    const seen = new Set(sentencesIn(chunks))
    for (let n = 1; n <= 80; n++) expect(seen.has(`Ref sentence number ${n}`)).toBe(true)
    // Even parts: the last one is not a stray fragment.
    const sizes = chunks.map((c) => c.tokens)
    expect(Math.min(...sizes)).toBeGreaterThan(Math.max(...sizes) / 2)
  })

  it('does not carry overlap from one section into the next', () => {
    const chunks = chunkBlocks([h(1, 'A'), p(prose('Alpha', 60)), h(1, 'B'), p(prose('Beta', 60))], {
      targetTokens: 200,
    })
    const firstOfB = chunks.find((c) => c.heading_path[0] === 'B')!
    expect(firstOfB.content.startsWith('Beta sentence number 1 ')).toBe(true)
  })

  it('keeps a list whole when it fits, even if that leaves the previous chunk short', () => {
    const list = Array.from(
      { length: 25 },
      (_, i) => `- Option ${i + 1}: pay by method number ${i + 1}`,
    ).join('\n')
    const chunks = chunkBlocks([h(1, 'Payment'), p(prose('Pay', 20)), { kind: 'list', text: list }])
    const holder = chunks.filter((c) => c.content.includes('- Option'))
    expect(holder).toHaveLength(1)
    expect(holder[0].content).toContain(list)
  })

  it('splits a list too big for one chunk between items, never inside one, nested items staying with their parent', () => {
    const items = Array.from(
      { length: 60 },
      (_, i) => `- Country ${i + 1} ships in ${i + 2} days\n  - customs form ${i + 1} required`,
    )
    const chunks = chunkBlocks([{ kind: 'list', text: items.join('\n') }], {
      targetTokens: 120,
      overlapTokens: 20,
      maxTokens: 200,
    })
    expect(chunks.length).toBeGreaterThan(1)
    for (const c of chunks) {
      const lines = c.content.split('\n')
      expect(lines[0]).toMatch(/^- Country \d+ ships/)
      for (let i = 0; i < lines.length; i += 2)
        expect(lines[i + 1]).toBe(`  - customs form ${lines[i].match(/\d+/)![0]} required`)
    }
    expect(chunks.map((c) => c.content).join('\n')).toBe(items.join('\n'))
  })

  it('repeats the header row in every part of a split table, and loses no row', () => {
    const header = 'Country | Standard | Express | Price'
    const rows = Array.from(
      { length: 120 },
      (_, i) => `Country ${i + 1} | ${(i % 9) + 2} days | ${(i % 3) + 1} days | ${i + 5} EUR`,
    )
    const chunks = chunkBlocks([h(1, 'Rates'), { kind: 'table', text: [header, ...rows].join('\n') }])
    expect(chunks.length).toBeGreaterThan(2)
    for (const c of chunks) {
      expect(c.content.split('\n')[0]).toBe(header)
      expect(c.heading_path).toEqual(['Rates'])
    }
    const body = chunks.flatMap((c) => c.content.split('\n').slice(1))
    expect(body).toEqual(rows)
  })

  it('never produces a chunk above maxTokens, whatever the input', () => {
    const blocks: Block[] = [
      h(1, 'Edge cases'),
      p('word '.repeat(3000)), // no punctuation at all
      p('x'.repeat(10_000)), // one enormous "word"
      p('配送には三日から五日かかります。'.repeat(200)), // CJK without spaces
      { kind: 'table', text: `A | B\n${'cell '.repeat(1500)} | end` }, // a single giant row
      { kind: 'code', text: Array.from({ length: 400 }, (_, i) => `line ${i} = compute(${i});`).join('\n') },
      { kind: 'list', text: `- ${'item '.repeat(2000)}` },
      p(prose('Tail', 200)),
    ]
    for (const opts of [
      {},
      { targetTokens: 100, overlapTokens: 20, maxTokens: 150 },
      { targetTokens: 50, overlapTokens: 0, maxTokens: 50 },
    ]) {
      const chunks = chunkBlocks(blocks, opts)
      const max = opts.maxTokens ?? 600
      for (const c of chunks) {
        expect(c.tokens).toBeLessThanOrEqual(max)
        expect(c.tokens).toBe(estimateTokens(c.content))
        expect(c.content.trim()).not.toBe('')
      }
    }
  })

  it('records the page each chunk starts on', () => {
    const chunks = chunkBlocks([h(1, 'Guide'), p(prose('One', 12), 1), p(prose('Two', 12), 2)], {
      targetTokens: 300,
    })
    expect(chunks.map((c) => c.page)).toEqual([1, 2])
  })

  it('rejects inconsistent options', () => {
    expect(() => chunkBlocks([], { targetTokens: 100, maxTokens: 50 })).toThrow(RangeError)
    expect(() => chunkBlocks([], { targetTokens: 100, overlapTokens: 100 })).toThrow(RangeError)
  })
})

describe('chunkPlainText', () => {
  it('chunks pasted text and FAQ answers with the same rules', () => {
    const chunks = chunkPlainText(
      `Our store is open every day.\n\n- Monday to Friday: 9-18\n- Saturday: 10-16\n\n${prose('Faq', 60)}`,
      {
        title: 'Opening hours',
        targetTokens: 200,
      },
    )
    expect(chunks[0]).toMatchObject({ title: 'Opening hours', heading_path: [] })
    expect(chunks[0].content).toContain('- Monday to Friday: 9-18\n- Saturday: 10-16')
    expect(new Set(sentencesIn(chunks)).size).toBe(60)
  })

  it('returns nothing for blank text', () => {
    expect(chunkPlainText('  \n\n ')).toEqual([])
  })
})
