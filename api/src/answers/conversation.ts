/**
 * The conversation around a question, without a model: small talk answered politely, a yes or a no to
 * the bot's own offer of a person, and follow-ups ("and for Belgium?", "how much is it?") read with
 * the previous question's topic. With a model, the think prompt rewrites follow-ups instead; the
 * small talk and the answer to an offer are recognised the same way either way.
 */
import { fold, words } from '../text/fold'
import { termsOf, type Term } from './terms'

export type SmallTalk = 'greeting' | 'thanks' | 'goodbye'
export type Reply = 'yes' | 'no'

/* prettier-ignore */
const PHRASES: Record<SmallTalk | Reply, string[]> = {
  greeting: ['hello', 'hi', 'hey', 'good morning', 'good afternoon', 'good evening', 'hello there', 'bonjour', 'bonsoir', 'salut', 'coucou',
    'hola', 'buenos dias', 'buenas tardes', 'buenas noches', 'buenas', 'ola', 'oi', 'bom dia', 'boa tarde', 'boa noite', 'hallo', 'guten tag',
    'guten morgen', 'guten abend', 'moin', 'servus', 'gruss gott', 'ciao', 'buongiorno', 'buonasera', 'salve', 'hoi', 'goedemorgen',
    'goedemiddag', 'goedenavond', 'dag', 'allo'],
  thanks: ['thanks', 'thank you', 'thx', 'ty', 'cheers', 'merci', 'merci bien', 'je vous remercie', 'gracias', 'muchas gracias', 'obrigado',
    'obrigada', 'muito obrigado', 'muito obrigada', 'danke', 'danke schon', 'vielen dank', 'dankeschon', 'grazie', 'grazie mille', 'bedankt',
    'dank je', 'dank je wel', 'dank u', 'dank u wel', 'great', 'perfect', 'parfait', 'super', 'top', 'genial', 'perfecto', 'perfeito',
    'perfetto', 'prima', 'toll', 'cool', 'nice', 'awesome'],
  goodbye: ['bye', 'goodbye', 'bye bye', 'see you', 'au revoir', 'a bientot', 'bonne journee', 'bonne soiree', 'adios', 'hasta luego',
    'chau', 'tchau', 'ate logo', 'tschuss', 'auf wiedersehen', 'bis bald', 'arrivederci', 'a presto', 'tot ziens', 'doei', 'have a nice day'],
  yes: ['yes', 'yeah', 'yep', 'sure', 'ok', 'okay', 'please', 'yes please', 'of course', 'oui', 'ouais', "d'accord", 'volontiers', 'oui svp',
    'avec plaisir', 'bien sur', 'si', 'claro', 'vale', 'por favor', 'sim', 'pode ser', 'ja', 'gerne', 'ja bitte', 'ja gerne', 'bitte',
    'certo', 'va bene', 'certamente', 'graag', 'ja graag', 'oke', 'absolutely', 'go ahead', 'i would', 'oui je veux bien', 'je veux bien'],
  no: ['no', 'nope', 'no thanks', 'no thank you', 'not now', 'non', 'non merci', 'pas besoin', 'pas maintenant', 'no gracias', 'nao',
    'nao obrigado', 'nao obrigada', 'nein', 'nein danke', 'no grazie', 'nee', 'nee dank je', 'nee bedankt', "it's ok", 'ca ira'],
}
// Words that may come with any of them ("merci beaucoup", "thanks a lot!", "bonjour Lina").
const FILLERS = new Set(
  'a lot so much very much beaucoup mil mille tante much many to you all everyone team lina there madame monsieur tout le monde la equipe again encore'.split(
    ' ',
  ),
)
const SETS = Object.fromEntries(
  // Longest first: "dank je wel" before "dank je".
  Object.entries(PHRASES).map(([k, list]) => [
    k,
    list.map((p) => p.split(' ')).sort((a, b) => b.length - a.length),
  ]),
) as Record<SmallTalk | Reply, string[][]>

