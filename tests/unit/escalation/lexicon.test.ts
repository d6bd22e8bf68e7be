import { describe, expect, it } from 'vitest'
import { sentimentOf } from '../../../api/src/escalation/lexicon'
import { fold, holdsWord, words } from '../../../api/src/text/fold'

describe('fold', () => {
  it('drops case, Latin accents and curly apostrophes, keeps other scripts', () => {
    expect(fold('  Je veux parler à un HUMAIN  ')).toBe('je veux parler a un humain')
    expect(fold('Ça coûte combien ? Straße, Œuvre')).toBe('ca coute combien ? strasse, oeuvre')
    expect(fold('c’est')).toBe("c'est")
    expect(fold('नमस्ते')).toBe('नमस्ते'.normalize('NFKD'))
  })

  it('finds a word only where words() would cut it out whole', () => {
    const text = fold('La consegna della Solano, di solito: 9 € (Solano-2).')
    for (const w of ['solano', 'solito', 'consegna', '9', 'della', 'di', '2'])
      expect(holdsWord(text, w), w).toBe(words(text).includes(w))
    expect(holdsWord(text, 'sol')).toBe(false)
    expect(holdsWord(text, 'solan')).toBe(false)
    // Found whole after a first place where it is part of a longer word.
    expect(holdsWord('solanos, solano', 'solano')).toBe(true)
    // A letter outside the basic plane is a letter too, not a boundary, on either side.
    expect(holdsWord('𝐀solano', 'solano')).toBe(false)
    expect(holdsWord('solano𝐀', 'solano')).toBe(false)
    expect(holdsWord('𝐀 solano', 'solano')).toBe(true)
    // Half a pair (a lone low surrogate) is no letter: a boundary.
    expect(holdsWord('a\udc00solano', 'solano')).toBe(true)
    // A combining mark is part of the word (text not folded: the accent stays a mark).
    expect(holdsWord('solano\u0301', 'solano')).toBe(false)
  })
})

describe('sentimentOf', () => {
  const cases: [string, string, 'negative' | 'neutral' | 'positive', string?][] = [
    ['en negative', 'This is terrible, my order is broken', 'negative', 'terrible'],
    ['en negation of praise', 'This is not good', 'negative', 'not good'],
    ['en negated complaint is not negative', 'not bad at all', 'neutral'],
    ['en positive', 'Thanks, that was really helpful', 'positive', 'helpful'],
    ['en phrase', "it doesn't work", 'negative', "doesn't work"],
    ['fr negative', 'Service nul, je suis très déçu', 'negative', 'decu'],
    ['fr ne ... pas', 'Je ne suis pas content', 'negative', 'pas content'],
    ['fr ne marche pas', 'Ça ne marche pas', 'negative', 'ne marche pas'],
    ['fr positive with accents dropped', 'Génial, merci beaucoup !', 'positive', 'genial'],
    ['fr intensified adjective', 'super lent', 'negative', 'lent'],
    ['es negative', 'Es una estafa, pésimo servicio', 'negative', 'estafa'],
    ['es no funciona', 'La app no funciona', 'negative', 'no funciona'],
    ['es positive', 'Muchas gracias, excelente', 'positive', 'excelente'],
    ['pt negative', 'Péssimo atendimento, estou irritado', 'negative', 'pessimo'],
    ['pt não funciona', 'o site não funciona', 'negative', 'nao funciona'],
    ['pt positive', 'Muito obrigado, resolvido!', 'positive', 'muito obrigado'],
    ['shouting is negative', 'WHERE IS MY ORDER', 'negative', 'CAPS'],
    ['angry punctuation', 'Where is my order!!!', 'negative', '!!!'],
    ['excited thanks stays positive', 'Thank you so much!!!', 'positive', '!!!'],
    ['neutral question', 'Quels sont les délais de livraison ?', 'neutral'],
    ['a negation does not cross a comma', 'No, thanks!', 'positive'],
    ['empty', '', 'neutral'],
  ]
  it.each(cases)('%s', (_name, text, sentiment, word) => {
    const r = sentimentOf(text)
    expect(r.sentiment).toBe(sentiment)
    expect(r.score).toBeGreaterThanOrEqual(-1)
    expect(r.score).toBeLessThanOrEqual(1)
    if (word) expect(r.matched).toContain(word)
  })

  it('scores follow the label and intensity', () => {
    expect(sentimentOf('bad').score).toBeLessThan(0)
    expect(sentimentOf('very bad').score).toBeLessThan(sentimentOf('bad').score)
    expect(sentimentOf('great').score).toBeGreaterThan(0)
    expect(sentimentOf('hello').score).toBe(0)
  })
})
