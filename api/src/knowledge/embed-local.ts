import type { Embedder } from './embedder'
import { fold, words } from '../text/fold'

/**
 * A local embedder for deployments without an embeddings API: deterministic, multilingual enough for
 * French, English, Spanish and Portuguese, and nothing to download.
 *
 * It is a hashed bag of features, not a neural model: texts are normalised (lowercase, accents
 * removed, so "livraison"/"LIVRAISON" and "envío"/"envio" meet), stop words of the four languages
 * dropped, words lightly stemmed (plurals and common endings, so "remboursement" and "rembourser"
 * meet), and three kinds of features are hashed into a fixed-size vector with a random sign (the
 * "hashing trick", which keeps collisions unbiased): word stems, pairs of neighbouring stems, and
 * character 3- and 4-grams of words, which catch the spelling variants and cognates stemming misses
 * ("international", "internacional", "internacionais"). Term frequencies are dampened (1 + ln tf)
 * and the vector is L2-normalised, so cosine similarity is a dot product.
 *
 * It matches words, not meanings: a paraphrase with no word in common with the passage is not found,
 * and questions match passages in their own language (cognates aside). Hybrid retrieval with
 * full-text search covers the rest; a neural model does better when a key is configured.
 */

/** Word features weigh most; bigrams reward word order; char n-grams are a softer, typo-tolerant signal. */
const WEIGHT = { word: 1, bigram: 0.6, ngram: 0.55 }

/** Common function words of fr/en/es/pt, accent-stripped: they say nothing about what a passage is about. */
const STOP_WORDS = new Set(
  // English
  (
    'a an the and or but if of to in on at by for with from as is are was were be been being am do does did ' +
    'have has had having i me my mine you your yours we us our he him his she her it its they them their ' +
    'this that these those what which who whom whose when where why how can could would should will shall ' +
    'may might must not no nor so than too very just also any some all each every there here then about ' +
    'into out up down over after before again get got please hi hello thanks thank there s t ' +
    // French
    'le la les l un une des du de d et ou mais donc or ni car je j tu il elle on nous vous ils elles me m te ' +
    'se s lui leur leurs mon ma mes ton ta tes son sa ses notre nos votre vos ce cet cette ces c qu que qui ' +
    'quoi dont au aux en dans par pour sur sous avec sans est sont etre ai as avez avons ont suis es etait ' +
    'fait faire peut peux puis pouvez comment quel quelle quels quelles quand combien pourquoi ne pas plus ' +
    'tres bien y a-t-il est-ce bonjour merci svp si ' +
    // Spanish
    'el los las lo una unos unas del al y e o u pero mi mis tu tus su sus nuestro nuestra yo usted ustedes ' +
    'nosotros ellos ellas es son esta estan estoy ser hay como cual cuales cuando cuanto cuanta cuantos ' +
    'donde que quien por para con sin sobre entre puedo puede pueden hacer hago tengo tiene tienen muy mas ' +
    'hola gracias favor se le les me te ya este esto eso esa ese ' +
    // Portuguese
    'o os as um uma uns umas do da dos das no na nos nas ao aos pelo pela pelos pelas em eu voce voces ele ' +
    'ela eles elas meu minha meus minhas seu sua seus suas nosso nossa isso isto esse essa este esta qual ' +
    'quais quando quanto quanta quantos onde porque com sem sao ser estou posso pode podem fazer faco tenho ' +
    'tem muito mais ola obrigado obrigada favor nao sim'
  ).split(/\s+/),
)

/**
 * Suffix rules tried in order; the first that matches applies, if it leaves at least three letters.
 * They are deliberately light and shared by all four languages: the goal is that inflections of one
 * word meet, not linguistic accuracy, and the same rules run on questions and passages alike.
 */
const PLURALS: [RegExp, string][] = [
  [/coes$/, 'cion'],
  [/oes$/, 'ao'],
  [/aes$/, 'ao'],
  [/eaux$/, 'eau'],
  [/aux$/, 'al'],
  // Portuguese -ais/-eis plurals of -al/-el (fiscais, internacionais, disponiveis); the consonant
  // keeps French -ai words apart (delais is delai + s, not "delal").
  [/([cnrt])ais$/, '$1al'],
  [/([a-z]{3})ais$/, '$1ai'],
  [/([vn])eis$/, '$1el'],
  // -is, -us and -ss are mostly singular (pais, analisis, status, address).
  [/ies$/, 'y'],
  [/sses$/, 'ss'],
  [/([^aeiou])es$/, '$1'],
  [/([^isu])s$/, '$1'],
]
const ENDINGS: [string, string][] = [
  // "tion" / "ción" / "ção": one spelling, so cognates across the four languages meet.
  ['cao', 'cion'],
  ['tion', 'cion'],
  ['cion', 'cion'],
  ['amente', ''],
  ['emente', ''],
  ['mente', ''],
  ['ement', ''],
  ['ment', ''],
  ['mento', ''],
  ['miento', ''],
  ['iendo', ''],
  ['ando', ''],
  ['endo', ''],
  ['indo', ''],
  ['ing', ''],
  ['ados', ''],
  ['adas', ''],
  ['idos', ''],
  ['idas', ''],
  ['ado', ''],
  ['ada', ''],
  ['ido', ''],
  ['ida', ''],
  ['ees', ''],
  ['ee', ''],
  ['ed', ''],
  ['er', ''],
  ['ar', ''],
  ['ir', ''],
  ['ez', ''],
  ['y', ''],
]

