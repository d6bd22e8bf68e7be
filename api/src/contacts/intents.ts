/**
 * What a visitor asks the assistant to do, in the seven languages (en fr es pt de it nl), read from
 * folded text (api/src/text/fold.ts): an order's status ("where is my order 4512?"), a meeting ("je
 * voudrais prendre rendez-vous"), the cancellation of one. Plain word lists, linear in the message.
 */
import { fold } from '../text/fold'

const ORDER_WORDS =
  /\b(orders?|commandes?|pedidos?|encomendas?|bestellung(en)?|ordini|ordine|bestelling(en)?|ordernummer|bestellnummer)\b/
const MEETING_WORDS =
  /\b(meetings?|appointments?|call|demo|rendez-vous|rendez vous|rdv|cita|citas|reunion|reuniao|reuniones|termin|terminvereinbarung|appuntamento|afspraak)\b/
const BOOK_WORDS =
  /\b(book|booking|schedule|arrange|set up|make|prendre|reserver|planifier|fixer|reservar|agendar|marcar|programar|buchen|vereinbaren|ausmachen|prenotare|fissare|maken|inplannen|plannen|boeken|want|would like|voudrais|veux|quiero|quisiera|gostaria|quero|mochte|mocht|mochten|vorrei|wil|graag)\b/
const CANCEL_WORDS =
  /\b(cancel|annuler|annule|cancelar|cancele|stornieren|absagen|annullare|annulla|disdire|annuleren|afzeggen)\b/

/** The order number a message asks about ("4512", "#A-1009"), or null when it is not an order question. */
export function orderQuestionOf(text: string): string | null {
  if (text.length > 500) return null
  const f = fold(text)
  if (!ORDER_WORDS.test(f)) return null
  // The first token with a digit (order numbers are short codes: "4512", "A-1009").
  const found = (text.match(/[A-Za-z0-9][A-Za-z0-9._-]{0,99}/g) ?? []).find(
    (t) => /\d/.test(t) && t.length >= 3,
  )
  return found ? found.replace(/[._-]+$/, '') : null
}

/** "I'd like to book a meeting", "je voudrais prendre rendez-vous", "quiero una cita"... */
export function meetingRequestOf(text: string): boolean {
  if (text.length > 500) return false
  const f = fold(text)
  return MEETING_WORDS.test(f) && !CANCEL_WORDS.test(f) && (BOOK_WORDS.test(f) || f.split(/\s+/).length <= 3)
}

/** "Cancel my meeting", "annuler le rendez-vous" (or the widget's cancel button's label). */
export function meetingCancelOf(text: string): boolean {
  if (text.length > 500) return false
  const f = fold(text)
  return CANCEL_WORDS.test(f) && MEETING_WORDS.test(f)
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
