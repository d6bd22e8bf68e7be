/**
 * What a question is about, as terms that can be compared across wording and languages: the words
 * that carry meaning (stop words of the seven languages dropped, light stems), the support concepts a
 * small multilingual lexicon recognises ("livraison", "shipping", "Lieferung" are one concept), and
 * the specific words a passage must contain to answer at all (countries, order numbers, names).
 *
 * The lexicon is deliberately small: the words visitors of a shop or a SaaS use about their orders.
 * It gives the extractive answerer (no model) three things: answerability (does the passage cover the
 * question, its entities included?), follow-ups ("and for Belgium?" has no topic of its own), and a
 * bridge across languages (a German question finds the French passage through the concepts).
 */
import { stem } from '../knowledge/embed-local'
import { fold, words } from '../text/fold'
import { detectLanguage, type Lang } from '../text/language'
import { countriesIn, countryName } from './countries'

export type TermKind = 'topic' | 'aspect' | 'entity' | 'word'

export interface Term {
  /** "c:delivery" for a concept, "e:4512" for a number or a name, else the word's stem. */
  key: string
  kind: TermKind
  /** The word as written (folded). */
  word: string
}

interface Concept {
  kind: TermKind
  /** Folded word prefixes that name the concept, in any language. */
  prefixes: string[]
  /** One search word per language, for a query in another language than the knowledge. */
  say?: Partial<Record<Lang, string>>
  /** A country's ISO 3166 code. */
  region?: string
}

