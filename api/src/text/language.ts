/**
 * Language detection: the one definition the API uses (answers, system texts, ingestion, rules).
 *
 * Seven languages, the ones the widget, the system texts and PostgreSQL's snowball stemmers all cover:
 * en, fr, es, pt, de, it, nl. A message is scored by its very common words and by letters only one
 * language uses (ñ and ¿ are Spanish, ã and õ Portuguese, ß German...); a short message with no such
 * cue ("ok", "Canada?") keeps the conversation's language (`fallback`), so the answer language does not
 * flip mid-conversation.
 */
import { fold } from './fold'

export const LANGS = ['en', 'fr', 'es', 'pt', 'de', 'it', 'nl'] as const
export type Lang = (typeof LANGS)[number]

export const isLang = (x: unknown): x is Lang =>
  typeof x === 'string' && (LANGS as readonly string[]).includes(x)

/**
 * Very common words per language (folded: lower case, no accents): enough to tell a short question.
 * Not English "a": it is also a preposition in French (à), Spanish, Portuguese and Italian.
 */
const MARKERS: Record<Lang, string> = {
  en: "the an is are and i you for what how when where which why who my do does can could would to of hello hi thanks thank much long your it with will please yes no not don't i'm have has there this that ship from get order",
  fr: "le la les l' de des du un une est et je vous pour quels quelle quel quelles comment combien est-ce que qui mon ma mes pas livraison bonjour merci ou puis-je avez quand pourquoi serai suis ai mais aussi votre vos nous ne n'est c'est j'ai qu'est-ce oui non au aux sur avec chez commande remboursement retourner",
  es: 'el los las de es y yo usted ustedes para que como cuanto cuanta cuando donde mi hola gracias envio puedo tienen por con una del al se hay quiero necesito pedido si tambien esta estan muchas puede enviais envian',
  pt: 'o os as de e eu voce para que como quanto quando onde meu minha ola obrigado obrigada entrega posso voces nao um uma do da dos das no na com pelo pela pedido sim tambem quero preciso tem',
  de: 'der die das ein eine ist sind und ich sie fur was wie wann wo warum mein meine meinen kann konnen hallo danke bitte mit nicht nein ja auch ihr ihre zu von den dem bei lieferung bestellung haben hat wir mochte gibt es',
  it: "il lo la le gli un una e sono io voi per che come quanto quando dove perche mio mia ciao grazie con non si anche della delle degli dei del di alla nella questo questa posso potete avete vorrei ordine spedizione consegna qual quali c'e",
  nl: 'de het een is zijn en ik u jij je voor wat hoe wanneer waar waarom mijn kan kunnen hallo dank bedankt met niet nee ja ook uw van naar bij levering bestelling hebben heeft wij wil graag er',
}
const MARKER_SETS = Object.fromEntries(
  (Object.entries(MARKERS) as [Lang, string][]).map(([l, s]) => [l, new Set(s.split(' '))]),
) as Record<Lang, Set<string>>

/**
 * Letters (before folding) that tell a language among the seven; each counts as a word for every
 * language that writes it. A letter two languages share ("ê" in "vocês" and "fenêtre", "à" in French,
 * Italian and Portuguese) counts for both: crediting one of them turned Portuguese into French.
 */
const LETTERS: [RegExp, Lang[]][] = [
  [/[ñ¿¡]/, ['es']],
  [/[ãõ]/, ['pt']],
  [/[äöüß]/, ['de']],
  [/[ìò]/, ['it']],
  [/[èù]/, ['fr', 'it']],
  [/à/, ['fr', 'it', 'pt']],
  [/[êâôç]/, ['fr', 'pt']],
  [/[îûœëï]/, ['fr']],
  [/ij\b/, ['nl']],
]

/** Every language's score for a text: marker words plus telltale letters. */
export function languageScores(text: string): Record<Lang, number> {
  const scores = Object.fromEntries(LANGS.map((l) => [l, 0])) as Record<Lang, number>
  const lower = text.toLowerCase()
  for (const [re, langs] of LETTERS) if (re.test(lower)) for (const lang of langs) scores[lang] += 1.5
  // Elisions ("l'adresse", "c'è") are words of their own here.
  for (const w of fold(text).split(/[^\p{L}'-]+/u)) {
    if (!w) continue
    const parts = [
      w,
      ...w.split(/['-]/).filter(Boolean),
      w.includes("'") ? w.slice(0, w.indexOf("'") + 1) : '',
    ]
    for (const lang of LANGS) if (parts.some((p) => p && MARKER_SETS[lang].has(p))) scores[lang] += 1
  }
  return scores
}

/**
 * Guesses the language of a text from its common words and letters; `fallback` (the conversation's
 * language) when nothing decides, or when it ties for first place.
 */
export function detectLanguage(text: string, fallback: Lang = 'en'): Lang {
  const scores = languageScores(text)
  const best = LANGS.reduce((a, b) => (scores[b] > scores[a] ? b : a))
  return scores[best] > scores[fallback] ? best : fallback
}

/**
 * The language a text is surely written in, or null when it is too short or too ambiguous to say:
 * at least two cues (common words or telltale letters) for the best language and a clear lead over
 * the second. "ok", "no", "Ja, gerne", a product name or an order number decide nothing.
 */
export function confidentLanguage(text: string): Lang | null {
  const scores = languageScores(text)
  const ranked = [...LANGS].sort((a, b) => scores[b] - scores[a])
  const best = ranked[0]!
  const second = scores[ranked[1]!]
  return scores[best] >= 2 && scores[best] >= second + 1 ? best : null
}

/**
 * The conversation's language after one more visitor message. A conversation that has a language keeps
 * it unless the message is surely in another one (confidentLanguage): a French visitor writing "ok",
 * "no" or a product name is still answered in French. Without one yet, the best guess.
 */
export function conversationLanguage(text: string, current: Lang | null): Lang {
  if (current === null) return detectLanguage(text)
  return confidentLanguage(text) ?? current
}

/**
 * The language of one passage of a document written in `documentLanguage` (declared by the owner or
 * detected on the document's opening): the passage's own when its text says so clearly (at least four
 * cues, and twice the document language's), so the English section of a French guide is stemmed as
 * English; the document's otherwise (a heading, a table of figures, a product name decide nothing).
 */
export function passageLanguage(text: string, documentLanguage: Lang): Lang {
  const scores = languageScores(text.slice(0, 4000))
  const best = LANGS.reduce((a, b) => (scores[b] > scores[a] ? b : a))
  return best !== documentLanguage && scores[best] >= 4 && scores[best] >= 2 * scores[documentLanguage]
    ? best
    : documentLanguage
}

/** The PostgreSQL text-search configuration (snowball stemmer) for a language. */
export const REGCONFIG: Record<Lang, string> = {
  en: 'english',
  fr: 'french',
  es: 'spanish',
  pt: 'portuguese',
  de: 'german',
  it: 'italian',
  nl: 'dutch',
}

/** The language's name in English (for prompts) and in itself (for visitors). */
export const LANGUAGE_NAMES: Record<Lang, { en: string; native: string }> = {
  en: { en: 'English', native: 'English' },
  fr: { en: 'French', native: 'français' },
  es: { en: 'Spanish', native: 'español' },
  pt: { en: 'Portuguese', native: 'português' },
  de: { en: 'German', native: 'Deutsch' },
  it: { en: 'Italian', native: 'italiano' },
  nl: { en: 'Dutch', native: 'Nederlands' },
}
