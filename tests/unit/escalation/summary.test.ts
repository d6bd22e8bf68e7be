import { describe, expect, it } from 'vitest'
import { SUMMARY_MAX, summarizeExtractive, type SummaryMessage } from '../../../api/src/escalation/summary'

const user = (content: string): SummaryMessage => ({ message_type: 'user', content })
const ai = (content: string, ai_metadata?: SummaryMessage['ai_metadata']): SummaryMessage => ({
  message_type: 'ai',
  content,
  ai_metadata,
})

describe('summarizeExtractive', () => {
  const conversation: SummaryMessage[] = [
    { message_type: 'system', content: 'Session started' },
    user('Quels sont les délais de livraison ?'),
    ai('La livraison prend 2 à 4 jours ouvrés. [1]', { confidence: 0.8 }),
    user('Vendez-vous des voitures ?'),
    ai(
      "Je n'ai pas trouvé de réponse fiable à cette question dans notre base de connaissances. Voulez-vous parler à un membre de l'équipe ?",
    ),
    user('Et les pièces détachées pour vélo ?'),
    ai('Hmm, here is something.', { suggest_human: true }),
    user('je veux parler à un humain'),
  ]

  it('gives first question, latest message, counts and what the bot could not answer', () => {
    const s = summarizeExtractive(conversation, 'en')
    expect(s).toBe(
      [
        'First question: "Quels sont les délais de livraison ?"',
        'Latest: "je veux parler à un humain"',
        'Messages: 4 from the visitor, 3 from the bot.',
        'Bot could not answer (2): "Vendez-vous des voitures ?"; "Et les pièces détachées pour vélo ?"',
      ].join('\n'),
    )
  })

  it('uses the labels of the language asked for', () => {
    const s = summarizeExtractive(conversation, 'fr-FR')
    expect(s).toMatch(/^Première question : |^Première question: /)
    expect(s).toContain('Sans réponse du bot (2)')
    expect(summarizeExtractive(conversation, 'pt')).toContain('Primeira pergunta')
    expect(summarizeExtractive(conversation, 'xx')).toContain('First question')
  })

  it('recognises "did not know" answers in several languages and low confidence', () => {
    for (const answer of [
      "I couldn't find a reliable answer to that in our knowledge base.",
      'No he encontrado una respuesta fiable a esa pregunta.',
      'Não encontrei uma resposta confiável para essa pergunta.',
    ]) {
      expect(summarizeExtractive([user('Q1?'), ai(answer), user('ok')])).toContain(
        'Bot could not answer (1): first question',
      )
    }
    expect(summarizeExtractive([user('Q1?'), ai('Maybe this.', { confidence: 0.1 })])).toContain(
      'could not answer (1)',
    )
    expect(summarizeExtractive([user('Q1?'), ai('Here it is.', { confidence: 0.9 })])).not.toContain(
      'could not answer',
    )
  })

  it('counts agents and skips a repeated latest line', () => {
    const s = summarizeExtractive([
      user('Help'),
      ai('Sure'),
      { message_type: 'agent', content: 'Hi, I am Ana' },
    ])
    expect(s).toBe('First question: "Help"\nMessages: 1 from the visitor, 1 from the bot, 1 from agents.')
  })

  it('stays within 600 characters, on one line per item', () => {
    const long = 'blah '.repeat(400)
    const many = Array.from({ length: 30 }, (_, i) => [user(`${long} ${i}`), ai("I don't know.")]).flat()
    const s = summarizeExtractive(many)
    expect(s.length).toBeLessThanOrEqual(SUMMARY_MAX)
    expect(s.split('\n').length).toBe(4)
    // The list gets the room left, and the count of the rest is never cut.
    expect(s).toMatch(/\nBot could not answer \(30\): first question; "blah[^"\n]*…" \+28$/)
  })

  it('says so when the visitor has not written', () => {
    expect(summarizeExtractive([], 'es')).toBe('Aún no hay mensajes del visitante.')
  })
})