/* prettier-ignore */
const CONCEPTS: Record<string, Concept> = {
  delivery: { kind: 'topic', prefixes: ['deliver', 'ship', 'livr', 'expedi', 'envio', 'envia', 'envie', 'entreg', 'liefer', 'versand', 'versend', 'zustell', 'spedi', 'consegn', 'levering', 'lever', 'verzend', 'bezorg'],
    say: { en: 'delivery shipping', fr: 'livraison', es: 'envío entrega', pt: 'entrega envio', de: 'Lieferung Versand', it: 'spedizione consegna', nl: 'levering verzending' } },
  cost: { kind: 'aspect', prefixes: ['cost', 'price', 'pric', 'fee', 'cout', 'prix', 'tarif', 'frais', 'cuest', 'precio', 'coste', 'custa', 'custo', 'preco', 'kost', 'preis', 'gebuhr', 'prezz', 'prijs', 'costa', 'costo'],
    say: { en: 'cost', fr: 'coûte', es: 'cuesta', pt: 'custa', de: 'kostet', it: 'costa', nl: 'kost' } },
  free: { kind: 'aspect', prefixes: ['free', 'gratuit', 'offert', 'gratis', 'kostenlos', 'gratuito'],
    say: { en: 'free', fr: 'offerte gratuit', es: 'gratis', pt: 'grátis', de: 'kostenlos', it: 'gratuita', nl: 'gratis' } },
  time: { kind: 'aspect', prefixes: ['long', 'delay', 'delai', 'temps', 'jour', 'tarda', 'tiempo', 'dias', 'demor', 'prazo', 'tempo', 'dauer', 'lange', 'tage', 'tagen', 'giorni', 'duur', 'dagen', 'days', 'business day'],
    say: { en: 'days', fr: 'jours délais', es: 'días', pt: 'dias', de: 'Tage', it: 'giorni', nl: 'dagen' } },
  return: { kind: 'topic', prefixes: ['return', 'retour', 'renvo', 'devol', 'devuel', 'zuruck', 'rucksend', 'zurucksend', 'zuruckschick', 'zuruckgeb', 'retoure', 'restitu', 'reso', 'rendere', 'terugstur', 'terugzend', 'send * back', 'stuur * terug', 'zend * terug'],
    say: { en: 'return', fr: 'retourner retour', es: 'devolver devolución', pt: 'devolver devolução', de: 'Rücksendung zurücksenden', it: 'reso restituire', nl: 'retourneren' } },
  refund: { kind: 'topic', prefixes: ['refund', 'reimburs', 'rembours', 'reembols', 'erstatt', 'ruckerstatt', 'rimbors', 'terugbetal', 'money back'],
    say: { en: 'refund', fr: 'remboursement', es: 'reembolso', pt: 'reembolso', de: 'Rückerstattung', it: 'rimborso', nl: 'terugbetaling' } },
  payment: { kind: 'topic', prefixes: ['pay', 'paie', 'paye', 'pago', 'pagar', 'pagam', 'zahl', 'bezahl', 'pagare', 'betal'],
    say: { en: 'payment pay', fr: 'paiement', es: 'pago', pt: 'pagamento', de: 'Zahlung', it: 'pagamento', nl: 'betaling' } },
  size: { kind: 'topic', prefixes: ['size', 'taille', 'talla', 'tamanh', 'grosse', 'taglia', 'maat'],
    say: { en: 'size', fr: 'taille', es: 'talla', pt: 'tamanho', de: 'Größe', it: 'taglia', nl: 'maat' } },
  hours: { kind: 'topic', prefixes: ['hour', 'opening', 'open', 'horaire', 'ouvert', 'ouverture', 'horario', 'abiert', 'offnung', 'geoffnet', 'orari', 'apert', 'openingstijd'],
    say: { en: 'opening hours', fr: 'horaires ouverture', es: 'horario', pt: 'horário', de: 'Öffnungszeiten', it: 'orari', nl: 'openingstijden' } },
  contact: { kind: 'topic', prefixes: ['contact', 'reach', 'phone', 'email', 'e-mail', 'joindre', 'telephon', 'telefon', 'kontakt', 'anruf', 'contatt', 'bellen', 'mail'],
    say: { en: 'contact', fr: 'contacter', es: 'contactar', pt: 'contatar', de: 'Kontakt', it: 'contattare', nl: 'contact' } },
  track: { kind: 'topic', prefixes: ['track', 'suivi', 'suivre', 'seguim', 'rastre', 'rastrei', 'sendungsverfolg', 'verfolg', 'tracci', 'volg', 'where is', 'ou est', 'donde esta', 'onde esta', 'wo ist', 'dove', 'waar is'],
    say: { en: 'track', fr: 'suivre suivi', es: 'seguimiento', pt: 'rastrear', de: 'Sendungsverfolgung', it: 'tracciamento', nl: 'volgen' } },
  order: { kind: 'aspect', prefixes: ['order', 'commande', 'pedido', 'encomend', 'bestell', 'ordine', 'ordin'],
    say: { en: 'order', fr: 'commande', es: 'pedido', pt: 'encomenda', de: 'Bestellung', it: 'ordine', nl: 'bestelling' } },
  cancel: { kind: 'topic', prefixes: ['cancel', 'annul', 'storn', 'annull'],
    say: { en: 'cancel', fr: 'annuler', es: 'cancelar', pt: 'cancelar', de: 'stornieren', it: 'annullare', nl: 'annuleren' } },
  exchange: { kind: 'topic', prefixes: ['exchang', 'echang', 'cambi', 'troca', 'trocar', 'umtausch', 'tausch', 'ruil'],
    say: { en: 'exchange', fr: 'échange', es: 'cambio', pt: 'troca', de: 'Umtausch', it: 'cambio', nl: 'ruilen' } },
  account: { kind: 'aspect', prefixes: ['account', 'compte', 'cuenta', 'conta', 'konto'],
    say: { en: 'account', fr: 'compte', es: 'cuenta', pt: 'conta', de: 'Konto', it: 'account', nl: 'account' } },
  // Countries: a passage about France does not answer a question about Belgium. These are the
  // spellings a visitor types in lower case or in short ("belgium", "usa", "holland"); every country's
  // name in the seven languages, written with a capital, comes from ICU (./countries.ts).
  france: { kind: 'entity', prefixes: ['france', 'francia', 'frankreich', 'franca', 'frankrijk'], region: 'FR' },
  belgium: { kind: 'entity', prefixes: ['belgi'], region: 'BE' },
  canada: { kind: 'entity', prefixes: ['canad', 'kanad'], region: 'CA' },
  spain: { kind: 'entity', prefixes: ['spain', 'espagn', 'espana', 'spanien', 'spagna', 'spanje', 'espanha'], region: 'ES' },
  germany: { kind: 'entity', prefixes: ['germany', 'allemagne', 'alemania', 'deutschland', 'germania', 'duitsland', 'alemanha'], region: 'DE' },
  switzerland: { kind: 'entity', prefixes: ['switzerland', 'suisse', 'suiza', 'schweiz', 'svizzera', 'zwitserland', 'suica'], region: 'CH' },
  italy: { kind: 'entity', prefixes: ['italy', 'italie', 'italia', 'italien'], region: 'IT' },
  portugal: { kind: 'entity', prefixes: ['portugal', 'portogallo'], region: 'PT' },
  netherlands: { kind: 'entity', prefixes: ['netherlands', 'pays bas', 'holland', 'nederland', 'niederland', 'olanda', 'holanda', 'paises bajos'], region: 'NL' },
  luxembourg: { kind: 'entity', prefixes: ['luxemb'], region: 'LU' },
  uk: { kind: 'entity', prefixes: ['uk', 'united kingdom', 'royaume uni', 'england', 'angleterre', 'inglaterra', 'reino unido', 'grossbritannien', 'regno unito', 'engeland', 'britain'], region: 'GB' },
  usa: { kind: 'entity', prefixes: ['usa', 'united states', 'etats unis', 'estados unidos', 'vereinigte staaten', 'stati uniti', 'verenigde staten', 'america', 'amerika'], region: 'US' },
  australia: { kind: 'entity', prefixes: ['australi'], region: 'AU' },
  japan: { kind: 'entity', prefixes: ['japan', 'japon', 'giappone', 'japao'], region: 'JP' },
}

