/**
 * The answers evaluation set: questions visitors ask the demo shop "Ma Boutique" (supabase/seed.sql,
 * FAQs in French and English) plus one long French document added here (a delivery guide with
 * sections), labelled by hand in four languages (en, fr, es, de; es and de visitors read French or
 * English knowledge).
 *
 * - covered: the knowledge answers; `fact` lists spellings of the fact a correct answer quotes.
 * - uncovered: the knowledge does not answer. Three kinds: `held` (a topic no passage covers: gift
 *   cards, warranty...), `near` (same topic, other specifics: shipping to Canada when only France is
 *   covered, an order number), `off` (nothing to do with the shop).
 */
export type EvalLang = 'en' | 'fr' | 'es' | 'de'

export interface EvalQuestion {
  q: string
  lang: EvalLang
  covered: boolean
  /** For covered questions: the fact, as any of these strings (one must be in the answer). */
  fact?: string[]
  kind?: 'held' | 'near' | 'off'
}

/** A long document: the extractive answer must quote the section that answers, not all of it. */
export const DOCUMENT = {
  title: 'Guide de la livraison et des retours',
  language: 'fr',
  body: [
    '# Guide de la livraison et des retours',
    '## Points relais',
    'Vous pouvez choisir la livraison en point relais Mondial Relay au moment de la commande. Le colis y est conservé 14 jours. Munissez-vous d’une pièce d’identité pour le retirer.',
    '## Emballage',
    'Nos colis sont emballés dans des cartons recyclés, sans plastique. Les vêtements sont pliés dans du papier de soie.',
    '## Colis endommagé',
    'Si votre colis arrive abîmé, refusez-le auprès du transporteur ou envoyez-nous une photo sous 48 heures : nous renvoyons un article neuf à nos frais.',
    '## Soldes',
    'Les articles achetés en soldes peuvent être retournés sous 14 jours seulement, et ne sont pas échangeables.',
  ].join('\n\n'),
}

const c = (lang: EvalLang, q: string, fact: string[]): EvalQuestion => ({ q, lang, covered: true, fact })
const u = (lang: EvalLang, q: string, kind: EvalQuestion['kind']): EvalQuestion => ({
  q,
  lang,
  covered: false,
  kind,
})

const DAYS_24 = ['2 à 4', '2 to 4']
const COST = ['4,90', '4.90']
const FREE = ['60']
const RETURN30 = ['30 jours', '30 days']
const REFUND5 = ['5 jours', '5 business days']
const PAY = ['PayPal']
const HOURS = ['10 h', '10 am', '9 h', '9 am']
const TRACK = ['suivi', 'tracking']
const SIZE = ['guide des tailles', 'size guide']
const CONTACT = ['support@ma-boutique.example', '04 72', '+33 4 72']

