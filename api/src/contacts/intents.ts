/**
 * What a visitor asks the assistant to do, in the seven languages (en fr es pt de it nl): an order's
 * status ("where is my order 4512?"), a meeting ("je voudrais prendre rendez-vous"), the cancellation
 * of one. Everything else, a question about how to return, cancel, change or pay for an order
 * included, is for the knowledge answer.
 *
 * Read from words (folded with api/src/text/fold.ts) and the support concepts of api/src/answers/terms.ts,
 * by plain scans: linear in the message, no regular expression that can backtrack on it.
 */
import { termsOf } from '../answers/terms'
import { fold, words as wordsOf } from '../text/fold'
import { externalIdRe } from './orders'

/** Longer messages are conversations, not commands: the knowledge answer takes them. */
const MAX_LENGTH = 500

const set = (s: string) => new Set(s.split(/\s+/).filter(Boolean))

const ORDER_WORDS = set(`order orders commande commandes pedido pedidos encomenda encomendas bestellung
  bestellungen ordine ordini bestelling bestellingen ordernummer bestellnummer bestelnummer`)
/** Words that introduce an order's number: "order no. 4512", "commande n° 4512", "Bestellung Nr. 4512". */
const NUMBER_WORDS = set(`number no nr n num nro numero nummer ref reference referencia referenz riferimento
  referentie id`)
/** Words that may stand between an order word and its number: "my order number is 4512", "it's 4512". */
const BETWEEN = set('is it s c est es ist e the la le el o a')

/**
 * What makes a message about an order a status question: where, when, its status, tracking, arrival,
 * delay, news. (The concepts "track" and "time" of answers/terms.ts count too.)
 */
const STATUS_WORDS = set(`
  where when status eta late news update updates shipped dispatched sent delivered received arrive arrives
  arrived arriving arrival tracking delayed
  quand statut etat suivi nouvelles expedie expediee expedies expediees envoye envoyee livree livrees recu
  recue retard arrivee arrivera
  donde cuando estado noticias enviado enviada entregado entregada recibido recibida recibi llega llegado
  llegara llego retraso retrasado retrasada
  onde quando situacao novidades entregue recebi recebida recebido chega chegou chegada atraso atrasada
  atrasado
  wo wann stand neuigkeiten versandt verschickt geliefert zugestellt erhalten angekommen ankommen kommt
  ankunft verspatet verspatung
  dov stato notizie spedito spedita inviato inviata consegnato consegnata ricevuto arrivato arrivata
  ritardo
  waar wanneer nieuws verzonden geleverd bezorgd ontvangen aankomst vertraging vertraagd`)
const STATUS_CONCEPTS = ['c:track', 'c:time']

/**
 * What makes a question about an order one for the knowledge answer, even when it also says "where" or
 * "when": doing something with the order. The concepts of answers/terms.ts (return, refund, payment,
 * cancel, exchange) count too; these are the words its lexicon does not hold.
 */
const HOW_TO_WORDS = set(`
  change changes changed changing edit modify add remove address invoice invoices receipt bill billing
  charge charged payment payments paying coupon voucher discount promo damaged broken defective faulty
  wrong warranty guarantee back
  changer ajouter supprimer adresse facture factures endommage endommagee casse cassee abime abimee
  defectueux defectueuse garantie retractation reduction
  anadir agregar quitar eliminar direccion factura recibo cupon descuento danado danada roto defectuoso
  garantia anular anulo anula desistimiento
  alterar mudar adicionar remover endereco fatura cupom desconto danificado danificada quebrado quebrada
  defeito arrependimento
  andern anderung geandert hinzufugen entfernen lieferadresse rechnungsadresse rechnung quittung gutschein
  rabatt beschadigt kaputt defekt widerruf widerrufen
  modificare aggiungere rimuovere togliere indirizzo fattura ricevuta buono sconto danneggiato danneggiata
  rotto difettoso difettosa garanzia recesso pagato pagata
  wijzigen veranderen aanpassen toevoegen verwijderen adres bezorgadres factuur korting kortingscode
  beschadigd kapot defect herroepen herroeping`)
/** Word beginnings for the families too long to list ("modifier", "modificar", "modificare"...). */
const HOW_TO_PREFIXES = ['modif', 'wijzig', 'verander', 'aanpas', 'invoic']
const HOW_TO_CONCEPTS = ['c:return', 'c:refund', 'c:payment', 'c:cancel', 'c:exchange']

