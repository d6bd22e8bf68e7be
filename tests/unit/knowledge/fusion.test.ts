import { describe, expect, it } from 'vitest'
import type { Queryable } from '../../../api/src/db/tx'
import type { Embedder } from '../../../api/src/knowledge/embedder'
import {
  confidenceOf,
  fuse,
  retrieve,
  type FusedScores,
  type TextHit,
} from '../../../api/src/knowledge/search'
import type { VectorHit, VectorQuery, VectorStore } from '../../../api/src/knowledge/vector-store'

/**
 * How retrieval fuses the vector list and the full-text list into one ranking, and what it reports
 * for each passage. Calibrations (search.ts): a 'local…' model maps similarity 0.12..0.5 to 0..1 and
 * weighs it 0.1; any other model maps 0.3..0.75 and weighs it 0.5. Full text counts 0.3 coverage +
 * 0.7 rank relative to the list's best rank.
 */

const LOCAL = 'local-hash-v1'
const NEURAL = 'text-embedding-3-small'
const ids = (fused: [string, FusedScores][]) => fused.map(([id]) => id)
const scoresOf = (fused: [string, FusedScores][], id: string) => fused.find(([x]) => x === id)?.[1]

describe('weighted fusion', () => {
  it('weighs calibrated similarity by the embedder and text by 0.3 coverage + 0.7 relative rank', () => {
    const fused = fuse(
      [{ id: 'v', similarity: 0.31 }], // local: (0.31 - 0.12) / 0.38 = 0.5 evidence
      [{ chunk_id: 't', rank: 0.5, coverage: 1 }],
      LOCAL,
      'weighted',
      10,
    )
    expect(scoresOf(fused, 'v')!.fused).toBeCloseTo(0.1 * 0.5, 10)
    // The only full-text hit is the list's best: relative rank 1.
    expect(scoresOf(fused, 't')!.fused).toBeCloseTo(0.9 * (0.3 * 1 + 0.7 * 1), 10)
    expect(ids(fused)).toEqual(['t', 'v'])
  })

  it('gives a neural model half the weight, on its own similarity scale', () => {
    const fused = fuse(
      [{ id: 'v', similarity: 0.525 }], // neural: (0.525 - 0.3) / 0.45 = 0.5 evidence
      [{ chunk_id: 't', rank: 0, coverage: 0.5 }],
      NEURAL,
      'weighted',
      10,
    )
    expect(scoresOf(fused, 'v')!.fused).toBeCloseTo(0.5 * 0.5, 10)
    expect(scoresOf(fused, 't')!.fused).toBeCloseTo(0.5 * 0.3 * 0.5, 10)
    // Under the local calibration the same similarity is full evidence (above 0.5), weighed 0.1.
    const local = fuse([{ id: 'v', similarity: 0.525 }], [], LOCAL, 'weighted', 10)
    expect(scoresOf(local, 'v')!.fused).toBeCloseTo(0.1, 10)
  })

  it('clamps similarity evidence to 0..1', () => {
    const fused = fuse(
      [
        { id: 'high', similarity: 0.99 },
        { id: 'low', similarity: -0.4 },
      ],
      [],
      LOCAL,
      'weighted',
      10,
    )
    expect(scoresOf(fused, 'high')!.fused).toBeCloseTo(0.1, 10)
    expect(scoresOf(fused, 'low')!.fused).toBe(0)
  })

  it('adds both signals for a chunk found by both lists, which then outranks either alone', () => {
    const fused = fuse(
      [
        { id: 'both', similarity: 0.4 },
        { id: 'vec', similarity: 0.45 },
      ],
      [
        { chunk_id: 'text', rank: 0.65, coverage: 0.6 },
        { chunk_id: 'both', rank: 0.6, coverage: 0.7 },
      ],
      LOCAL,
      'weighted',
      10,
    )
    const both = scoresOf(fused, 'both')!
    expect(both).toMatchObject({ similarity: 0.4, rank: 0.6, coverage: 0.7 })
    expect(both.fused).toBeCloseTo(0.1 * ((0.4 - 0.12) / 0.38) + 0.9 * (0.3 * 0.7 + 0.7 * (0.6 / 0.65)), 10)
    expect(ids(fused)[0]).toBe('both')
    expect(scoresOf(fused, 'vec')).toMatchObject({ rank: null, coverage: null })
    expect(scoresOf(fused, 'text')).toMatchObject({ similarity: null })
  })

  it('keeps the best k', () => {
    const text: TextHit[] = Array.from({ length: 8 }, (_, i) => ({
      chunk_id: `c${i}`,
      rank: 1 - i / 10,
      coverage: 1 - i / 10,
    }))
    expect(ids(fuse([], text, LOCAL, 'weighted', 3))).toEqual(['c0', 'c1', 'c2'])
    expect(fuse([], [], LOCAL, 'weighted', 3)).toEqual([])
  })
})

