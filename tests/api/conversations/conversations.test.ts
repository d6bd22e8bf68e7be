import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, onServer, type TestApp } from '../../helpers/app'
import { startFakeOpenAI, type FakeOpenAI } from '../../helpers/fake-openai'

/**
 * Conversations as visitors have them with the demo shop (extractive answers, no model): each case is
 * a list of visitor turns and what the last one must get. The evaluation set's figures are in the
 * benchmark (bench/answers-eval.ts), not here.
 */
type Expect =
  { answer: string | RegExp } | { declines: true } | { escalates: true } | { greets: string | RegExp }

interface Case {
  name: string
  turns: string[]
  expect: Expect
  /** What the model path must give instead, when it differs (a model writes its own lead-in). */
  model?: Expect
  /**
   * Needs vector search (pgvector): skipped on a server without it, where retrieval is full-text only
   * and the case's wording gap ("price" for "costs") is not bridged.
   */
  vectors?: true
}

const CASES: Case[] = [
  {
    name: 'fr: a covered question',
    turns: ['Quels sont les délais de livraison ?'],
    expect: { answer: /2 à 4 jours/ },
  },
  // The fake model quotes passage [1] up to its first full stop ("costs €4."): the model path checks that.
  {
    name: 'en: a covered question',
    turns: ['How much does shipping cost?'],
    expect: { answer: /€4\.90/ },
    model: { answer: /shipping costs €4/ },
  },
  { name: 'en: a near miss (Canada)', turns: ['Do you ship to Canada?'], expect: { declines: true } },
  { name: 'en: a near miss (Belgium)', turns: ['Do you deliver to Belgium?'], expect: { declines: true } },
  {
    name: 'fr: an order number the knowledge cannot know',
    turns: ["ma commande n°4512 n'est pas arrivée"],
    expect: { declines: true },
  },
  { name: 'fr: not covered', turns: ['Vendez-vous des voitures ?'], expect: { declines: true } },
  {
    name: 'fr: a follow-up with its own topic',
    turns: ['Comment retourner un article ?', 'Quand serai-je remboursé ?'],
    expect: { answer: /5 jours ouvrés/ },
  },
  {
    name: 'en: a follow-up with only a country',
    turns: ['How long does delivery take?', 'and for Belgium?'],
    expect: { declines: true },
  },
  {
    name: 'fr: yes to the offer of a person',
    turns: ['Vendez-vous des voitures ?', 'oui'],
    expect: { escalates: true },
  },
  {
    name: 'de: yes to the offer of a person',
    turns: ['Verkaufen Sie Autos?', 'Ja, gerne'],
    expect: { escalates: true },
  },
  {
    name: 'en: no to the offer of a person',
    turns: ['Do you sell cars?', 'no thanks'],
    expect: { greets: /What else can I help you with/ },
  },
  { name: 'fr: a greeting', turns: ['Bonjour'], expect: { greets: /Bonjour ! Comment puis-je vous aider/ } },
  {
    name: 'fr: thanks',
    turns: ['Quels sont les délais de livraison ?', 'merci beaucoup'],
    expect: { greets: /Avec plaisir/ },
  },
  { name: 'en: thanks', turns: ['thanks!'], expect: { greets: /You're welcome/ } },
  { name: 'de: a greeting', turns: ['Hallo!'], expect: { greets: /Wie kann ich Ihnen helfen/ } },
  {
    name: 'de: asks for a person',
    turns: ['Ich möchte mit einem Menschen sprechen'],
    expect: { escalates: true },
  },
  { name: 'it: asks for a person', turns: ['Vorrei parlare con un operatore'], expect: { escalates: true } },
  { name: 'nl: asks for a person', turns: ['Ik wil met een medewerker praten'], expect: { escalates: true } },
  {
    name: 'de: French/English knowledge, answered in German',
    turns: ['Wie lange dauert die Lieferung?'],
    expect: { answer: /^Unsere Hilfe ist auf Englisch verfasst:[\s\S]*2 to 4 business days/ },
    model: { answer: /2 (to|à) 4/ },
  },
  {
    name: 'es: French/English knowledge, answered in Spanish',
    turns: ['¿Cuánto cuesta el envío?'],
    expect: { answer: /^Nuestra ayuda está escrita en inglés:[\s\S]*€4\.90/ },
    model: { answer: /shipping costs €4|livraison standard coûte 4/ },
  },
  {
    name: 'de: a country no hand-written list names',
    turns: ['Versenden Sie nach Polen?'],
    expect: { declines: true },
  },
  {
    name: 'pt: French/English knowledge found through the lexicon, answered in Portuguese',
    turns: ['Que formas de pagamento vocês aceitam?'],
    expect: { answer: /^A nossa ajuda está escrita em (inglês|francês):[\s\S]*PayPal/ },
    model: { answer: /PayPal/ },
  },
  {
    name: 'it: a return gets the returns passage, not the refunds one that also says "return"',
    turns: ['Come faccio a restituire delle scarpe?'],
    expect: { answer: /30 (days|jours)/ },
  },
  {
    name: 'en: the passage says it in other words ("price" and "costs"): the sentence with the price',
    turns: ["What's the price of the Express option?"],
    expect: { answer: /^Express shipping costs €9\.90/ },
    model: { answer: /shipping costs/ },
    vectors: true,
  },
  {
    name: 'en: a phrasal verb around its object',
    turns: ['Could I send these shoes back?'],
    expect: { answer: /30 days/ },
  },
  {
    name: 'nl: a separable verb around its object',
    turns: ['Hoe stuur ik mijn schoenen terug?'],
    expect: { answer: /30 days/ },
    model: { answer: /30 (days|jours)/ },
  },
  {
    name: 'fr: the answer stays in French',
    turns: ['Comment retourner un article ?', 'Quand serai-je remboursé ?'],
    expect: { answer: /^(?!Here is)/ },
  },
]

async function run(t: TestApp, turns: string[], want: Expect) {
  const v = await t.visitor()
  let body: any
  for (const turn of turns) {
    const res = await v.send(turn)
    expect(res.status).toBe(200)
    body = await res.json()
  }
  const reply = body.reply
  if ('escalates' in want) {
    expect(body.escalation, JSON.stringify(reply?.content)).toBeTruthy()
    return
  }
  expect(body.escalation).toBeFalsy()
  expect(reply).toBeTruthy()
  if ('declines' in want) {
    expect(reply.suggest_human, reply.content).toBe(true)
    expect(reply.sources, reply.content).toHaveLength(0)
  } else if ('greets' in want) {
    expect(reply.content).toMatch(want.greets)
  } else {
    expect(reply.content).toMatch(want.answer)
  }
}

describe('conversations with the demo shop (no model)', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    await t.deps.worker!.drain()
  })
  afterAll(async () => {
    await t.close()
  })
  it.for(CASES)('$name', ({ turns, expect: want, vectors }, { skip }) => {
    if (vectors && onServer()) skip()
    return run(t, turns, want)
  })
})

describe('the same conversations with a model (the think prompt rewrites follow-ups)', () => {
  let t: TestApp
  let llm: FakeOpenAI
  beforeAll(async () => {
    llm = await startFakeOpenAI()
    t = await createTestApp({ LLM_API_KEY: 'test-key', LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-model' })
    await t.deps.worker!.drain()
  })
  afterAll(async () => {
    await t.close()
    await llm.close()
  })
  it.for(CASES)('$name', ({ turns, expect: want, model, vectors }, { skip }) => {
    if (vectors && onServer()) skip()
    return run(t, turns, model ?? want)
  })
})
