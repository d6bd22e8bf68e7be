import { describe, expect, it } from 'vitest'
import { csvCell } from '../../../api/src/analytics/csv'
import { factsOf, hasRepeatedQuestion } from '../../../api/src/analytics/facts'
import { histogramPercentile, PER_DOUBLING } from '../../../api/src/analytics/rollup'

describe('csvCell', () => {
  it('neutralises what a spreadsheet would run, and quotes what would break the row', () => {
    expect(csvCell('=1+1')).toBe("'=1+1")
    expect(csvCell('+33 6 12')).toBe("'+33 6 12")
    expect(csvCell('-2')).toBe("'-2")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\tx')).toBe("'\tx")
    expect(csvCell('\rx')).toBe(`"'\rx"`)
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('line\nbreak')).toBe('"line\nbreak"')
    // Our own numbers stay numbers.
    expect(csvCell(-1.5)).toBe('-1.5')
    expect(csvCell(null)).toBe('')
  })
})

describe('repeated questions', () => {
  it('the same question in other words or another language is a repeat; a new question is not', () => {
    expect(hasRepeatedQuestion(['Comment choisir ma taille ?', 'Et pour choisir ma taille ?'])).toBe(true)
    expect(
      hasRepeatedQuestion(['How long does shipping take?', 'Quels sont les délais de livraison ?']),
    ).toBe(true)
    expect(hasRepeatedQuestion(['How long does shipping take?', 'How do I get a refund?'])).toBe(false)
    expect(hasRepeatedQuestion(['Do you ship to France?', 'Do you ship to Belgium?'])).toBe(false)
  })
})

describe('factsOf', () => {
  const base = { created_at: 0, resolved_at: null, csat: null, escalations: [], thumbs_up: 0, thumbs_down: 0 }
  it('an answer followed by the visitor leaving after a decline is not resolved', () => {
    const f = factsOf({
      ...base,
      messages: [
        { type: 'user', content: 'Do you sell cars?', at: 1000, decline: false },
        { type: 'ai', content: null, at: 3000, decline: true },
      ],
    })
    expect(f).toMatchObject({ ai_resolved: false, abandoned_after_decline: true, first_response_s: 2 })
  })
  it('a decline the visitor moved on from, then an answer, is resolved', () => {
    const f = factsOf({
      ...base,
      messages: [
        { type: 'user', content: 'Do you sell cars?', at: 0, decline: false },
        { type: 'ai', content: null, at: 1000, decline: true },
        { type: 'user', content: 'How long does shipping take?', at: 5000, decline: false },
        { type: 'ai', content: null, at: 6000, decline: false },
      ],
    })
    expect(f).toMatchObject({ ai_resolved: true, resolution_s: 6 })
  })
})

describe('histogram percentiles', () => {
  it('stay within a bucket (9 %) of the exact interpolated percentile', () => {
    const values = Array.from({ length: 2000 }, (_, i) => 1 + ((i * 7919) % 600) + (i % 13) / 10)
    const counts = new Map<number, number>()
    for (const v of values) {
      const b = Math.floor(PER_DOUBLING * Math.log2(v + 1))
      counts.set(b, (counts.get(b) ?? 0) + 1)
    }
    const sorted = [...values].sort((a, b) => a - b)
    for (const p of [0.5, 0.9]) {
      const rank = p * (sorted.length - 1)
      const exact =
        sorted[Math.floor(rank)]! + (rank % 1) * (sorted[Math.ceil(rank)]! - sorted[Math.floor(rank)]!)
      const approx = histogramPercentile(counts, p)!
      expect(Math.abs(approx - exact) / exact).toBeLessThan(0.09)
    }
    expect(histogramPercentile(new Map(), 0.5)).toBeNull()
  })
})
