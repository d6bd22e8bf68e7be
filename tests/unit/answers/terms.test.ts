import { describe, expect, it } from 'vitest'
import { coverage, expandedQuery, pivotQuery, termsOf } from '../../../api/src/answers/terms'
import { countriesIn } from '../../../api/src/answers/countries'

const keys = (text: string) => termsOf(text).map((t) => t.key)

describe('countries', () => {
  const france = termsOf('Nous livrons en France métropolitaine en 2 à 4 jours ouvrés avec Colissimo.')

  it('knows every country in the seven languages, not only a hand-written few', () => {
    // German writes every noun with a capital: a country is still a specific word there.
    expect(coverage(termsOf('Versenden Sie nach Polen?'), france).missingEntities).toEqual(['polen'])
    expect(coverage(termsOf('Livrez-vous en Autriche ?'), france).missingEntities).toEqual(['autriche'])
    expect(coverage(termsOf('¿Envían a Noruega?'), france).missingEntities).toEqual(['noruega'])
    // The country the passage names is not missing, whatever the language it is written in.
    expect(coverage(termsOf('Liefern Sie nach Frankreich?'), france).missingEntities).toEqual([])
  })

  it('is the same term whichever name a visitor uses', () => {
    expect(keys('Livrez-vous au Royaume-Uni ?')).toContain('c:uk')
    expect(keys('Do you ship to the United Kingdom?')).toContain('c:uk')
    expect(keys('Liefern Sie nach Polen?')).toEqual(expect.arrayContaining(keys('Livrez-vous en Pologne ?')))
  })

  it('needs a capital: a jersey is not the island', () => {
    expect(countriesIn('Do you have this jersey in blue?')).toEqual([])
    expect(termsOf('Do you have this jersey in blue?').some((t) => t.kind === 'entity')).toBe(false)
  })

  it("asks another language's knowledge with the country's name in that language", () => {
    expect(pivotQuery(termsOf('Versenden Sie nach Polen?'), 'fr')).toMatch(/Pologne/)
  })
})

describe('phrases', () => {
  it("counts a phrase's words once, as the phrase", () => {
    expect(keys('I want my money back')).toEqual(['c:refund'])
  })
  it('finds a phrasal verb around its object, and keeps the object', () => {
    expect(keys('Could I send this item back?')).toEqual(['c:return', 'item'])
    expect(keys('Hoe stuur ik mijn schoenen terug?')).toEqual(['c:return', 'schoenen'])
  })
  it("searches with the lexicon's words in the question's language too", () => {
    const q = "What's the price of the Express option?"
    expect(expandedQuery(q, termsOf(q), 'en')).toBe(`${q} cost`)
    expect(expandedQuery('How much does shipping cost?', termsOf('How much does shipping cost?'), 'en')).toBe(
      'How much does shipping cost? delivery',
    )
  })
  it('matches a phrase from the start of a word only', () => {
    // "vous estimez" holds "ou est" ("where is"), which is no question about tracking.
    expect(keys('Vous estimez le délai ?')).not.toContain('c:track')
    expect(keys('Où est mon colis ?')).toContain('c:track')
  })
})
