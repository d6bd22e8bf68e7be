import type { Queryable } from '../db/tx'
import { fold, holdsWord, words } from '../text/fold'
import type { Lang } from '../text/language'
import type { Embedder } from './embedder'
import type { VectorHit, VectorStore } from './vector-store'

/** A retrieved passage with what a citation and a confidence threshold need. */
export interface Passage {
  chunk_id: string
  source_id: string
  source_kind: string
  title: string | null
  heading_path: string[]
  content: string
  url: string | null
  page_number: number | null
  language: string
  scores: { text_rank: number | null; coverage: number | null; similarity: number | null; fused: number }
  /** 0..1: how sure retrieval is that this passage speaks to the question. */
  confidence: number
}

export type Fusion = 'rrf' | 'weighted'

interface RetrieveOptions {
  tenant_id: string
  bot_id: string | null
  query: string
  k: number
  fusion?: Fusion
  /**
   * The question's language: passages written in it are matched by its stems only, passages in other
   * languages by any language's (migration 20261130000121). Without it, every passage by any stem.
   */
  language?: Lang
}

interface Retriever {
  pool: Queryable
  store: VectorStore
  embedder: Embedder
}

/** RRF's constant: 60 is the value of the original paper and works without tuning. */
const RRF_K = 60

/**
 * What a cosine similarity is worth depends on the embedder. The local hashing embedder scores related
 * passages lower than a neural model does (lo/hi map a similarity to 0..1 evidence), and it matches
 * words, not meanings, its neighbours crowding together as a table grows. Since full text ranks by
 * BM25 (migration 20261130000100), the local embedder's similarity weighs 0.1 in weighted fusion
 * (bench/retrieval.ts at 10k passages, 145 same-language questions in seven languages: recall@5 / MRR
 * 0.834 / 0.794 at 0.1, 0.828 / 0.784 at 0.2, 0.814 / 0.766 at 0.3; plain BM25 0.834 / 0.770). A neural
 * model keeps 0.5 (not measured here: no embeddings server).
 */
function calibration(model: string) {
  return model.startsWith('local') ? { lo: 0.12, hi: 0.5, weight: 0.1 } : { lo: 0.3, hi: 0.75, weight: 0.5 }
}

/** Full-text evidence: mostly the BM25 rank relative to the list's best, some coverage. */
const TEXT_COVERAGE_WEIGHT = 0.3

function similarityEvidence(model: string, similarity: number) {
  const { lo, hi } = calibration(model)
  return Math.min(1, Math.max(0, (similarity - lo) / (hi - lo)))
}

/**
 * Hybrid retrieval: nearest vectors (the configured store) and Postgres full-text search, each over
 * the tenant's chunks plus global knowledge, fused into one ranking: 'weighted' by default (blends
 * calibrated similarity with coverage and rank; it beat RRF on the measured sets), 'rrf' on request
 * (rank-based, needs no common scale). The final rows are read from Postgres with the tenant filter
 * again, so a store can never surface another tenant's text; the same statement has full text rank the
 * vector hits its search did not find, and the candidates are fused again with those ranks.
 */
