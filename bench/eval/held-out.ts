/**
 * A held-out evaluation set: new questions about the same demo shop (supabase/seed.sql FAQs plus the
 * delivery guide of ./set.ts), written from the knowledge and from what visitors type, without looking
 * at the answerability lexicon (api/src/answers/terms.ts) or at the tuning set's wording. Nothing is
 * tuned on it: bench/answers-eval.ts reports it beside the tuning set, at the shipped calibration.
 *
 * Seven languages (en, fr, es, pt, de, it, nl); covered questions name a fact a correct answer quotes
 * (any spelling listed); uncovered ones are `held` (a topic the shop's knowledge never mentions),
 * `near` (the topic is covered, the specifics are not) or `off` (nothing to do with the shop).
 */
import type { EvalQuestion as TuningQuestion } from './set'

export type HeldOutLang = 'en' | 'fr' | 'es' | 'pt' | 'de' | 'it' | 'nl'
export type HeldOutQuestion = Omit<TuningQuestion, 'lang'> & { lang: HeldOutLang }

const c = (lang: HeldOutLang, q: string, fact: string[]): HeldOutQuestion => ({
  q,
  lang,
  covered: true,
  fact,
})
const u = (lang: HeldOutLang, q: string, kind: 'held' | 'near' | 'off'): HeldOutQuestion => ({
  q,
  lang,
  covered: false,
  kind,
})

export const HELD_OUT: HeldOutQuestion[] = [
  // English
  c('en', 'If I order at 11 in the morning, does it leave today?', ['same day', '1 pm']),
  c('en', 'Do you take American Express?', ['American Express']),
  c('en', 'What is the price of express delivery?', ['9.90', '9,90']),
  c('en', 'Is there a phone number I can call?', ['72 00 00 00']),
  c('en', 'I am between two sizes, which one should I take?', ['larger', 'grande']),
  u('en', 'Do you have a loyalty programme with points?', 'held'),
  u('en', 'Can I ship my order to Brazil?', 'near'),
  u('en', 'Is there a shop in Marseille?', 'near'),
  u('en', 'What is the capital of Australia?', 'off'),
  // French
  c('fr', 'Combien de temps mon colis reste-t-il au point relais ?', ['14 jours']),
  c('fr', 'À partir de quel montant la livraison est-elle gratuite ?', ['60 €', '60 euros']),
  c('fr', 'Le magasin de Lyon ouvre à quelle heure ?', ['10 h']),
  c('fr', 'Mon colis est arrivé abîmé, que faire ?', ['48 heures', 'photo']),
  u('fr', 'Proposez-vous des cartes cadeaux ?', 'held'),
  u('fr', 'Livrez-vous en Suisse ?', 'near'),
  u('fr', 'Recrutez-vous des vendeurs pour Noël ?', 'held'),
  u('fr', 'Qui a écrit Les Misérables ?', 'off'),
  // Spanish
  c('es', '¿Puedo pagar con PayPal?', ['PayPal']),
  c('es', '¿Cuántos días tengo para devolver un artículo?', ['30']),
  c('es', '¿Dónde encuentro el número de seguimiento?', ['seguimiento', 'tracking', 'suivi']),
  u('es', '¿Hacen envíos a México?', 'near'),
  u('es', '¿Tienen descuentos para estudiantes?', 'held'),
  u('es', '¿Cuál es el río más largo del mundo?', 'off'),
  // Portuguese
  c('pt', 'Quanto custa o frete normal?', ['4,90', '4.90']),
  c('pt', 'Em quantos dias recebo o reembolso?', ['5']),
  c('pt', 'Posso pagar em três vezes?', ['3']),
  u('pt', 'Vocês entregam em Portugal?', 'near'),
  u('pt', 'Vocês vendem bicicletas elétricas?', 'held'),
  u('pt', 'Quem ganhou a Copa do Mundo de 2002?', 'off'),
  // German
  c('de', 'Wie viel kostet der Versand?', ['4,90', '4.90']),
  c('de', 'Wann bekomme ich mein Geld zurück?', ['5']),
  c('de', 'Wie erreiche ich den Kundenservice per E-Mail?', ['support@ma-boutique.example']),
  u('de', 'Liefern Sie nach Österreich?', 'near'),
  u('de', 'Gibt es eine Garantie auf Schuhe?', 'held'),
  u('de', 'Wie hoch ist die Zugspitze?', 'off'),
  // Italian
  c('it', 'Quanto costa la spedizione?', ['4,90', '4.90']),
  c('it', 'Come posso restituire un articolo?', ['30']),
  c('it', 'Quali metodi di pagamento accettate?', ['PayPal', 'Visa']),
  c('it', 'Posso seguire il mio ordine?', ['suivi', 'tracking']),
  u('it', 'Spedite in Italia?', 'near'),
  u('it', 'Avete un negozio a Milano?', 'near'),
  u('it', 'Vendete profumi?', 'held'),
  u('it', 'Come si prepara il tiramisù?', 'off'),
  // Dutch
  c('nl', 'Hoe lang duurt de levering?', ['2 à 4', '2 to 4', '2 tot 4']),
  c('nl', 'Wat kost de verzending?', ['4,90', '4.90']),
  c('nl', 'Hoe kan ik een artikel retourneren?', ['30']),
  u('nl', 'Leveren jullie in België?', 'near'),
  u('nl', 'Hebben jullie cadeaubonnen?', 'held'),
  u('nl', 'Wie is de koning van Nederland?', 'off'),
]
