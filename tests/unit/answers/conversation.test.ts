import { describe, expect, it } from 'vitest'
import { followUpQuery, replyOf, smallTalkOf, withoutGreeting } from '../../../api/src/answers/conversation'
import { coverage, termsOf } from '../../../api/src/answers/terms'
import { findHumanRequest } from '../../../api/src/escalation/human-request'
import { confidentLanguage, conversationLanguage, detectLanguage } from '../../../api/src/text/language'

describe('small talk, yes and no, in seven languages', () => {
  it.each([
    ['Bonjour', 'greeting'],
    ['Hallo!', 'greeting'],
    ['Buongiorno', 'greeting'],
    ['merci beaucoup', 'thanks'],
    ['thanks!', 'thanks'],
    ['Vielen Dank!', 'thanks'],
    ['Dank je wel', 'thanks'],
    ['Au revoir', 'goodbye'],
    ['Quels sont les délais ?', null],
    ['Bonjour, quels sont les délais ?', null],
  ])('%s -> %s', (text, kind) => expect(smallTalkOf(text)).toBe(kind))

  it.each([
    ['oui', 'yes'],
    ['Oui merci', 'yes'],
    ['Sí, por favor', 'yes'],
    ['sim', 'yes'],
    ['ja gerne', 'yes'],
    ['certo', 'yes'],
    ['ja graag', 'yes'],
    ['no thanks', 'no'],
    ['non merci', 'no'],
    ['nein danke', 'no'],
    ['Comment retourner un article ?', null],
  ])('%s -> %s', (text, reply) => expect(replyOf(text)).toBe(reply))

  it('drops a greeting in front of a question', () => {
    expect(withoutGreeting('Bonjour, quels sont les délais ?')).toBe('quels sont les délais ?')
  })
})

describe('follow-ups take the previous topic only when they have none', () => {
  it('keeps a question with its own topic as it is', () => {
    expect(followUpQuery('Quand serai-je remboursé ?', 'Comment retourner un article ?')).toBeNull()
  })
  it('swaps the country of the previous question', () => {
    const q = followUpQuery('and for Belgium?', 'Do you deliver to France?')!
    expect(q).toContain('deliver')
    expect(q).toContain('Belgium')
    expect(q).not.toContain('France')
  })
  it('completes a message with no content of its own', () => {
    expect(followUpQuery('how much is it?', 'Do you have express delivery?')).toContain('express delivery')
  })
})

describe('terms and coverage', () => {
  const passage = termsOf('Nous livrons en France métropolitaine en 2 à 4 jours ouvrés avec Colissimo.')
  it('sees a country the passage does not name', () => {
    expect(coverage(termsOf('Do you ship to Canada?'), passage).missingEntities).toEqual(['canada'])
    expect(coverage(termsOf("Ma commande n°4512 n'est pas arrivée"), passage).missingEntities).toEqual([
      '4512',
    ])
  })
  it("does not require an order's number of a question about returning, refunding or cancelling it", () => {
    const returns = termsOf('You have 30 days after delivery to return an unworn item with its tag.')
    expect(coverage(termsOf('How do I return order 4512?'), returns).missingEntities).toEqual([])
    expect(coverage(termsOf('Comment annuler ma commande 4512 ?'), returns).missingEntities).toEqual([])
    // A question about the order itself still needs its number.
    expect(coverage(termsOf('My order 4512 has not arrived'), returns).missingEntities).toEqual(['4512'])
  })
  it('meets the same concept across languages', () => {
    expect(coverage(termsOf('Wie lange dauert die Lieferung?'), passage).share).toBe(1)
    expect(coverage(termsOf('How long does delivery take?'), passage).share).toBe(1)
  })
})

describe('languages', () => {
  it.each([
    ['Quand serai-je remboursé ?', 'en', 'fr'],
    ['Wie lange dauert die Lieferung?', 'en', 'de'],
    ['Quanto costa la spedizione?', 'en', 'it'],
    ['Hoe lang duurt de levering?', 'en', 'nl'],
    ['¿Hacen envíos a Canadá?', 'en', 'es'],
    // "ê" is Portuguese as much as French.
    ['Que formas de pagamento vocês aceitam?', 'en', 'pt'],
    ['Come faccio a restituire delle scarpe?', 'en', 'it'],
    ['ok', 'fr', 'fr'],
  ] as const)('%s (conversation in %s) -> %s', (text, fallback, lang) =>
    expect(detectLanguage(text, fallback)).toBe(lang),
  )
  it.each([
    'Ich möchte mit einem Menschen sprechen',
    'Vorrei parlare con un operatore',
    'Ik wil met een medewerker praten',
  ])('%s asks for a person', (text) => expect(findHumanRequest(text)).not.toBeNull())
})

describe('a stable conversation language', () => {
  it.each([
    ['ok', null],
    ['no', null],
    ['agent', null],
    ['Ja, gerne', null],
    ['Nimbus X200', null],
    ['How much does shipping cost?', 'en'],
    ['Livrez-vous au Canada ?', 'fr'],
    ['¿Envían a Canadá?', 'es'],
    ['Ik wil met een medewerker praten', 'nl'],
  ] as const)('%s is surely in %s', (text, lang) => expect(confidentLanguage(text)).toBe(lang))

  it('keeps the conversation language on a short message, switches on a sure one, guesses a first one', () => {
    expect(conversationLanguage('no', 'fr')).toBe('fr')
    expect(conversationLanguage('Nimbus X200', 'de')).toBe('de')
    expect(conversationLanguage('How much does shipping cost?', 'fr')).toBe('en')
    expect(conversationLanguage('Livraison ?', null)).toBe('fr')
  })
})