export const QUESTIONS: EvalQuestion[] = [
  // English, covered
  c('en', 'How long does delivery take?', DAYS_24),
  c('en', 'How many days until my parcel arrives?', DAYS_24),
  c('en', 'How much is shipping?', COST),
  c('en', 'Is shipping free above some amount?', FREE),
  c('en', 'How can I send an item back?', RETURN30),
  c('en', 'When do I get my money back?', REFUND5),
  c('en', 'Can I pay with PayPal?', PAY),
  c('en', 'What time does your shop open?', HOURS),
  c('en', 'How do I track my order?', TRACK),
  c('en', 'Which size should I pick?', SIZE),
  c('en', 'How can I reach customer service?', CONTACT),
  // English, uncovered
  u('en', 'Do you ship to Canada?', 'near'),
  u('en', 'Do you deliver to Belgium?', 'near'),
  u('en', 'How much is shipping to Switzerland?', 'near'),
  u('en', 'My order 4512 has not arrived', 'near'),
  u('en', 'Do you sell gift cards?', 'held'),
  u('en', 'What is the warranty on your products?', 'held'),
  u('en', 'Do you have a student discount?', 'held'),
  u('en', 'Do you have a shop in Paris?', 'near'),
  u('en', 'Can I pay with Bitcoin?', 'near'),
  u('en', 'Who won the football match yesterday?', 'off'),
  u('en', 'Do you sell cars?', 'off'),
  // French, covered
  c('fr', 'Quels sont les délais de livraison ?', DAYS_24),
  c('fr', 'Combien coûte la livraison ?', COST),
  c('fr', 'À partir de quel montant la livraison est-elle offerte ?', FREE),
  c('fr', 'Comment retourner un article ?', RETURN30),
  c('fr', 'Quand serai-je remboursé ?', REFUND5),
  c('fr', 'Acceptez-vous PayPal ?', PAY),
  c('fr', 'Quels sont vos horaires ?', HOURS),
  c('fr', 'Puis-je suivre mon colis ?', TRACK),
  c('fr', 'Comment choisir la bonne taille ?', SIZE),
  c('fr', 'Combien de temps mon colis reste-t-il en point relais ?', ['14 jours']),
  c('fr', 'Mon colis est arrivé abîmé, que faire ?', ['48 heures']),
  c('fr', 'Peut-on retourner un article acheté en soldes ?', ['14 jours']),
  // French, uncovered
  u('fr', 'Livrez-vous au Canada ?', 'near'),
  u('fr', 'Livrez-vous en Belgique ?', 'near'),
  u('fr', "Ma commande n°4512 n'est pas arrivée", 'near'),
  u('fr', 'Vendez-vous des cartes cadeaux ?', 'held'),
  u('fr', 'Quelle est la garantie de vos produits ?', 'held'),
  u('fr', 'Avez-vous un magasin à Marseille ?', 'near'),
  u('fr', 'Proposez-vous le paiement en Bitcoin ?', 'near'),
  u('fr', 'Vendez-vous des voitures ?', 'off'),
  u('fr', 'Quelle est la capitale du Japon ?', 'off'),
  u('fr', 'Avez-vous un programme de fidélité ?', 'held'),
  // Spanish, covered (French/English knowledge)
  c('es', '¿Cuánto tarda la entrega?', DAYS_24),
  c('es', '¿Cuánto cuesta el envío?', COST),
  c('es', '¿Cómo devuelvo un artículo?', RETURN30),
  c('es', '¿Cuándo recibiré mi reembolso?', REFUND5),
  c('es', '¿Puedo pagar con PayPal?', PAY),
  c('es', '¿Cuál es el horario de la tienda?', HOURS),
  c('es', '¿Cómo elijo mi talla?', SIZE),
  // Spanish, uncovered
  u('es', '¿Hacen envíos a Canadá?', 'near'),
  u('es', '¿Envían a Bélgica?', 'near'),
  u('es', 'Mi pedido 4512 no ha llegado', 'near'),
  u('es', '¿Venden tarjetas regalo?', 'held'),
  u('es', '¿Venden coches?', 'off'),
  u('es', '¿Tienen descuento para estudiantes?', 'held'),
  // German, covered (French/English knowledge)
  c('de', 'Wie lange dauert die Lieferung?', DAYS_24),
  c('de', 'Was kostet der Versand?', COST),
  c('de', 'Wie kann ich einen Artikel zurücksenden?', RETURN30),
  c('de', 'Wann bekomme ich meine Rückerstattung?', REFUND5),
  c('de', 'Kann ich mit PayPal bezahlen?', PAY),
  c('de', 'Wie finde ich meine Größe?', SIZE),
  c('de', 'Wie sind Ihre Öffnungszeiten?', HOURS),
  // German, uncovered
  u('de', 'Liefern Sie nach Kanada?', 'near'),
  u('de', 'Liefern Sie in die Schweiz?', 'near'),
  u('de', 'Meine Bestellung 4512 ist nicht angekommen', 'near'),
  u('de', 'Verkaufen Sie Gutscheine?', 'held'),
  u('de', 'Verkaufen Sie Autos?', 'off'),
  u('de', 'Gibt es einen Studentenrabatt?', 'held'),
]
