import { fold } from '../text/fold'

/**
 * A small multilingual sentiment lexicon (en, fr, es, pt), used for triage when no
 * language model is configured. It is deliberately simple and predictable: an owner reading a rule
 * trace can see which words decided the sentiment.
 */

export type Sentiment = 'negative' | 'neutral' | 'positive'

/** What {@link sentimentOf} found: the label, a score in [-1, 1] and the words that decided it. */
export interface SentimentResult {
  sentiment: Sentiment
  score: number
  matched: string[]
}

// Weights: 2 for strong words, 1 for ordinary ones. Words are written folded (no accents, lower case).
// Weak positives such as "works"/"funciona" are listed so that "no funciona" flips to negative.
const WORDS: Record<string, number> = {}
function add(weight: number, words: string): void {
  for (const w of words.trim().split(/\s+/)) WORDS[w] = weight
}

// English
add(
  -2,
  'terrible horrible awful furious scam fraud disgusting unacceptable worst useless ridiculous pathetic outraged',
)
add(
  -1,
  'bad angry annoyed upset disappointed disappointing broken problem issue wrong late slow poor hate complaint' +
    ' frustrated frustrating fail failed failing error missing lost damaged stolen rude sucks confusing',
)
add(
  1,
  'good great nice thanks thank helpful happy fine love perfect works working solved glad pleased awesome quick easy',
)
add(2, 'excellent amazing fantastic wonderful brilliant outstanding superb')
// French
add(
  -2,
  'horrible inadmissible scandaleux scandale arnaque escroquerie nul nulle furieux furieuse honteux honte inacceptable lamentable degoutant',
)
add(
  -1,
  'mauvais mauvaise probleme souci erreur panne casse cassee retard lent lente perdu perdue endommage decu decue mecontent mecontente' +
    ' enerve enervee fache fachee plainte insatisfait bug bloque pire inutile',
)
add(
  1,
  'bien bon bonne merci content contente satisfait satisfaite parfait parfaite super genial marche fonctionne aime rapide facile resolu ravi ravie',
)
add(2, 'excellent excellente formidable merveilleux magnifique fantastique')
// Spanish
add(
  -2,
  'horrible terrible pesimo pesima inaceptable estafa fraude vergonzoso asqueroso indignante furioso furiosa',
)
add(
  -1,
  'malo mala problema error roto rota retraso lento lenta perdido perdida danado enfadado enfadada molesto molesta decepcionado' +
    ' decepcionada queja fallo falla inutil peor harto harta',
)
add(
  1,
  'bueno buena gracias contento contenta satisfecho satisfecha perfecto perfecta genial funciona encanta rapido facil resuelto util',
)
add(2, 'excelente maravilloso estupendo fantastico increible')
// Portuguese
add(-2, 'horrivel pessimo pessima inaceitavel golpe fraude vergonha absurdo furioso furiosa nojento ridiculo')
add(
  -1,
  'ruim mau problema erro quebrado quebrada atraso atrasado lento lenta perdido perdida danificado chateado chateada irritado' +
    ' irritada decepcionado decepcionada reclamacao falha inutil pior cansado',
)
add(
  1,
  'bom boa obrigado obrigada contente satisfeito satisfeita perfeito perfeita otimo otima funciona adoro rapido facil resolvido',
)
add(2, 'excelente maravilhoso fantastico incrivel sensacional')

// Multi-word expressions checked on the folded text before single words; their words are then skipped.
const PHRASES: [string, number][] = [
  ["doesn't work", -1.5],
  ['does not work', -1.5],
  ['not working', -1.5],
  ["isn't working", -1.5],
  ['waste of time', -2],
  ['ne marche pas', -1.5],
  ['ne fonctionne pas', -1.5],
  ['marche pas', -1.5],
  ["n'importe quoi", -1.5],
  ['pas content', -1.5],
  ['no funciona', -1.5],
  ['no sirve', -1.5],
  ['muy mal', -2],
  ['nao funciona', -1.5],
  ['nao presta', -1.5],
  ['muito ruim', -2],
  ['thank you', 1],
  ['merci beaucoup', 1.5],
  ['muchas gracias', 1.5],
  ['muito obrigado', 1.5],
  ['muito obrigada', 1.5],
]
const PHRASE_RES = PHRASES.map(([p, w]) => ({
  phrase: p,
  weight: w,
  re: new RegExp(`(?<![\\p{L}\\p{N}])${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![\\p{L}\\p{N}])`, 'gu'),
}))