/** True when `ws` is made only of phrases of `kind` (and fillers). */
function madeOf(ws: string[], kind: SmallTalk | Reply): boolean {
  let i = 0
  let found = false
  outer: while (i < ws.length) {
    for (const p of SETS[kind]) {
      if (p.every((w, j) => ws[i + j] === w)) {
        i += p.length
        found = true
        continue outer
      }
    }
    if (FILLERS.has(ws[i]!)) {
      i++
      continue
    }
    return false
  }
  return found
}

const tokens = (text: string) => words(fold(text).replace(/'/g, "'")).map((w) => w.replace(/^'+|'+$/g, ''))

/** A message that is only a greeting, a thank-you or a goodbye (in any of the seven languages). */
export function smallTalkOf(text: string): SmallTalk | null {
  if (text.length > 80) return null
  const ws = tokens(text.replace(/d'accord/gi, 'daccord'))
  if (!ws.length) return null
  for (const kind of ['thanks', 'goodbye', 'greeting'] as const) if (madeOf(ws, kind)) return kind
  // "Bonjour, merci !" or "thanks, bye"
  const cut = ws.findIndex(
    (_, i) => i > 0 && (madeOf(ws.slice(0, i), 'greeting') || madeOf(ws.slice(0, i), 'thanks')),
  )
  if (cut > 0 && (madeOf(ws.slice(cut), 'thanks') || madeOf(ws.slice(cut), 'goodbye'))) {
    return madeOf(ws.slice(cut), 'goodbye') ? 'goodbye' : 'thanks'
  }
  return null
}

/** A yes or a no (to a question the bot just asked), in any of the seven languages. */
export function replyOf(text: string): Reply | null {
  if (text.length > 60) return null
  const ws = tokens(text.replace(/d'accord/gi, 'daccord')).map((w) => (w === 'daccord' ? "d'accord" : w))
  if (!ws.length) return null
  // "No" first: "no thanks" is not a yes.
  if (madeOf(ws, 'no')) return 'no'
  if (madeOf(ws, 'yes')) return 'yes'
  // "oui merci", "yes thanks", "sí, gracias"
  if (madeOf(ws.slice(0, 1), 'yes') && madeOf(ws.slice(1), 'thanks')) return 'yes'
  if (madeOf(ws.slice(0, 1), 'no') && madeOf(ws.slice(1), 'thanks')) return 'no'
  return null
}

/** A greeting at the start of a question ("Bonjour, ..."), removed. */
export function withoutGreeting(text: string): string {
  const m = /^\s*([\p{L}' ]{2,24}?)[\s,.!]+(?=\S)/u.exec(text)
  if (m && smallTalkOf(m[1]!) === 'greeting') return text.slice(m[0].length)
  return text
}

/**
 * The search query for a follow-up, or null when the message stands on its own. A message stands on
 * its own when it has a topic or a word of its own; one with only specifics or aspects ("and for
 * Belgium?", "how much?", "et en express ?") takes the previous question's topic, its specifics of the
 * same kind replaced by the new ones.
 */
export function followUpQuery(message: string, previous: string | null): string | null {
  if (!previous) return null
  const own = termsOf(message)
  // "how much is it?", "and then?": nothing of its own, all from the previous question.
  if (!own.length) return /[\p{L}\p{N}]/u.test(message) ? `${previous.trim()} ${message.trim()}` : null
  if (own.some((t) => t.kind === 'topic' || t.kind === 'word')) return null
  const prevTerms = termsOf(previous)
  if (!prevTerms.some((t) => t.kind === 'topic' || t.kind === 'word')) return null
  const newEntities = own.filter((t) => t.kind === 'entity')
  // "and for Belgium?" after a question about France: France goes, Belgium comes.
  const dropped = new Set(
    newEntities.length
      ? prevTerms.filter((t) => t.kind === 'entity' && t.key.startsWith('c:')).map((t) => t.word)
      : [],
  )
  const kept = previous
    .split(/(\s+)/)
    .filter((w) => !dropped.has(fold(w).replace(/[^\p{L}\p{N}'-]/gu, '')))
    .join('')
  return `${kept.trim()} ${message.trim()}`
}

/** The content terms of a message (re-exported for the pipeline's answerability). */
export const contentTerms = (text: string): Term[] => termsOf(text)