export async function retrieve(r: Retriever, o: RetrieveOptions): Promise<Passage[]> {
  const wide = Math.max(o.k * 4, 20)
  const [vectorHits, { rows: textHits }] = await Promise.all([
    r.embedder
      .embed([o.query])
      .then(([v]) =>
        r.store.search(r.embedder.model, { tenant_id: o.tenant_id, bot_id: o.bot_id, vector: v!, k: wide }),
      )
      // The embeddings server being down must not stop answers: full-text search still works.
      .catch((): VectorHit[] => []),
    r.pool.query<TextHit>(`select chunk_id, rank, coverage from search_chunks_text($1, $2, $3, $4, $5)`, [
      o.tenant_id,
      o.bot_id,
      o.query,
      wide,
      o.language ?? null,
    ]),
  ])

  // Full text ranks, in the statement that reads the candidates, the vector hits it did not rank: a
  // passage lacking two of the question's common words is no full-text candidate (migration 122).
  const ranked = new Set(textHits.map((h) => h.chunk_id))
  const unranked = vectorHits.filter((h) => !ranked.has(h.id)).map((h) => h.id)
  // Weighted fusion won on the measured sets (bench/retrieval.ts). It keeps 3k candidates, whose text
  // is read for the words as written (exactEvidence) before the k best are kept.
  const fusion = o.fusion ?? 'weighted'
  const keep = fusion === 'weighted' ? 3 * o.k : o.k
  const first = fuse(vectorHits, textHits, r.embedder.model, fusion, keep)
  if (!first.length) return []

  // Planned with its values at each call (a config object is never prepared: db/database.ts).
  const { rows } = await r.pool.query({
    text: `select c.id, c.source_id, s.kind, c.title, c.heading_path, c.content, coalesce(c.url, s.url) as url, c.page_number, c.language,
              t.rank, t.coverage
       from knowledge_chunks c join knowledge_sources s on s.id = c.source_id
       left join score_chunks_text($2, $3, $4, $5::uuid[], $6) t on t.chunk_id = c.id
      where c.id = any($1::uuid[]) and (c.tenant_id = $2 or c.tenant_id is null) and c.is_active`,
    values: [
      [...new Set([...first.map(([id]) => id), ...unranked])],
      o.tenant_id,
      o.bot_id,
      o.query,
      unranked,
      o.language ?? null,
    ],
  })
  const rowById = new Map(rows.map((row) => [row.id as string, row]))
  // A vector hit holding none of the question's words keeps no text rank (null, as before).
  const scored = rows.filter((row) => row.coverage > 0)
  let top = scored.length
    ? fuse(
        vectorHits,
        [
          ...textHits,
          ...scored.map((row) => ({ chunk_id: row.id as string, rank: row.rank, coverage: row.coverage })),
        ].sort((a, b) => b.rank - a.rank),
        r.embedder.model,
        fusion,
        keep,
      )
    : first
  if (fusion === 'weighted') {
    const exact = exactEvidence(
      o.query,
      top.flatMap(([id]) => {
        const row = rowById.get(id)
        return row ? [{ id, text: `${row.title ?? ''} ${row.content}` }] : []
      }),
    )
    for (const [id, e] of top) e.fused += EXACT_WEIGHT * (exact.get(id) ?? 0)
    top = top.sort(byFused).slice(0, o.k)
  }
  return top.flatMap(([id, e]) => {
    const row = rowById.get(id)
    if (!row) return []
    const confidence = confidenceOf(r.embedder.model, e)
    return [
      {
        chunk_id: id,
        source_id: row.source_id,
        source_kind: row.kind,
        title: row.title,
        heading_path: row.heading_path ?? [],
        content: row.content,
        url: row.url,
        page_number: row.page_number,
        language: row.language,
        scores: {
          text_rank: e.rank,
          coverage: e.coverage,
          similarity: e.similarity,
          fused: Number(e.fused.toFixed(5)),
        },
        confidence: Number(confidence.toFixed(3)),
      },
    ]
  })
}

/** A full-text hit, as search_chunks_text returns it. */
export interface TextHit {
  chunk_id: string
  rank: number
  coverage: number
}

/** One chunk's scores from both lists, and their fusion. */
export interface FusedScores {
  similarity: number | null
  rank: number | null
  coverage: number | null
  fused: number
}

/**
 * Fuses the vector list and the full-text list (each best first) into one ranking of at most k chunk
 * ids. 'weighted' blends calibrated similarity (the embedder's weight) with 0.3 coverage + 0.7 rank
 * (BM25, divided by the best rank in the list: how close to the best full-text match a passage is);
 * 'rrf' adds 1 / (60 + position) from each list.
 */
