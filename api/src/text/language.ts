/** Very common words per language: enough to tell the language of a short question. */
const MARKERS: Record<string, string[]> = {
  fr: [
    'le',
    'la',
    'les',
    'de',
    'des',
    'du',
    'un',
    'une',
    'est',
    'et',
    'je',
    'vous',
    'pour',
    'quels',
    'quelle',
    'quel',
    'comment',
    'combien',
    'est-ce',
    'que',
    'qui',
    'mon',
    'ma',
    'mes',
    'pas',
    'livraison',
    'bonjour',
    'merci',
    'à',
    'où',
    'puis-je',
    'avez',
  ],
  en: [
    'the',
    'a',
    'an',
    'is',
    'are',
    'and',
    'i',
    'you',
    'for',
    'what',
    'how',
    'when',
    'where',
    'my',
    'do',
    'does',
    'can',
    'to',
    'of',
    'hello',
    'thanks',
    'much',
    'long',
    'your',
    'it',
    'with',
  ],
  es: [
    'el',
    'los',
    'las',
    'es',
    'y',
    'yo',
    'usted',
    'para',
    'qué',
    'cómo',
    'cuánto',
    'dónde',
    'mi',
    'hola',
    'gracias',
    'envío',
    'puedo',
    'tienen',
  ],
  pt: [
    'o',
    'os',
    'as',
    'é',
    'e',
    'eu',
    'você',
    'para',
    'que',
    'como',
    'quanto',
    'onde',
    'meu',
    'minha',
    'olá',
    'obrigado',
    'entrega',
    'posso',
    'vocês',
    'não',
  ],
}

export type Lang = 'fr' | 'en' | 'es' | 'pt'

/** Guesses the language of a text from its common words; `fallback` when nothing decides. */
export function detectLanguage(text: string, fallback: Lang = 'en'): Lang {
  const words = text
    .toLowerCase()
    .split(/[^\p{L}'-]+/u)
    .filter(Boolean)
  let best: Lang = fallback
  let bestScore = 0
  for (const [lang, list] of Object.entries(MARKERS) as [Lang, string[]][]) {
    const set = new Set(list)
    const score = words.reduce((n, w) => n + (set.has(w) ? 1 : 0), 0)
    if (score > bestScore) {
      best = lang
      bestScore = score
    }
  }
  return best
}