describe('reciprocal rank fusion', () => {
  it('scores 1 / (60 + position) in each list, ignoring the raw scores', () => {
    const fused = fuse(
      [
        { id: 'a', similarity: 0.01 },
        { id: 'b', similarity: 0.99 },
      ],
      [{ chunk_id: 'a', rank: 0.01, coverage: 0.01 }],
      LOCAL,
      'rrf',
      10,
    )
    expect(scoresOf(fused, 'a')!.fused).toBeCloseTo(1 / 61 + 1 / 61, 12)
    expect(scoresOf(fused, 'b')!.fused).toBeCloseTo(1 / 62, 12)
    expect(ids(fused)).toEqual(['a', 'b'])
  })

  it('breaks a tie by coverage, then by similarity', () => {
    // y is first by vector and second by text; x the reverse: equal RRF scores. x covers more of
    // the question, y is the closer vector: coverage decides.
    const tie = fuse(
      [
        { id: 'y', similarity: 0.5 },
        { id: 'x', similarity: 0.4 },
      ],
      [
        { chunk_id: 'x', rank: 0.1, coverage: 0.9 },
        { chunk_id: 'y', rank: 0.9, coverage: 0.6 },
      ],
      LOCAL,
      'rrf',
      10,
    )
    expect(scoresOf(tie, 'x')!.fused).toBe(scoresOf(tie, 'y')!.fused)
    expect(ids(tie)).toEqual(['x', 'y'])

    const sameCoverage = fuse(
      [
        { id: 'x', similarity: 0.4 },
        { id: 'y', similarity: 0.5 },
      ],
      [
        { chunk_id: 'y', rank: 0.9, coverage: 0.6 },
        { chunk_id: 'x', rank: 0.1, coverage: 0.6 },
      ],
      LOCAL,
      'rrf',
      10,
    )
    expect(ids(sameCoverage)).toEqual(['y', 'x'])
  })
})

describe('confidence', () => {
  const scores = (similarity: number | null, coverage: number | null): FusedScores => ({
    similarity,
    coverage,
    rank: null,
    fused: 0,
  })

  it('is the stronger signal, raised by a quarter of the weaker one, capped at 1', () => {
    // local: similarity 0.31 -> 0.5 evidence.
    expect(confidenceOf(LOCAL, scores(0.31, 0.4))).toBeCloseTo(0.5 + 0.25 * 0.4, 10)
    expect(confidenceOf(LOCAL, scores(0.31, 0.8))).toBeCloseTo(0.8 + 0.25 * 0.5, 10)
    expect(confidenceOf(LOCAL, scores(0.5, 1))).toBe(1)
  })

  it('counts a missing signal as none', () => {
    expect(confidenceOf(LOCAL, scores(null, 0.6))).toBeCloseTo(0.6, 10)
    expect(confidenceOf(NEURAL, scores(0.525, null))).toBeCloseTo(0.5, 10)
    expect(confidenceOf(NEURAL, scores(null, null))).toBe(0)
  })
})