export function fuse(
  vectorHits: VectorHit[],
  textHits: TextHit[],
  model: string,
  fusion: Fusion,
  k: number,
): [string, FusedScores][] {
  const byId = new Map<string, FusedScores>()
  const entry = (id: string) => {
    let e = byId.get(id)
    if (!e) byId.set(id, (e = { similarity: null, rank: null, coverage: null, fused: 0 }))
    return e
  }
  const wVec = calibration(model).weight
  vectorHits.forEach((h, i) => {
    const e = entry(h.id)
    e.similarity = h.similarity
    e.fused += fusion === 'rrf' ? 1 / (RRF_K + i + 1) : wVec * similarityEvidence(model, h.similarity)
  })
  const topRank = Math.max(1e-9, ...textHits.map((h) => h.rank))
  textHits.forEach((h, i) => {
    const e = entry(h.chunk_id)
    e.rank = h.rank
    e.coverage = h.coverage
    e.fused +=
      fusion === 'rrf'
        ? 1 / (RRF_K + i + 1)
        : (1 - wVec) * (TEXT_COVERAGE_WEIGHT * h.coverage + (1 - TEXT_COVERAGE_WEIGHT) * (h.rank / topRank))
  })
  return [...byId.entries()].sort(byFused).slice(0, k)
}

/**
 * Best fused score first. Ties are common under RRF (rank 1 in one list and 2 in the other, and the
 * reverse): the passage covering more of the question, then the closer vector, goes first.
 */
function byFused(a: [string, FusedScores], b: [string, FusedScores]) {
  return (
    b[1].fused - a[1].fused ||
    (b[1].coverage ?? 0) - (a[1].coverage ?? 0) ||
    (b[1].similarity ?? 0) - (a[1].similarity ?? 0)
  )
}

/**
 * What the words as written add to the stems (weighted fusion). Full text matches stems, and a stem
 * can stand for two words: Italian stems the brand "Solano" and "solito" (usually) alike, so every "di
 * solito" passage held the question's brand. Each passage gets the share of the question's words it
 * holds as written (folded: case and accents aside), each word weighed by its rarity among the 3k
 * best candidates (a word every candidate holds weighs nothing). bench/retrieval.ts at 10k passages,
 * 1,000 questions (k = 10), recall@5 same language / cross-language: 0.851 / 0.245 without, 0.859 /
 * 0.291 at 0.1, 0.860 / 0.344 at 0.3, 0.860 / 0.377 at 0.5 (same-language MRR 0.820 at 0.3, 0.817 at
 * 0.5). Italian ties BM25 from 0.1.
 */
const EXACT_WEIGHT = 0.3

/** At most this many of the question's words are looked for as written (full text keeps 10). */
const EXACT_WORDS = 30

/** Each passage's 0..1 share of the question's words as written, rarity-weighted among the passages. */
export function exactEvidence(query: string, passages: { id: string; text: string }[]): Map<string, number> {
  const asked = [...new Set(words(fold(query)))].filter((w) => w.length >= 3).slice(0, EXACT_WORDS)
  const held = passages.map((p) => {
    const text = fold(p.text)
    return { id: p.id, has: asked.map((w) => holdsWord(text, w)) }
  })
  const weights = asked.map((_, i) => {
    const n = held.filter((p) => p.has[i]).length
    return n === 0 ? 0 : Math.log(1 + (held.length - n + 0.5) / (n + 0.5))
  })
  const total = weights.reduce((a, b) => a + b, 0)
  const out = new Map<string, number>()
  if (!total) return out
  for (const p of held) out.set(p.id, p.has.reduce((sum, has, i) => sum + (has ? weights[i]! : 0), 0) / total)
  return out
}

/**
 * 0..1: how sure retrieval is that a passage speaks to the question, from its coverage and its
 * calibrated similarity. Two independent signals agreeing is stronger evidence than either alone.
 */
export function confidenceOf(model: string, e: FusedScores): number {
  const sim = e.similarity === null ? 0 : similarityEvidence(model, e.similarity)
  const text = e.coverage ?? 0
  return Math.min(1, Math.max(text, sim) + 0.25 * Math.min(text, sim))
}