/** A light, language-agnostic stem of a normalised word (see the rules above). */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word
  let w = word
  for (const [pattern, repl] of PLURALS) {
    if (!pattern.test(w)) continue
    const next = w.replace(pattern, repl)
    if (next.length >= 3) w = next
    break
  }
  for (const [suffix, repl] of ENDINGS) {
    if (w.endsWith(suffix) && w.length - suffix.length + repl.length >= 4) {
      w = w.slice(0, -suffix.length) + repl
      break
    }
  }
  // A final vowel is mostly gender or a verb ending (entrega/entregar, envio/enviar, page/pages).
  // (A silent -e goes from four letters on, so "page" meets "pages" after the plural rule made it "pag".)
  if ((w.length >= 5 && /[aeoi]$/.test(w)) || (w.length === 4 && w.endsWith('e'))) w = w.slice(0, -1)
  return w
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output, so `h % dim` and the sign bit are independent. */
function mix(h: number): number {
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** FNV-1a over UTF-16 code units of s[from, to), seeded per feature kind, then mixed. */
function hash32(s: string, seed: number, from = 0, to = s.length): number {
  let h = 0x811c9dc5 ^ seed
  for (let i = from; i < to; i++) {
    h ^= s.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return mix(h)
}

const SEED = { word: 0x11, bigram: 0x22, ngram: 0x33, raw: 0x44 }

/** What a word contributes, computed once per distinct word (texts share most of their words). */
interface WordFeatures {
  stem: number
  grams: Uint32Array
  gramWeight: number
}

const wordCache = new Map<string, WordFeatures>()
const WORD_CACHE_MAX = 200_000

function wordFeatures(word: string): WordFeatures {
  const cached = wordCache.get(word)
  if (cached) return cached
  const stemHash = hash32(stem(word), SEED.word)
  let grams = new Uint32Array(0)
  if (!/^\d+$/.test(word) && word.length >= 3) {
    // Character 3- and 4-grams of the word with boundary marks, hashed without building substrings.
    const padded = `<${word}>`
    const list: number[] = []
    for (const n of [3, 4])
      for (let i = 0; i + n <= padded.length; i++) list.push(hash32(padded, SEED.ngram + n, i, i + n))
    grams = Uint32Array.from(list)
  }
  // A word's n-grams share one word's worth of weight, so a long word does not outweigh a short one.
  const f = { stem: stemHash, grams, gramWeight: grams.length ? WEIGHT.ngram / Math.sqrt(grams.length) : 0 }
  // Bounded memory for a long-running process; refilling is cheap.
  if (wordCache.size >= WORD_CACHE_MAX) wordCache.clear()
  wordCache.set(word, f)
  return f
}

/** Embeds one text: hashed, signed, tf-dampened (1 + ln tf) features, L2-normalised. */
function embedOne(text: string, dim: number): number[] {
  // feature hash -> [weight of one occurrence, occurrences]
  const weight = new Map<number, number>()
  const tf = new Map<number, number>()
  const add = (h: number, w: number) => {
    const n = tf.get(h)
    if (n === undefined) {
      tf.set(h, 1)
      weight.set(h, w)
    } else tf.set(h, n + 1)
  }
  const normalized = fold(text)
  let prev: number | undefined
  for (const word of words(normalized)) {
    if (STOP_WORDS.has(word) || (word.length < 2 && !/\d/.test(word))) continue
    const f = wordFeatures(word)
    add(f.stem, WEIGHT.word)
    // Bigram of neighbouring stems, combined from their hashes (order matters: "a b" is not "b a").
    if (prev !== undefined) add(mix(Math.imul(prev, 0x9e3779b1) ^ f.stem ^ SEED.bigram), WEIGHT.bigram)
    prev = f.stem
    for (const g of f.grams) add(g, f.gramWeight)
  }
  // Nothing but stop words or symbols ("?", "ok"): the raw characters still give it a direction.
  if (tf.size === 0) add(hash32(normalized.trim(), SEED.raw), 1)
  const v = new Float64Array(dim)
  for (const [h, n] of tf) {
    // The top bit gives the sign: the hashing trick's random sign keeps colliding features from adding up.
    v[h % dim] += (h & 0x80000000 ? -1 : 1) * weight.get(h)! * (1 + Math.log(n))
  }
  let norm = 0
  for (let i = 0; i < dim; i++) norm += v[i] * v[i]
  norm = Math.sqrt(norm)
  const out = new Array<number>(dim)
  for (let i = 0; i < dim; i++) out[i] = norm > 0 ? v[i] / norm : 0
  return out
}

/**
 * The local embedder: vectors of `dim` numbers (default 384) under the model name `local-hash-v1`
 * (`local-hash-v1-d<dim>` for another size), identical across runs and machines: hashing is integer
 * arithmetic, the only floating-point steps are ln and sqrt (computed by V8's own portable code, not
 * the platform's libm), and no step depends on the locale. An empty text gets the zero vector.
 * Any change to the features must come with a new model name, so stored vectors get re-embedded.
 */
export function createLocalEmbedder(dim = 384): Embedder {
  if (!Number.isInteger(dim) || dim < 16 || dim > 16_000)
    throw new RangeError('local embedder dimension must be an integer in 16..16000')
  return {
    // The dimension is part of the model's identity: vectors of two sizes must never be compared.
    model: dim === 384 ? 'local-hash-v1' : `local-hash-v1-d${dim}`,
    dimension: dim,
    async embed(texts: string[]) {
      return texts.map((t) => (t.trim() ? embedOne(t, dim) : new Array<number>(dim).fill(0)))
    },
  }
}