/** The term key of a country, the same whether the lexicon or ICU's names found it. */
const REGION_KEY = new Map(
  Object.entries(CONCEPTS).flatMap(([name, c]) => (c.region ? [[c.region, `c:${name}`] as const] : [])),
)
const countryKey = (code: string) => REGION_KEY.get(code) ?? `c:country-${code.toLowerCase()}`

/** Function words of the seven languages (folded): they say nothing about what a question is about. */
const STOP = new Set(
  // English
  (
    'a an the and or but if of to in on at by for with from as is are was were be been am do does did done have has had i me my you your ' +
    'we us our he him his she her it its they them their this that these those what which who whom when where why how can could would ' +
    'should will shall may might must not no so than too very just also any some all each there here then about into out up over after ' +
    "before again get got please hi hello thanks thank much many take takes s t i'm it's don't want like know tell need one other else more way " +
    'make sure ok okay yes yeah soon still already anything something well really ' +
    // French
    'le la les l un une des du de d et ou mais donc ni car je j tu il elle on nous vous ils elles me m te se s lui leur leurs mon ma mes ' +
    'ton ta tes son sa ses notre nos votre vos ce cet cette ces c qu que qui quoi dont au aux en dans par pour sur sous avec sans est sont ' +
    'etre ai as avez avons ont suis es etait fait faire peut peux puis pouvez comment quel quelle quels quelles quand combien pourquoi ne ' +
    'pas plus tres bien y a-t-il est-ce bonjour merci svp si -je -il -vous -t je-je serai sera seront vais va veux voudrais aimerais ' +
    "savoir oui non n'est c'est j'ai toujours encore deja " +
    // Spanish
    'el los las lo una unos unas del al y e o u pero mi mis tu tus su sus nuestro nuestra yo usted ustedes nosotros ellos ellas es son ' +
    'esta estan estoy ser hay como cual cuales cuando cuanto cuanta cuantos donde que quien por para con sin sobre entre puedo puede ' +
    'pueden hacer hago tengo tiene tienen muy mas hola gracias favor se le les me te ya este esto eso esa ese hacen sera quiero ' +
    // Portuguese
    'o os as um uma uns umas do da dos das no na nos nas ao aos pelo pela pelos pelas em eu voce voces ele ela eles elas meu minha meus ' +
    'minhas seu sua seus suas nosso nossa isso isto esse essa este qual quais quanto quanta quantos onde porque com sem sao ' +
    'estou posso pode podem fazer faco tenho tem muito mais ola obrigado obrigada nao sim vou ' +
    // German
    'der die das den dem des ein eine einen einem einer und oder aber ich du er sie es wir ihr mein meine meinen meiner dein ihre ihren ' +
    'unser ist sind war bin hast hat haben wie was wann wo warum wer welche welcher kann konnen konnte mochte will wird werden nicht ' +
    'kein keine ja nein zu zum zur von vom mit fur auf an bei nach aus um uber auch noch schon sehr bitte danke hallo gibt es ' +
    // Italian
    'il lo gli i un uno della dello delle degli del di da dal dalla in con su per tra fra e ed o ma io tu lui lei noi voi loro mio mia ' +
    'miei mie tuo tua suo sua nostro vostro che chi cosa come quando quanto quanta dove perche sono sei siamo siete ha hanno ho hai ' +
    "posso puo potete avete vorrei non si anche ciao grazie c'e qual quali molto " +
    // Dutch
    'het een en of maar ik jij je hij zij wij jullie mijn jouw uw ons onze is zijn was ben bent heb hebt heeft hebben wat hoe wanneer ' +
    'waar waarom wie welke kan kunnen kunt wil wilt niet geen ja nee te van voor met op aan bij naar uit om over ook nog al zeer ' +
    'alstublieft bedankt dank hallo er graag deze dit die dat'
  ).split(/\s+/),
)