const NEGATORS = new Set([
  'not',
  'no',
  'never',
  "don't",
  'dont',
  "doesn't",
  'doesnt',
  "isn't",
  'isnt',
  "didn't",
  'didnt',
  "can't",
  'cant',
  "won't",
  'wont',
  "wasn't",
  "aren't",
  'hardly',
  'ne',
  "n'",
  'pas',
  'jamais',
  'aucun',
  'aucune',
  'nunca',
  'ni',
  'tampoco',
  'nada',
  'nao',
  'nem',
])
const INTENSIFIERS = new Set([
  'very',
  'really',
  'so',
  'extremely',
  'super',
  'totally',
  'absolutely',
  'tres',
  'vraiment',
  'trop',
  'tellement',
  'completement',
  'muy',
  'realmente',
  'tan',
  'demasiado',
  'totalmente',
  'muito',
  'tao',
  'demais',
  'bem',
  'extremamente',
])

const clamp = (n: number) => Math.max(-1, Math.min(1, n))

/**
 * Sentiment of a visitor message from a small lexicon. A negator up to three words before a
 * sentiment word flips it ("not good", "je ne suis pas content"); an intensifier just before it
 * multiplies it by 1.5; shouting (mostly capital letters) and "!!!" push a neutral or negative message
 * further negative and make a positive one more positive. Raw score <= -1 is negative, >= 1 positive.
 */
export function sentimentOf(text: string): SentimentResult {
  let folded = fold(text)
  const matched: string[] = []
  let raw = 0
  for (const { phrase, weight, re } of PHRASE_RES) {
    re.lastIndex = 0
    if (re.test(folded)) {
      raw += weight
      matched.push(phrase)
      folded = folded.replace(re, ' ')
    }
  }
  // Negation does not cross punctuation: "No, thanks!" is not a negated "thanks".
  for (const clause of folded.split(/[,.;:!?¿¡()]+/u)) {
    // "n'" is kept as its own token so "n'est" reads as a negation.
    const tokens = clause
      .replace(/(^|[^\p{L}])n'/gu, "$1n' ")
      .split(/[^\p{L}\p{N}']+/u)
      .filter(Boolean)
    for (let i = 0; i < tokens.length; i++) {
      const weight = WORDS[tokens[i]]
      if (weight === undefined) continue
      // "super" is praise alone but only an intensifier in "super lent".
      if (INTENSIFIERS.has(tokens[i]) && WORDS[tokens[i + 1]] !== undefined) continue
      const window = tokens.slice(Math.max(0, i - 3), i)
      const negator = window.find((t) => NEGATORS.has(t))
      // A negated praise is a complaint ("not good"); a negated complaint is only mildly positive ("not bad").
      let w = negator ? (weight > 0 ? -weight : -weight * 0.5) : weight
      if (i > 0 && INTENSIFIERS.has(tokens[i - 1])) w *= 1.5
      raw += w
      matched.push(negator ? `${negator} ${tokens[i]}` : tokens[i])
    }
  }
  const letters = text.replace(/[^\p{L}]/gu, '')
  const upper = text.replace(/[^\p{Lu}]/gu, '').length
  const shouting = letters.length >= 8 && upper / letters.length >= 0.7 && /\p{Lu}{3,}/u.test(text)
  const bangs = /!{3,}|\?!|!\?/u.test(text)
  for (const [on, label] of [
    [shouting, 'CAPS'],
    [bangs, '!!!'],
  ] as const) {
    if (!on) continue
    matched.push(label)
    raw = raw > 0 ? raw * 1.3 : raw - 1
  }
  const sentiment: Sentiment = raw <= -1 ? 'negative' : raw >= 1 ? 'positive' : 'neutral'
  return { sentiment, score: Number(clamp(raw / 4).toFixed(3)), matched }
}