const MEETING_WORDS = set(`meeting meetings appointment appointments call calls demo demos rendez-vous
  rendez rdv cita citas reunion reuniones reuniao reunioes termin termine terminvereinbarung appuntamento
  appuntamenti afspraak afspraken`)
/** "call" is a meeting only as a noun: "a call", "a quick call", "a video call" (not "to call you"). */
const CALL_BEFORE = set(`a the my our your one another quick short phone video zoom this that first sales
  discovery intro introductory onboarding demo follow-up`)
/** A meeting word that names something else: "meeting room", "demo version", "call center". */
const NOT_A_MEETING_AFTER = set(`room rooms hall point place spot center centre centers centres version
  versions video videos account accounts mode store shop site page product products unit units model kit
  minutes notes`)
/** "salle de réunion", "sala de reuniones", "point de rendez-vous", "lieu de rendez-vous". */
const NOT_A_MEETING_BEFORE = set('salle sala point lieu punto ponto raum')
/** Asking for one: book, schedule, make... and wanting, needing, would like... */
const BOOK_WORDS = set(`
  book booking schedule arrange set make have get plan want like need
  prendre reserver planifier fixer organiser avoir voudrais veux souhaite souhaiterais aimerais besoin
  reservar agendar marcar programar concertar pedir tener solicitar quiero quisiera gustaria necesito
  gostaria quero queria preciso
  buchen vereinbaren ausmachen machen bekommen mochte mochten gerne brauche
  prenotare fissare avere organizzare vorrei voglio bisogno
  maken inplannen plannen boeken afspreken krijgen wil wilt graag nodig`)
const CANCEL_WORDS = set(`cancel annuler annule annulez cancelar cancela cancele anular anula stornieren
  storniere absagen annullare annulla disdire disdici annuleren annuleer afzeggen`)
/** "What happens if I cancel the meeting?" asks about the policy; it does not cancel one. */
const IF_WORDS = set('if wenn falls se als')
const SI_SUBJECTS = set('j je on nous vous tu yo')
/** A message this short that names a meeting asks for one: "a meeting?", "rendez-vous", "Termin". */
const SHORT = 3
/** How far (in words) a booking or cancelling word may stand from the meeting word. */
const NEAR = 3

interface Token {
  /** As written (an order number keeps its case). */
  raw: string
  /** Folded: lower case, without accents. */
  word: string
  /** Written right after "#". */
  hash: boolean
}

/**
 * The words of a text, as written and folded; "°" and "º" split ("n°4512" is "n", "4512"), dots,
 * dashes and underscores stay inside a word ("A-1009", "rendez-vous") but not at its end.
 */
function tokensOf(text: string): Token[] {
  const src = text.replace(/[°º]/g, ' ')
  const out: Token[] = []
  for (const m of src.matchAll(/[\p{L}\p{N}][\p{L}\p{N}._-]*/gu)) {
    let end = m[0].length
    while (end > 1 && '._-'.includes(m[0][end - 1]!)) end--
    const raw = m[0].slice(0, end)
    out.push({ raw, word: fold(raw), hash: m.index > 0 && src[m.index - 1] === '#' })
  }
  return out
}

const hasDigit = (s: string) => {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) return true
  return false
}

/**
 * The order number of a message: a code of three characters or more with a digit ("4512", "A-1009")
 * written after "#", or after an order word or a number word, with at most "is"/"the" between them
 * ("order 4512", "commande n° 4512", "my order number is 4512"). A number elsewhere (a phone number,
 * a postcode, a date) is not one.
 */
function orderNumberOf(tokens: Token[]): string | null {
  for (let j = 0; j < tokens.length; j++) {
    const t = tokens[j]!
    if (t.raw.length < 3 || !hasDigit(t.raw) || !externalIdRe.test(t.raw)) continue
    if (t.hash) return t.raw
    for (let k = j - 1; k >= 0 && k >= j - 4; k--) {
      const w = tokens[k]!.word
      if (ORDER_WORDS.has(w) || NUMBER_WORDS.has(w)) return t.raw
      if (!BETWEEN.has(w)) break
    }
  }
  return null
}

const saysHowTo = (tokens: Token[], concepts: Set<string>) =>
  HOW_TO_CONCEPTS.some((c) => concepts.has(c)) ||
  tokens.some((t) => HOW_TO_WORDS.has(t.word) || HOW_TO_PREFIXES.some((p) => t.word.startsWith(p)))