/** Doing something with an order: a question about one is answered by the policy, whatever its number. */
const ORDER_ACTIONS = ['return', 'refund', 'cancel', 'exchange', 'payment']

const CONCEPT_LIST = Object.entries(CONCEPTS).flatMap(([name, c]) =>
  c.prefixes.map((p) => ({ name, kind: c.kind, prefix: p, multi: p.includes(' ') })),
)
// A phrase counts from the start of a word, and takes the rest of its last word ("business days"); a
// "*" stands for up to three words, kept as words of their own (a phrasal verb around its object:
// "send the shoes back", "stuur ik mijn schoenen terug").
const MULTI = CONCEPT_LIST.filter((c) => c.multi).map((c) => ({
  ...c,
  re: new RegExp(
    ` ${c.prefix
      .split(' ')
      .map((w) => (w === '*' ? '((?:\\S+ ){0,3})' : `${w.replace(/[.+?^${}()|[\]\\]/g, '\\$&')} `))
      .join('')
      .trimEnd()}\\S*`,
    'g',
  ),
}))
const SINGLE = CONCEPT_LIST.filter((c) => !c.multi).sort((a, b) => b.prefix.length - a.prefix.length)

function conceptOf(w: string): { name: string; kind: TermKind } | null {
  for (const c of SINGLE) {
    // Short prefixes ("uk", "usa") must match whole words.
    if (c.prefix.length <= 3 ? w === c.prefix || w === c.prefix + 's' : w.startsWith(c.prefix)) return c
  }
  return null
}

/**
 * The meaningful terms of a text, each once: concepts of the lexicon, specific words (numbers of three
 * digits or more, names written with a capital inside a sentence), and the stems of the other content
 * words.
 */
export function termsOf(text: string): Term[] {
  const out = new Map<string, Term>()
  // Words joined by single spaces: hyphens and punctuation part words ("Royaume-Uni", "colis ?").
  let folded = ` ${words(fold(text)).join(' ')} `
  for (const c of MULTI) {
    if (!c.re.test(folded)) continue
    c.re.lastIndex = 0
    out.set(`c:${c.name}`, { key: `c:${c.name}`, kind: c.kind, word: c.prefix })
    // "send back" is one term: its words are not also terms of their own ("send", "back").
    folded = folded.replace(c.re, (...m: unknown[]) => ` ${m.slice(1, -2).join(' ')} `)
  }
  for (const country of countriesIn(text)) {
    const key = countryKey(country.code)
    const name = country.words.join(' ')
    out.set(key, { key, kind: 'entity', word: name })
    folded = folded.replaceAll(` ${name} `, '  ')
  }
  // Capitalised words not at the start of a sentence are names ("Colissimo", "Klarna").
  // German writes every noun with a capital: there, capitals say nothing.
  const names = new Set<string>()
  if (detectLanguage(text, 'en') !== 'de')
    for (const m of text.matchAll(/(?<=[\p{L}\p{N},;:]\s+)(\p{Lu}[\p{L}\p{N}]+)/gu)) names.add(fold(m[1]!))
  const content = words(folded).filter((w) => !STOP.has(w))
  const concepts = content.map(conceptOf)
  // "How do I return order 4512?" asks about returns: the order's number names which order, and the
  // returns passage answers it without holding the number. Not so "my order 4512 has not arrived".
  const named = new Set([...out.keys(), ...concepts.map((c) => (c ? `c:${c.name}` : ''))])
  const orderReference = named.has('c:order') && ORDER_ACTIONS.some((a) => named.has(`c:${a}`))
  for (const [i, w] of content.entries()) {
    const concept = concepts[i]
    if (concept) {
      out.set(`c:${concept.name}`, { key: `c:${concept.name}`, kind: concept.kind, word: w })
      continue
    }
    if (/\d/.test(w)) {
      // Order numbers and the like; short numbers ("2", "30") are quantities.
      if (/\d{3,}/.test(w) && !orderReference) out.set(`e:${w}`, { key: `e:${w}`, kind: 'entity', word: w })
      continue
    }
    if (w.length < 3) continue
    if (names.has(w)) out.set(`e:${w}`, { key: `e:${w}`, kind: 'entity', word: w })
    else out.set(stem(w), { key: stem(w), kind: 'word', word: w })
  }
  return [...out.values()]
}

