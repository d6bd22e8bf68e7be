import { describe, expect, it } from 'vitest'
import { termsOf } from '../../../api/src/answers/terms'
import { IMPROVEMENT_MIN_SHARE, matchScore, prepareImprovement } from '../../../api/src/feedback/match'

/** Which visitor questions an improved answer to "How long does delivery take?" answers. */
describe('matchScore', () => {
  const delivery = prepareImprovement('How long does delivery take?', [])
  const matches = (q: string, p = delivery) => matchScore(termsOf(q), p) >= IMPROVEMENT_MIN_SHARE

  it('answers the same question, its paraphrases and other languages', () => {
    for (const q of [
      'How long does delivery take?',
      'How many days for shipping?',
      'How long does it take to get my delivery?',
      'Combien de temps prend la livraison ?',
      'Quel est le délai de livraison ?',
      'Wie lange dauert die Lieferung?',
    ])
      expect(matches(q), q).toBe(true)
  })

  it('does not answer another question on the same topic, or one naming what it does not', () => {
    for (const q of [
      'How much does delivery cost?',
      'Do you deliver?',
      'How long does delivery to Canada take?',
      'Can I return an item?',
      'Hello',
    ])
      expect(matches(q), q).toBe(false)
  })

  it('keywords let other words name the question', () => {
    const warranty = prepareImprovement('Is the zebrafinch warranty transferable?', [
      'resale',
      'second owner',
    ])
    expect(matches('Does the warranty pass to a second owner?', warranty)).toBe(true)
    expect(matches('Is the zebrafinch warranty transferable?', warranty)).toBe(true)
    expect(matches('How long is the warranty?', warranty)).toBe(false)
  })
})