describe('retrieve', () => {
  interface Row {
    id: string
    tenant_id: string | null
  }
  /** A pool that answers the full-text query with `text` and the final read with the visible `rows`. */
  function fakes(opts: {
    vector: VectorHit[]
    text: TextHit[]
    rows: Row[]
    embedFails?: boolean
    model?: string
  }) {
    const queries: { sql: string; params: unknown[] }[] = []
    const searches: VectorQuery[] = []
    const pool = {
      async query(text: string | { text: string; values: unknown[] }, values?: unknown[]) {
        // Plan-sensitive reads come as a config object (never prepared: db/database.ts).
        const [sql, params] = typeof text === 'string' ? [text, values!] : [text.text, text.values]
        queries.push({ sql, params })
        if (sql.includes('search_chunks_text')) return { rows: opts.text }
        const [wanted, tenant] = params as [string[], string]
        return {
          rows: opts.rows
            .filter((r) => wanted.includes(r.id) && (r.tenant_id === tenant || r.tenant_id === null))
            .map((r) => ({
              id: r.id,
              source_id: 'src',
              kind: 'document',
              title: `title ${r.id}`,
              heading_path: null,
              content: `content ${r.id}`,
              url: null,
              page_number: null,
              language: 'en',
            })),
        }
      },
    } as unknown as Queryable
    const store: VectorStore = {
      name: 'fake',
      async upsert() {},
      async deleteSource() {},
      async deleteIds() {},
      async search(_model, q) {
        searches.push(q)
        return opts.vector
      },
    }
    const embedder: Embedder = {
      model: opts.model ?? LOCAL,
      dimension: 3,
      async embed() {
        if (opts.embedFails) throw new Error('embeddings server down')
        return [[1, 0, 0]]
      },
    }
    return { r: { pool, store, embedder }, queries, searches }
  }

  it('fuses with the weighted method by default and returns passages in fused order', async () => {
    const { r, searches } = fakes({
      vector: [
        { id: 'a', similarity: 0.5 },
        { id: 'b', similarity: 0.2 },
      ],
      text: [{ chunk_id: 'b', rank: 1, coverage: 1 }],
      rows: [
        { id: 'a', tenant_id: 't1' },
        { id: 'b', tenant_id: 't1' },
      ],
    })
    const passages = await retrieve(r, { tenant_id: 't1', bot_id: null, query: 'q', k: 5 })
    // b: 0.1 * (0.08 / 0.38) + 0.9 * 1 ≈ 0.921; a: 0.1 * 1 = 0.1.
    expect(passages.map((p) => p.chunk_id)).toEqual(['b', 'a'])
    expect(passages[0].scores).toEqual({ text_rank: 1, coverage: 1, similarity: 0.2, fused: 0.92105 })
    expect(passages[0].confidence).toBe(1)
    expect(passages[1].confidence).toBe(1)
    expect(passages[1].scores.coverage).toBeNull()
    // The vector search asks for a wider list than k.
    expect(searches[0]).toMatchObject({ tenant_id: 't1', bot_id: null, k: 20 })

    const rrf = await retrieve(r, { tenant_id: 't1', bot_id: null, query: 'q', k: 5, fusion: 'rrf' })
    expect(rrf.map((p) => p.chunk_id)).toEqual(['b', 'a'])
    expect(rrf[0].scores.fused).toBe(Number((1 / 62 + 1 / 61).toFixed(5)))
  })

  it('drops fused ids the final tenant-filtered read does not return', async () => {
    const { r, queries } = fakes({
      vector: [
        { id: 'other-tenant', similarity: 0.5 },
        { id: 'global', similarity: 0.4 },
      ],
      text: [],
      rows: [
        { id: 'other-tenant', tenant_id: 't2' },
        { id: 'global', tenant_id: null },
      ],
    })
    const passages = await retrieve(r, { tenant_id: 't1', bot_id: 'bot', query: 'q', k: 5 })
    expect(passages.map((p) => p.chunk_id)).toEqual(['global'])
    // The read is filtered by tenant, and so is the full-text ranking of the vector hits full text missed.
    expect(queries.at(-1)!.params).toEqual([
      ['other-tenant', 'global'],
      't1',
      'bot',
      'q',
      ['other-tenant', 'global'],
      null,
    ])
  })

  it('still answers from full-text search when the embedder fails', async () => {
    const { r, searches } = fakes({
      vector: [{ id: 'v', similarity: 0.9 }],
      text: [{ chunk_id: 't', rank: 0.5, coverage: 0.5 }],
      rows: [
        { id: 'v', tenant_id: 't1' },
        { id: 't', tenant_id: 't1' },
      ],
      embedFails: true,
    })
    const passages = await retrieve(r, { tenant_id: 't1', bot_id: null, query: 'q', k: 5 })
    expect(searches).toHaveLength(0)
    expect(passages.map((p) => p.chunk_id)).toEqual(['t'])
    expect(passages[0].scores.similarity).toBeNull()
  })

  it('returns nothing without reading chunks when neither list has a hit', async () => {
    const { r, queries } = fakes({ vector: [], text: [], rows: [] })
    expect(await retrieve(r, { tenant_id: 't1', bot_id: null, query: 'q', k: 5 })).toEqual([])
    expect(queries).toHaveLength(1)
  })
})