/** Weight of each kind of term in coverage: specific words matter most, aspects least. */
const WEIGHT: Record<TermKind, number> = { entity: 2, topic: 1.5, word: 1, aspect: 0.75 }

export interface Coverage {
  /** 0..1: the weighted share of the question's terms the passage holds. */
  share: number
  /** The question's specific words (countries, numbers, names) the passage does not hold. */
  missingEntities: string[]
}

/** How much of a question's terms a passage holds (stems match when one is a prefix of the other). */
export function coverage(question: Term[], passage: Term[]): Coverage {
  if (!question.length) return { share: 0, missingEntities: [] }
  const keys = new Set(passage.map((t) => t.key))
  const stems = passage
    .filter((t) => t.kind === 'word' || t.kind === 'entity')
    .map((t) => t.key.replace(/^e:/, ''))
  const has = (t: Term) => {
    if (keys.has(t.key)) return true
    if (t.kind === 'topic' || t.kind === 'aspect') return false
    const s = t.key.replace(/^e:/, '')
    return s.length >= 4 && stems.some((p) => p.length >= 4 && (p.startsWith(s) || s.startsWith(p)))
  }
  let total = 0
  let got = 0
  const missingEntities: string[] = []
  for (const t of question) {
    total += WEIGHT[t.kind]
    if (has(t)) got += WEIGHT[t.kind]
    else if (t.kind === 'entity') missingEntities.push(t.word)
  }
  return { share: got / total, missingEntities }
}

/**
 * A search query in `lang` for a question written in another language: the words the lexicon knows
 * for its concepts, countries by their name in `lang`, plus its other specific words as written. Null
 * when the lexicon knows none of them.
 */
export function pivotQuery(question: Term[], lang: Lang): string | null {
  const said = question.flatMap((t) => {
    if (!t.key.startsWith('c:')) return t.kind === 'entity' ? [t.word] : []
    const c = CONCEPTS[t.key.slice(2)]
    const region = c?.region ?? (t.key.startsWith('c:country-') ? t.key.slice(10).toUpperCase() : null)
    if (region) return [countryName(region, lang) ?? t.word]
    return c?.say?.[lang] ? [c.say[lang]!] : []
  })
  return question.some((t) => t.kind === 'topic' || t.kind === 'aspect') ? said.join(' ') : null
}

/**
 * The question with the lexicon's words for its concepts in its own language added, when they add a
 * word it does not hold ("price" -> "cost", "send back" -> "return"): full-text search matches words,
 * and the passage may say the concept differently. Null when nothing would be added.
 */
export function expandedQuery(query: string, question: Term[], lang: Lang): string | null {
  const have = new Set(words(fold(query)))
  const added = question.flatMap((t) => {
    const said = t.key.startsWith('c:') ? CONCEPTS[t.key.slice(2)]?.say?.[lang] : undefined
    return said ? words(fold(said)).filter((w) => !have.has(w)) : []
  })
  return added.length ? `${query} ${[...new Set(added)].join(' ')}` : null
}

const FIGURE_RE =
  /\b(how much|how many|how long|combien|cuanto|cuanta|cuantos|quanto|quanta|wie viel|wieviel|wie lange|hoeveel|hoe lang)\b/

/** True when the question asks for an amount, a price or a delay: the answer leads with the figure. */
export const asksForFigure = (text: string, terms: Term[]) =>
  FIGURE_RE.test(fold(text)) || terms.some((t) => t.key === 'c:cost')