const asksStatus = (tokens: Token[], concepts: Set<string>) =>
  STATUS_CONCEPTS.some((c) => concepts.has(c)) ||
  tokens.some(
    (t, i) =>
      STATUS_WORDS.has(t.word) ||
      // "où en est ma commande", "où est-elle"
      (t.word === 'ou' && ['est', 'en', 'sont', 'est-elle', 'est-ce'].includes(tokens[i + 1]?.word ?? '')),
  )

/**
 * The order number a status question asks about, or null when the message is not one. A status
 * question asks where or when an order is, its status, tracking, arrival or delay ("Where is my order
 * 4512?", "Wann kommt Bestellung 4512?"), or is a bare reference ("order 4512?", "commande 4512"). A
 * question about doing something with the order ("How do I return order 4512?", "Comment annuler ma
 * commande 4512 ?", "When will I get the refund for order 4512?") is not: the knowledge answers it.
 */
export function orderQuestionOf(text: string): string | null {
  if (text.length > MAX_LENGTH) return null
  const tokens = tokensOf(text)
  if (!tokens.some((t) => ORDER_WORDS.has(t.word))) return null
  const id = orderNumberOf(tokens)
  if (!id) return null
  const terms = termsOf(text)
  const concepts = new Set(terms.map((t) => t.key))
  if (saysHowTo(tokens, concepts)) return null
  if (asksStatus(tokens, concepts)) return id
  // A bare reference: nothing but the order word, its number and words that carry no meaning.
  const own = new Set(wordsOf(fold(id)))
  return terms.every((t) => t.key === 'c:order' || own.has(t.word) || NUMBER_WORDS.has(t.word)) ? id : null
}

/** Where the message names a meeting (not a "meeting room", a "demo version", "to call"). */
function meetingsAt(tokens: Token[]): number[] {
  const at: number[] = []
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]!.word
    if (!MEETING_WORDS.has(w)) continue
    if ((w === 'call' || w === 'calls') && !CALL_BEFORE.has(tokens[i - 1]?.word ?? '')) continue
    if (NOT_A_MEETING_AFTER.has(tokens[i + 1]?.word ?? '')) continue
    if ([i - 1, i - 2, i - 3].some((k) => NOT_A_MEETING_BEFORE.has(tokens[k]?.word ?? ''))) continue
    at.push(i)
  }
  return at
}

/** Whether a word of `words` stands near a meeting word, before `before` (an index) if given. */
const near = (tokens: Token[], at: number[], words: Set<string>, before = tokens.length) =>
  at.some((i) => {
    for (let k = Math.max(0, i - NEAR); k <= Math.min(before - 1, i + NEAR); k++)
      if (k !== i && words.has(tokens[k]!.word)) return true
    return false
  })

/** "I'd like to book a meeting", "je voudrais prendre rendez-vous", "quiero una cita"... */
export function meetingRequestOf(text: string): boolean {
  if (text.length > MAX_LENGTH) return false
  const tokens = tokensOf(text)
  if (tokens.some((t) => CANCEL_WORDS.has(t.word))) return false
  const at = meetingsAt(tokens)
  if (!at.length) return false
  return tokens.length <= SHORT || near(tokens, at, BOOK_WORDS)
}

/**
 * "Cancel my meeting", "annuler le rendez-vous" (or the widget's cancel button's label). Not when the
 * message is about an order ("Can I cancel my order? We had a call"), nor a question about what
 * happens if one cancels ("What happens if I cancel the meeting?").
 */
export function meetingCancelOf(text: string): boolean {
  if (text.length > MAX_LENGTH) return false
  const tokens = tokensOf(text)
  if (tokens.some((t) => ORDER_WORDS.has(t.word))) return false
  // Only a cancelling word before any "if": "cancel my appointment if possible" still cancels.
  const hypothetical = tokens.findIndex(
    (t, i) => IF_WORDS.has(t.word) || (t.word === 'si' && SI_SUBJECTS.has(tokens[i + 1]?.word ?? '')),
  )
  return near(tokens, meetingsAt(tokens), CANCEL_WORDS, hypothetical < 0 ? tokens.length : hypothetical)
}

/** The choice a reply picks among labels: its number ("2", "#2", "n°2") or its label. */
export function choiceOf(text: string, labels: string[]): number | null {
  const t = text.trim()
  const n = /^(?:#|n[°o]\s*)?(\d{1,2})[.)]?$/i.exec(t)
  if (n) {
    const i = Number(n[1]) - 1
    return i >= 0 && i < labels.length ? i : null
  }
  const f = fold(t)
  const i = labels.findIndex((l) => fold(l) === f)
  return i >= 0 ? i : null
}
