/**
 * `npx tsx bench/retrieval.ts` (also part of `npm run bench`): the RAG benchmark on the embedded
 * database (PGlite + pgvector, in memory), with the offline embedder. For each corpus size
 * (BENCH_SIZES, default 10000,100000):
 *
 * - ingestion: synthetic multilingual support passages (seeded, so every run sees the same corpus)
 *   embedded in batches and written the way the knowledge worker writes them (bulk insert of
 *   knowledge_chunks rows, then store.upsert, which maintains the HNSW index row by row), and, for
 *   comparison, a bulk load of rows already carrying their vectors followed by one CREATE INDEX;
 * - latency: vector-only store.search (k=10), full-text search_chunks_text, hybrid retrieve() (k=5),
 *   p50/p95/p99 after a warm-up, over questions that paraphrase passages (some in another language)
 *   plus some off-topic ones; and vector search in a small tenant sharing the table (filtered search);
 * - HNSW recall@10 against exact search (the same SQL with index scans disabled; both plans checked
 *   with EXPLAIN) at several hnsw.ef_search values;
 * - fusion by measurement: recall@5 and MRR@10 of full-text only, vector only, RRF and weighted
 *   fusion on the labelled synthetic questions (the passage a question was written from is the
 *   relevant one; the answering_ columns count any passage that answers it as well: BenchQuery) and on
 *   the hand-written fixture tests/fixtures/knowledge/multilingual.ts.
 *
 * Sizes above BENCH_WORKER_MAX (default 10000) are built by bulk load + one CREATE INDEX instead of
 * row by row (at 100k the row-by-row path takes over half an hour on PGlite); BENCH_BULK_MAX (default
 * 10000) bounds the bulk-load comparison. BENCH_QUERIES (200) and BENCH_EF (40,100,200,400) tune the rest.
 *
 * Prints tables and writes bench/results/retrieval.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import type pg from 'pg'
import { openDatabase, type Database } from '../api/src/db/database'
import { migrate } from '../api/src/db/migrator'
import { withTx } from '../api/src/db/tx'
import { createLocalEmbedder } from '../api/src/knowledge/embed-local'
import { fold, words } from '../api/src/text/fold'
import { detectLanguage } from '../api/src/text/language'
import type { Embedder } from '../api/src/knowledge/embedder'
import { retrieve, type Fusion } from '../api/src/knowledge/search'
import { createPgvectorStore, hnswIndexSql, searchSql } from '../api/src/knowledge/pgvector-store'
import type { VectorStore } from '../api/src/knowledge/vector-store'
import * as fixture from '../tests/fixtures/knowledge/multilingual'
import { mulberry32, percentile } from './lib'

const QUERIES = Number(process.env.BENCH_QUERIES ?? 200)
const WARMUP = 20
const SMALL_TENANT = Number(process.env.BENCH_SMALL_TENANT ?? 300)
const BATCH = 256
const EF_VALUES = (process.env.BENCH_EF ?? '40,100,200,400').split(',').map(Number)
/** Passages per knowledge source (a document's worth of chunks). */
const PER_SOURCE = 50
/** The bulk-load-then-index comparison only up to this size (it costs as much as the ingestion again). */
const BULK_MAX = Number(process.env.BENCH_BULK_MAX ?? 10000)
/** Sizes above this are loaded in bulk (then indexed) instead of row by row through store.upsert. */
const WORKER_MAX = Number(process.env.BENCH_WORKER_MAX ?? 10000)

type Lang = 'en' | 'fr' | 'es' | 'pt' | 'de' | 'it' | 'nl'
const LANGS: Lang[] = ['en', 'fr', 'es', 'pt', 'de', 'it', 'nl']
type Topic = 'shipping' | 'returns' | 'payments' | 'accounts' | 'products'
const TOPICS: Topic[] = ['shipping', 'returns', 'payments', 'accounts', 'products']

// ---------------------------------------------------------------------------------------------
// Corpus

const rng = mulberry32

const BRANDS = (
  'Aurora Nimbus Kestrel Solano Vireo Altura Brisa Cobalt Dunas Ember Fjord Garnet Halcyon Ibis Juniper ' +
  'Koru Lumen Marlin Nordik Onyx Pampa Quartz Riviera Sierra Talon Umbra Vela Wren Xenon Zephyr'
).split(' ')
/** Product types in each language. */
const TYPES: Record<Lang, string>[] = [
  {
    en: 'blender',
    fr: 'mixeur',
    es: 'licuadora',
    pt: 'liquidificador',
    de: 'Standmixer',
    it: 'frullatore',
    nl: 'blender',
  },
  {
    en: 'backpack',
    fr: 'sac à dos',
    es: 'mochila',
    pt: 'mochila',
    de: 'Rucksack',
    it: 'zaino',
    nl: 'rugzak',
  },
  {
    en: 'headphones',
    fr: 'casque audio',
    es: 'auriculares',
    pt: 'fones de ouvido',
    de: 'Kopfhörer',
    it: 'cuffie',
    nl: 'koptelefoon',
  },
  {
    en: 'coffee machine',
    fr: 'machine à café',
    es: 'cafetera',
    pt: 'cafeteira',
    de: 'Kaffeemaschine',
    it: 'macchina da caffè',
    nl: 'koffiezetapparaat',
  },
  {
    en: 'running shoes',
    fr: 'chaussures de course',
    es: 'zapatillas de running',
    pt: 'tênis de corrida',
    de: 'Laufschuhe',
    it: 'scarpe da corsa',
    nl: 'hardloopschoenen',
  },
  {
    en: 'vacuum cleaner',
    fr: 'aspirateur',
    es: 'aspiradora',
    pt: 'aspirador de pó',
    de: 'Staubsauger',
    it: 'aspirapolvere',
    nl: 'stofzuiger',
  },
  {
    en: 'desk lamp',
    fr: 'lampe de bureau',
    es: 'lámpara de escritorio',
    pt: 'luminária de mesa',
    de: 'Schreibtischlampe',
    it: 'lampada da scrivania',
    nl: 'bureaulamp',
  },
  {
    en: 'smartwatch',
    fr: 'montre connectée',
    es: 'reloj inteligente',
    pt: 'relógio inteligente',
    de: 'Smartwatch',
    it: 'smartwatch',
    nl: 'smartwatch',
  },
  {
    en: 'kettle',
    fr: 'bouilloire',
    es: 'hervidor',
    pt: 'chaleira',
    de: 'Wasserkocher',
    it: 'bollitore',
    nl: 'waterkoker',
  },
  {
    en: 'rain jacket',
    fr: 'veste de pluie',
    es: 'chaqueta impermeable',
    pt: 'jaqueta impermeável',
    de: 'Regenjacke',
    it: 'giacca impermeabile',
    nl: 'regenjas',
  },
  {
    en: 'suitcase',
    fr: 'valise',
    es: 'maleta',
    pt: 'mala de viagem',
    de: 'Koffer',
    it: 'valigia',
    nl: 'koffer',
  },
  {
    en: 'bike helmet',
    fr: 'casque de vélo',
    es: 'casco de bicicleta',
    pt: 'capacete de bicicleta',
    de: 'Fahrradhelm',
    it: 'casco da bici',
    nl: 'fietshelm',
  },
]
const CITIES = (
  'Lyon,Marseille,Toulouse,Bordeaux,Lille,Nantes,Strasbourg,Madrid,Barcelona,Sevilla,Valencia,Bilbao,Málaga,' +
  'Lisboa,Porto,Braga,Coimbra,São Paulo,Rio de Janeiro,Belo Horizonte,Curitiba,Recife,Salvador,Montréal,Québec,' +
  'Bruxelles,Genève,London,Manchester,Dublin,Boston,Chicago,Toronto,Ciudad de México,Guadalajara,Buenos Aires,' +
  'Bogotá,Lima,Santiago,Casablanca,Dakar,Luanda,Maputo,Berlin'
).split(',')
const COUNTRIES =
  'France,Spain,Portugal,Brazil,Canada,Belgium,Switzerland,Ireland,Mexico,Argentina,Colombia,Chile,Morocco,Senegal'.split(
    ',',
  )
const CARRIERS =
  'DHL,UPS,FedEx,Colissimo,Chronopost,Correos,SEUR,CTT,Correios,Jadlog,Royal Mail,GLS,Mondial Relay'.split(
    ',',
  )
const PLANS = ['Basic', 'Plus', 'Pro', 'Business', 'Family']
const MONTHS: Record<Lang, string[]> = {
  en: 'January February March April May June July August September October November December'.split(' '),
  fr: 'janvier février mars avril mai juin juillet août septembre octobre novembre décembre'.split(' '),
  es: 'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre'.split(' '),
  pt: 'janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro'.split(' '),
  de: 'Januar Februar März April Mai Juni Juli August September Oktober November Dezember'.split(' '),
  it: 'gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre'.split(
    ' ',
  ),
  nl: 'januari februari maart april mei juni juli augustus september oktober november december'.split(' '),
}

/**
 * Per language and topic: title templates, sentence templates and question templates. Slots:
 * {P} full product name, {B} brand, {T} product type, {M} model, {city}, {wh} warehouse city,
 * {country}, {carrier}, {plan}, {month}, numbers {n1} (1-9) {n2} (2-5) {n3} (6-14) {n30} (14-60)
 * {price} {fee} {pct} {hours} {w}.
 */
interface TopicText {
  titles: string[]
  sentences: string[]
  questions: string[]
}
const TEXT: Record<Lang, Record<Topic, TopicText> & { filler: string[]; offTopic: string[] }> = {
  en: {
    shipping: {
      titles: ['Shipping the {B} {T} to {city}', 'Delivery times for the {P}'],
      sentences: [
        'The {P} ships from our warehouse in {wh} within {n1} business days of your order.',
        'Delivery to {city} with {carrier} usually takes {n2} to {n3} days, and the tracking number is sent by e-mail.',
        'Shipping is free on orders over {price} euros; below that a flat fee of {fee} euros applies.',
        'Express delivery to {city} is available for the {T} if you order before {hours} pm.',
        'We currently ship the {B} range to {country} and {n3} other countries, customs duties included.',
        'If your parcel has not arrived after {n3} days, contact us and we will open an investigation with {carrier}.',
      ],
      questions: [
        'how long does delivery of the {B} {T} to {city} take?',
        'do you ship the {P} to {country}?',
        'is shipping free for the {T} {M}, and which carrier delivers it?',
      ],
    },
    returns: {
      titles: ['Returning your {P}', 'Returns and refunds for the {B} {T}'],
      sentences: [
        'You can return the {P} within {n30} days of delivery if it is unused and in its original box.',
        'Print the prepaid return label from your account and drop the parcel at any {carrier} point in {city}.',
        'Refunds for the {T} are issued to the original payment method within {n1} business days after we receive it.',
        'Items bought on sale can be exchanged for another size or colour but are refunded as store credit.',
        'A restocking fee of {pct} percent applies to opened {T} returns shipped from {country}.',
        'Damaged {B} products must be reported within {n2} days with a photo of the packaging.',
      ],
      questions: [
        'can I return my {P}?',
        'how do I send back the {B} {T}, is the return label free?',
        'when will I get a refund for the {T} {M}?',
      ],
    },
    payments: {
      titles: ['Paying for the {P}', 'Payment options for {B} orders'],
      sentences: [
        'We accept Visa, Mastercard, PayPal and Apple Pay for the {P}.',
        'You can pay for the {T} in {n2} interest-free instalments on orders above {price} euros.',
        'Your card is only charged when the {B} order leaves our warehouse in {wh}.',
        'Invoices with VAT are available in your account under Orders for customers in {country}.',
        'If a payment fails, check that your bank allows online payments and try again within {hours} hours.',
        'Gift cards can pay for part of the {T} and the rest can be paid by card.',
      ],
      questions: [
        'can I pay the {P} in instalments?',
        'which cards do you take for the {B} {T}?',
        'when is my card charged for the {T} {M}?',
      ],
    },
    accounts: {
      titles: ['Your {B} account', 'Managing the {plan} plan'],
      sentences: [
        'To reset your password, click Forgot password on the sign-in page; the link expires after {hours} hours.',
        'The {plan} plan lets up to {n1} people share one account and register their {B} products.',
        'You can delete your account under Settings, Privacy; your personal data is erased within {n30} days.',
        'Register your {P} in your account to extend the warranty by {n3} months.',
        'Two-factor authentication can be turned on with an app or a text message from the security page.',
        'Customers in {city} can also manage their account in our store on the main square.',
      ],
      questions: [
        'how do I register my {P} to extend the warranty?',
        'I forgot the password of my {B} account',
        'how many people can share the {plan} plan?',
      ],
    },
    products: {
      titles: ['{P}: specifications and care', 'Using your {B} {T}'],
      sentences: [
        'The {P} has a {n2}-year warranty covering manufacturing defects.',
        'The {T} {M} weighs {w} grams and comes in {n1} colours.',
        'Spare parts for the {B} {T} can be ordered from our service centre in {city}.',
        'Before first use, charge the {T} for {hours} hours and update the firmware from the app.',
        'The {P} is back in stock in our {city} store from {month}.',
        'Clean the {T} with a damp cloth; do not put the {M} model in the dishwasher.',
      ],
      questions: [
        'what is the warranty on the {P}?',
        'where can I get spare parts for the {B} {T} in {city}?',
        'how much does the {T} {M} weigh and what colours are there?',
      ],
    },
    filler: [
      'Our support team answers from Monday to Friday, 9 am to 6 pm.',
      'You can also reach us by chat from the help centre.',
      'These conditions apply to orders placed on our website and in the app.',
    ],
    offTopic: [
      'what is the weather in Paris tomorrow',
      'who won the football match last night',
      'write me a poem about the sea',
      'how do I cook a perfect risotto',
    ],
  },
  fr: {
    shipping: {
      titles: ['Livraison du {T} {B} à {city}', 'Délais de livraison du {P}'],
      sentences: [
        'Le {P} est expédié depuis notre entrepôt de {wh} sous {n1} jours ouvrés après la commande.',
        'La livraison à {city} par {carrier} prend en général {n2} à {n3} jours, et le numéro de suivi est envoyé par e-mail.',
        'La livraison est gratuite dès {price} euros d’achat ; en dessous, des frais fixes de {fee} euros s’appliquent.',
        'La livraison express à {city} est possible pour le {T} si vous commandez avant {hours} h.',
        'Nous livrons la gamme {B} en {country} et dans {n3} autres pays, droits de douane compris.',
        'Si votre colis n’est pas arrivé après {n3} jours, contactez-nous et nous ouvrirons une enquête auprès de {carrier}.',
      ],
      questions: [
        'combien de temps prend la livraison du {T} {B} à {city} ?',
        'livrez-vous le {P} en {country} ?',
        'la livraison du {T} {M} est-elle gratuite, et quel transporteur la fait ?',
      ],
    },
    returns: {
      titles: ['Retourner votre {P}', 'Retours et remboursements du {T} {B}'],
      sentences: [
        'Vous pouvez retourner le {P} sous {n30} jours après la livraison s’il n’a pas servi et est dans sa boîte d’origine.',
        'Imprimez l’étiquette de retour prépayée depuis votre compte et déposez le colis dans un point {carrier} à {city}.',
        'Le remboursement du {T} est fait sur le moyen de paiement d’origine sous {n1} jours ouvrés après réception.',
        'Les articles achetés en soldes peuvent être échangés contre une autre taille ou couleur mais sont remboursés en avoir.',
        'Des frais de remise en stock de {pct} pour cent s’appliquent aux {T} ouverts renvoyés depuis {country}.',
        'Un produit {B} endommagé doit être signalé sous {n2} jours avec une photo de l’emballage.',
      ],
      questions: [
        'puis-je retourner mon {P} ?',
        'comment renvoyer le {T} {B}, l’étiquette de retour est-elle gratuite ?',
        'quand serai-je remboursé pour le {T} {M} ?',
      ],
    },
    payments: {
      titles: ['Payer le {P}', 'Moyens de paiement des commandes {B}'],
      sentences: [
        'Nous acceptons Visa, Mastercard, PayPal et Apple Pay pour le {P}.',
        'Vous pouvez payer le {T} en {n2} fois sans frais pour toute commande de plus de {price} euros.',
        'Votre carte n’est débitée que lorsque la commande {B} quitte notre entrepôt de {wh}.',
        'Les factures avec TVA sont disponibles dans votre compte, rubrique Commandes, pour les clients en {country}.',
        'Si un paiement échoue, vérifiez que votre banque autorise les paiements en ligne et réessayez sous {hours} heures.',
        'Une carte cadeau peut régler une partie du {T} et le reste par carte bancaire.',
      ],
      questions: [
        'puis-je payer le {P} en plusieurs fois ?',
        'quelles cartes acceptez-vous pour le {T} {B} ?',
        'quand ma carte est-elle débitée pour le {T} {M} ?',
      ],
    },
    accounts: {
      titles: ['Votre compte {B}', 'Gérer la formule {plan}'],
      sentences: [
        'Pour réinitialiser votre mot de passe, cliquez sur Mot de passe oublié ; le lien expire après {hours} heures.',
        'La formule {plan} permet à {n1} personnes de partager un compte et d’enregistrer leurs produits {B}.',
        'Vous pouvez supprimer votre compte dans Paramètres, Confidentialité ; vos données sont effacées sous {n30} jours.',
        'Enregistrez votre {P} dans votre compte pour prolonger la garantie de {n3} mois.',
        'La double authentification s’active avec une application ou par SMS depuis la page sécurité.',
        'Les clients de {city} peuvent aussi gérer leur compte dans notre magasin du centre-ville.',
      ],
      questions: [
        'comment enregistrer mon {P} pour prolonger la garantie ?',
        'j’ai oublié le mot de passe de mon compte {B}',
        'combien de personnes peuvent partager la formule {plan} ?',
      ],
    },
    products: {
      titles: ['{P} : caractéristiques et entretien', 'Utiliser votre {T} {B}'],
      sentences: [
        'Le {P} bénéficie d’une garantie de {n2} ans contre les défauts de fabrication.',
        'Le {T} {M} pèse {w} grammes et existe en {n1} coloris.',
        'Les pièces détachées du {T} {B} se commandent auprès de notre centre de service de {city}.',
        'Avant la première utilisation, chargez le {T} pendant {hours} heures et mettez à jour le logiciel depuis l’application.',
        'Le {P} est de nouveau en stock dans notre magasin de {city} à partir de {month}.',
        'Nettoyez le {T} avec un chiffon humide ; ne mettez pas le modèle {M} au lave-vaisselle.',
      ],
      questions: [
        'quelle est la garantie du {P} ?',
        'où trouver des pièces détachées pour le {T} {B} à {city} ?',
        'combien pèse le {T} {M} et quels coloris existent ?',
      ],
    },
    filler: [
      'Notre service client répond du lundi au vendredi, de 9 h à 18 h.',
      'Vous pouvez aussi nous écrire par chat depuis le centre d’aide.',
      'Ces conditions s’appliquent aux commandes passées sur notre site et dans l’application.',
    ],
    offTopic: [
      'quel temps fera-t-il demain à Lyon',
      'recette de la tarte tatin',
      'qui a gagné le match hier soir',
      'raconte-moi une blague',
    ],
  },
  es: {
    shipping: {
      titles: ['Envío de la {T} {B} a {city}', 'Plazos de entrega del {P}'],
      sentences: [
        'El {P} se envía desde nuestro almacén de {wh} en {n1} días hábiles tras el pedido.',
        'La entrega en {city} con {carrier} suele tardar entre {n2} y {n3} días, y el número de seguimiento llega por correo.',
        'El envío es gratuito en pedidos de más de {price} euros; por debajo se cobra una tarifa fija de {fee} euros.',
        'El envío exprés a {city} está disponible para la {T} si haces el pedido antes de las {hours} de la tarde.',
        'Enviamos la gama {B} a {country} y a otros {n3} países, aranceles incluidos.',
        'Si tu paquete no ha llegado después de {n3} días, escríbenos y abriremos una reclamación con {carrier}.',
      ],
      questions: [
        '¿cuánto tarda el envío de la {T} {B} a {city}?',
        '¿envían el {P} a {country}?',
        '¿el envío de la {T} {M} es gratis y qué transportista lo lleva?',
      ],
    },
    returns: {
      titles: ['Devolver tu {P}', 'Devoluciones y reembolsos de la {T} {B}'],
      sentences: [
        'Puedes devolver el {P} en un plazo de {n30} días desde la entrega si no se ha usado y está en su caja original.',
        'Imprime la etiqueta de devolución prepagada desde tu cuenta y deja el paquete en cualquier punto {carrier} de {city}.',
        'El reembolso de la {T} se hace en el método de pago original en {n1} días hábiles tras recibirla.',
        'Los artículos comprados en rebajas se pueden cambiar por otra talla o color, pero se reembolsan como saldo.',
        'Se aplica una tarifa de reposición del {pct} por ciento a las devoluciones de {T} abiertas enviadas desde {country}.',
        'Los productos {B} dañados deben comunicarse en {n2} días con una foto del embalaje.',
      ],
      questions: [
        '¿puedo devolver mi {P}?',
        '¿cómo devuelvo la {T} {B}? ¿la etiqueta de devolución es gratis?',
        '¿cuándo me reembolsan la {T} {M}?',
      ],
    },
    payments: {
      titles: ['Pagar el {P}', 'Formas de pago de los pedidos {B}'],
      sentences: [
        'Aceptamos Visa, Mastercard, PayPal y Apple Pay para el {P}.',
        'Puedes pagar la {T} en {n2} plazos sin intereses en pedidos de más de {price} euros.',
        'Solo cobramos la tarjeta cuando el pedido {B} sale de nuestro almacén de {wh}.',
        'Las facturas con IVA están en tu cuenta, en la sección Pedidos, para clientes de {country}.',
        'Si un pago falla, comprueba que tu banco permite pagos en línea y vuelve a intentarlo en {hours} horas.',
        'Una tarjeta regalo puede pagar parte de la {T} y el resto se paga con tarjeta.',
      ],
      questions: [
        '¿puedo pagar el {P} a plazos?',
        '¿qué tarjetas aceptan para la {T} {B}?',
        '¿cuándo me cobran la tarjeta por la {T} {M}?',
      ],
    },
    accounts: {
      titles: ['Tu cuenta {B}', 'Gestionar el plan {plan}'],
      sentences: [
        'Para restablecer tu contraseña, pulsa ¿Olvidaste tu contraseña?; el enlace caduca a las {hours} horas.',
        'El plan {plan} permite que {n1} personas compartan una cuenta y registren sus productos {B}.',
        'Puedes eliminar tu cuenta en Ajustes, Privacidad; tus datos personales se borran en {n30} días.',
        'Registra tu {P} en tu cuenta para ampliar la garantía {n3} meses.',
        'La verificación en dos pasos se activa con una aplicación o por SMS desde la página de seguridad.',
        'Los clientes de {city} también pueden gestionar su cuenta en nuestra tienda del centro.',
      ],
      questions: [
        '¿cómo registro mi {P} para ampliar la garantía?',
        'olvidé la contraseña de mi cuenta {B}',
        '¿cuántas personas pueden compartir el plan {plan}?',
      ],
    },
    products: {
      titles: ['{P}: características y cuidado', 'Usar tu {T} {B}'],
      sentences: [
        'El {P} tiene una garantía de {n2} años contra defectos de fabricación.',
        'La {T} {M} pesa {w} gramos y está disponible en {n1} colores.',
        'Los repuestos de la {T} {B} se piden en nuestro servicio técnico de {city}.',
        'Antes del primer uso, carga la {T} durante {hours} horas y actualiza el software desde la aplicación.',
        'El {P} vuelve a estar disponible en nuestra tienda de {city} a partir de {month}.',
        'Limpia la {T} con un paño húmedo; no metas el modelo {M} en el lavavajillas.',
      ],
      questions: [
        '¿qué garantía tiene el {P}?',
        '¿dónde consigo repuestos para la {T} {B} en {city}?',
        '¿cuánto pesa la {T} {M} y en qué colores viene?',
      ],
    },
    filler: [
      'Nuestro equipo de atención responde de lunes a viernes, de 9 a 18 h.',
      'También puedes escribirnos por chat desde el centro de ayuda.',
      'Estas condiciones se aplican a los pedidos hechos en la web y en la aplicación.',
    ],
    offTopic: [
      'qué tiempo hará mañana en Madrid',
      'receta de paella valenciana',
      'quién ganó el partido anoche',
      'cuéntame un chiste',
    ],
  },
  pt: {
    shipping: {
      titles: ['Entrega do {T} {B} em {city}', 'Prazo de entrega do {P}'],
      sentences: [
        'O {P} é enviado do nosso armazém de {wh} em até {n1} dias úteis após o pedido.',
        'A entrega em {city} pela {carrier} costuma levar de {n2} a {n3} dias, e o código de rastreio chega por e-mail.',
        'O frete é grátis em compras acima de {price} reais; abaixo disso cobramos uma taxa fixa de {fee} reais.',
        'A entrega expressa em {city} está disponível para o {T} se você comprar antes das {hours} horas.',
        'Enviamos a linha {B} para {country} e mais {n3} países, com impostos de importação incluídos.',
        'Se a sua encomenda não chegou depois de {n3} dias, fale conosco e abriremos uma reclamação com a {carrier}.',
      ],
      questions: [
        'quanto tempo demora a entrega do {T} {B} em {city}?',
        'vocês entregam o {P} em {country}?',
        'o frete do {T} {M} é grátis e qual transportadora entrega?',
      ],
    },
    returns: {
      titles: ['Devolver o seu {P}', 'Trocas e devoluções do {T} {B}'],
      sentences: [
        'Você pode devolver o {P} em até {n30} dias após a entrega se não tiver sido usado e estiver na caixa original.',
        'Imprima a etiqueta de devolução pré-paga na sua conta e deixe o pacote em qualquer agência {carrier} de {city}.',
        'O reembolso do {T} é feito no meio de pagamento original em até {n1} dias úteis após o recebimento.',
        'Produtos comprados em promoção podem ser trocados por outro tamanho ou cor, mas são reembolsados como crédito.',
        'Uma taxa de reposição de {pct} por cento vale para devoluções de {T} abertos enviados de {country}.',
        'Produtos {B} danificados devem ser informados em até {n2} dias com uma foto da embalagem.',
      ],
      questions: [
        'posso devolver o meu {P}?',
        'como devolvo o {T} {B}? a etiqueta de devolução é grátis?',
        'quando recebo o reembolso do {T} {M}?',
      ],
    },
    payments: {
      titles: ['Pagar o {P}', 'Formas de pagamento dos pedidos {B}'],
      sentences: [
        'Aceitamos Visa, Mastercard, PayPal, Pix e boleto para o {P}.',
        'Você pode parcelar o {T} em {n2} vezes sem juros em compras acima de {price} reais.',
        'O cartão só é cobrado quando o pedido {B} sai do nosso armazém de {wh}.',
        'As notas fiscais ficam na sua conta, em Pedidos, para clientes de {country}.',
        'Se um pagamento falhar, confira se o seu banco permite compras online e tente de novo em {hours} horas.',
        'Um vale-presente pode pagar parte do {T} e o restante pode ser pago com cartão.',
      ],
      questions: [
        'posso parcelar o {P}?',
        'quais cartões vocês aceitam para o {T} {B}?',
        'quando o cartão é cobrado pelo {T} {M}?',
      ],
    },
    accounts: {
      titles: ['Sua conta {B}', 'Gerenciar o plano {plan}'],
      sentences: [
        'Para redefinir a sua senha, clique em Esqueci minha senha; o link expira em {hours} horas.',
        'O plano {plan} permite que {n1} pessoas compartilhem uma conta e registrem os seus produtos {B}.',
        'Você pode excluir a sua conta em Configurações, Privacidade; os seus dados são apagados em até {n30} dias.',
        'Registre o seu {P} na sua conta para estender a garantia em {n3} meses.',
        'A verificação em duas etapas é ativada com um aplicativo ou por SMS na página de segurança.',
        'Clientes de {city} também podem gerenciar a conta na nossa loja do centro.',
      ],
      questions: [
        'como registro o meu {P} para estender a garantia?',
        'esqueci a senha da minha conta {B}',
        'quantas pessoas podem compartilhar o plano {plan}?',
      ],
    },
    products: {
      titles: ['{P}: especificações e cuidados', 'Usar o seu {T} {B}'],
      sentences: [
        'O {P} tem garantia de {n2} anos contra defeitos de fabricação.',
        'O {T} {M} pesa {w} gramas e vem em {n1} cores.',
        'Peças de reposição do {T} {B} podem ser pedidas na nossa assistência técnica de {city}.',
        'Antes do primeiro uso, carregue o {T} por {hours} horas e atualize o software pelo aplicativo.',
        'O {P} volta ao estoque na nossa loja de {city} a partir de {month}.',
        'Limpe o {T} com um pano úmido; não coloque o modelo {M} na lava-louças.',
      ],
      questions: [
        'qual é a garantia do {P}?',
        'onde encontro peças de reposição para o {T} {B} em {city}?',
        'quanto pesa o {T} {M} e quais cores existem?',
      ],
    },
    filler: [
      'Nossa equipe de atendimento responde de segunda a sexta, das 9h às 18h.',
      'Você também pode falar conosco pelo chat na central de ajuda.',
      'Estas condições valem para pedidos feitos no site e no aplicativo.',
    ],
    offTopic: [
      'como vai estar o tempo amanhã em Lisboa',
      'receita de pão de queijo',
      'quem ganhou o jogo ontem',
      'me conta uma piada',
    ],
  },
  de: {
    shipping: {
      titles: ['Versand von {T} {B} nach {city}', 'Lieferzeiten für {P}'],
      sentences: [
        'Der {P} wird innerhalb von {n1} Werktagen nach der Bestellung aus unserem Lager in {wh} verschickt.',
        'Die Lieferung nach {city} mit {carrier} dauert meist {n2} bis {n3} Tage, die Sendungsnummer kommt per E-Mail.',
        'Der Versand ist ab {price} Euro Bestellwert kostenlos; darunter berechnen wir pauschal {fee} Euro.',
        'Expresslieferung nach {city} ist für {T} möglich, wenn Sie vor {hours} Uhr bestellen.',
        'Wir liefern die Marke {B} nach {country} und in {n3} weitere Länder, Zollgebühren inklusive.',
        'Ist Ihr Paket nach {n3} Tagen nicht angekommen, melden Sie sich und wir starten einen Nachforschungsauftrag bei {carrier}.',
      ],
      questions: [
        'wie lange dauert die Lieferung von {T} {B} nach {city}?',
        'liefern Sie den {P} nach {country}?',
        'ist der Versand für {T} {M} kostenlos und welcher Paketdienst liefert?',
      ],
    },
    returns: {
      titles: ['{P} zurücksenden', 'Rücksendung und Erstattung für {T} {B}'],
      sentences: [
        'Sie können den {P} innerhalb von {n30} Tagen nach Lieferung zurücksenden, wenn er unbenutzt und originalverpackt ist.',
        'Drucken Sie das vorfrankierte Rücksendeetikett in Ihrem Konto aus und geben Sie das Paket in einer {carrier} Filiale in {city} ab.',
        'Die Erstattung für {T} erfolgt innerhalb von {n1} Werktagen nach Eingang auf das ursprüngliche Zahlungsmittel.',
        'Reduzierte Artikel können gegen eine andere Größe oder Farbe getauscht werden, werden aber als Gutschrift erstattet.',
        'Für geöffnete {T} aus {country} berechnen wir eine Wiedereinlagerungsgebühr von {pct} Prozent.',
        'Beschädigte {B} Produkte müssen innerhalb von {n2} Tagen mit einem Foto der Verpackung gemeldet werden.',
      ],
      questions: [
        'kann ich meinen {P} zurückgeben?',
        'wie schicke ich {T} {B} zurück, ist das Rücksendeetikett kostenlos?',
        'wann bekomme ich die Erstattung für {T} {M}?',
      ],
    },
    payments: {
      titles: ['{P} bezahlen', 'Zahlungsarten für {B} Bestellungen'],
      sentences: [
        'Für den {P} akzeptieren wir Visa, Mastercard, PayPal und Apple Pay.',
        'Ab {price} Euro können Sie {T} in {n2} zinsfreien Raten bezahlen.',
        'Ihre Karte wird erst belastet, wenn die {B} Bestellung unser Lager in {wh} verlässt.',
        'Rechnungen mit Mehrwertsteuer finden Kunden in {country} in ihrem Konto unter Bestellungen.',
        'Schlägt eine Zahlung fehl, prüfen Sie, ob Ihre Bank Onlinezahlungen erlaubt, und versuchen Sie es innerhalb von {hours} Stunden erneut.',
        'Ein Geschenkgutschein kann einen Teil von {T} bezahlen, der Rest per Karte.',
      ],
      questions: [
        'kann ich den {P} in Raten bezahlen?',
        'welche Karten nehmen Sie für {T} {B}?',
        'wann wird meine Karte für {T} {M} belastet?',
      ],
    },
    accounts: {
      titles: ['Ihr {B} Konto', 'Den Tarif {plan} verwalten'],
      sentences: [
        'Um Ihr Passwort zurückzusetzen, klicken Sie auf der Anmeldeseite auf Passwort vergessen; der Link ist {hours} Stunden gültig.',
        'Mit dem Tarif {plan} können bis zu {n1} Personen ein Konto teilen und ihre {B} Produkte registrieren.',
        'Ihr Konto löschen Sie unter Einstellungen, Datenschutz; Ihre Daten werden innerhalb von {n30} Tagen gelöscht.',
        'Registrieren Sie Ihren {P} im Konto, um die Garantie um {n3} Monate zu verlängern.',
        'Die Zwei-Faktor-Anmeldung aktivieren Sie auf der Sicherheitsseite mit einer App oder per SMS.',
        'Kunden in {city} können ihr Konto auch in unserem Geschäft am Marktplatz verwalten.',
      ],
      questions: [
        'wie registriere ich meinen {P}, um die Garantie zu verlängern?',
        'ich habe das Passwort meines {B} Kontos vergessen',
        'wie viele Personen können den Tarif {plan} teilen?',
      ],
    },
    products: {
      titles: ['{P}: Technische Daten und Pflege', '{T} {B} verwenden'],
      sentences: [
        'Der {P} hat {n2} Jahre Garantie auf Herstellungsfehler.',
        '{T} {M} wiegt {w} Gramm und ist in {n1} Farben erhältlich.',
        'Ersatzteile für {T} {B} bestellen Sie in unserem Servicezentrum in {city}.',
        'Laden Sie {T} vor dem ersten Gebrauch {hours} Stunden lang und aktualisieren Sie die Software über die App.',
        'Der {P} ist ab {month} wieder in unserem Geschäft in {city} vorrätig.',
        'Reinigen Sie {T} mit einem feuchten Tuch; das Modell {M} gehört nicht in die Spülmaschine.',
      ],
      questions: [
        'welche Garantie hat der {P}?',
        'wo bekomme ich Ersatzteile für {T} {B} in {city}?',
        'wie viel wiegt {T} {M} und welche Farben gibt es?',
      ],
    },
    filler: [
      'Unser Kundenservice ist von Montag bis Freitag von 9 bis 18 Uhr erreichbar.',
      'Sie erreichen uns auch per Chat im Hilfecenter.',
      'Diese Bedingungen gelten für Bestellungen auf unserer Website und in der App.',
    ],
    offTopic: [
      'wie wird das Wetter morgen in Berlin',
      'Rezept für Apfelstrudel',
      'wer hat gestern das Spiel gewonnen',
      'erzähl mir einen Witz',
    ],
  },
  it: {
    shipping: {
      titles: ['Spedizione di {T} {B} a {city}', 'Tempi di consegna di {P}'],
      sentences: [
        'Il {P} parte dal nostro magazzino di {wh} entro {n1} giorni lavorativi dall’ordine.',
        'La consegna a {city} con {carrier} richiede di solito da {n2} a {n3} giorni, e il numero di tracciamento arriva via e-mail.',
        'La spedizione è gratuita per ordini superiori a {price} euro; sotto questa soglia costa {fee} euro.',
        'La consegna espressa a {city} è disponibile per {T} se ordini entro le {hours}.',
        'Spediamo la gamma {B} in {country} e in altri {n3} paesi, dazi doganali inclusi.',
        'Se il pacco non è arrivato dopo {n3} giorni, contattaci e apriremo una pratica con {carrier}.',
      ],
      questions: [
        'quanto tempo ci vuole per la consegna di {T} {B} a {city}?',
        'spedite il {P} in {country}?',
        'la spedizione di {T} {M} è gratuita e quale corriere la consegna?',
      ],
    },
    returns: {
      titles: ['Restituire il tuo {P}', 'Resi e rimborsi di {T} {B}'],
      sentences: [
        'Puoi restituire il {P} entro {n30} giorni dalla consegna se non è stato usato ed è nella confezione originale.',
        'Stampa l’etichetta di reso prepagata dal tuo account e lascia il pacco in un punto {carrier} di {city}.',
        'Il rimborso di {T} avviene sul metodo di pagamento originale entro {n1} giorni lavorativi dal ricevimento.',
        'Gli articoli acquistati in saldo si possono cambiare con un’altra taglia o colore ma sono rimborsati con un buono.',
        'Per i resi di {T} aperti spediti da {country} si applica una commissione del {pct} per cento.',
        'I prodotti {B} danneggiati vanno segnalati entro {n2} giorni con una foto dell’imballaggio.',
      ],
      questions: [
        'posso restituire il mio {P}?',
        'come rispedisco {T} {B}, l’etichetta di reso è gratuita?',
        'quando ricevo il rimborso per {T} {M}?',
      ],
    },
    payments: {
      titles: ['Pagare il {P}', 'Metodi di pagamento per gli ordini {B}'],
      sentences: [
        'Per il {P} accettiamo Visa, Mastercard, PayPal e Apple Pay.',
        'Puoi pagare {T} in {n2} rate senza interessi per ordini superiori a {price} euro.',
        'La carta viene addebitata solo quando l’ordine {B} lascia il nostro magazzino di {wh}.',
        'Le fatture con IVA sono nel tuo account, alla voce Ordini, per i clienti in {country}.',
        'Se un pagamento non va a buon fine, verifica che la banca consenta i pagamenti online e riprova entro {hours} ore.',
        'Una carta regalo può pagare una parte di {T} e il resto si paga con la carta.',
      ],
      questions: [
        'posso pagare il {P} a rate?',
        'quali carte accettate per {T} {B}?',
        'quando viene addebitata la carta per {T} {M}?',
      ],
    },
    accounts: {
      titles: ['Il tuo account {B}', 'Gestire il piano {plan}'],
      sentences: [
        'Per reimpostare la password, clicca su Password dimenticata nella pagina di accesso; il link scade dopo {hours} ore.',
        'Il piano {plan} permette a {n1} persone di condividere un account e registrare i loro prodotti {B}.',
        'Puoi eliminare il tuo account in Impostazioni, Privacy; i dati personali vengono cancellati entro {n30} giorni.',
        'Registra il tuo {P} nell’account per estendere la garanzia di {n3} mesi.',
        'L’autenticazione a due fattori si attiva con un’app o via SMS dalla pagina sicurezza.',
        'I clienti di {city} possono gestire l’account anche nel nostro negozio in centro.',
      ],
      questions: [
        'come registro il mio {P} per estendere la garanzia?',
        'ho dimenticato la password del mio account {B}',
        'quante persone possono condividere il piano {plan}?',
      ],
    },
    products: {
      titles: ['{P}: caratteristiche e manutenzione', 'Usare {T} {B}'],
      sentences: [
        'Il {P} ha una garanzia di {n2} anni sui difetti di fabbricazione.',
        '{T} {M} pesa {w} grammi ed è disponibile in {n1} colori.',
        'I ricambi per {T} {B} si ordinano al nostro centro assistenza di {city}.',
        'Prima del primo utilizzo, carica {T} per {hours} ore e aggiorna il software dall’app.',
        'Il {P} torna disponibile nel nostro negozio di {city} da {month}.',
        'Pulisci {T} con un panno umido; non mettere il modello {M} in lavastoviglie.',
      ],
      questions: [
        'che garanzia ha il {P}?',
        'dove trovo i ricambi per {T} {B} a {city}?',
        'quanto pesa {T} {M} e in quali colori è disponibile?',
      ],
    },
    filler: [
      'Il nostro servizio clienti risponde dal lunedì al venerdì, dalle 9 alle 18.',
      'Puoi scriverci anche in chat dal centro assistenza.',
      'Queste condizioni valgono per gli ordini fatti sul sito e nell’app.',
    ],
    offTopic: [
      'che tempo farà domani a Roma',
      'ricetta della carbonara',
      'chi ha vinto la partita ieri sera',
      'raccontami una barzelletta',
    ],
  },
  nl: {
    shipping: {
      titles: ['Verzending van {T} {B} naar {city}', 'Levertijden van {P}'],
      sentences: [
        'De {P} wordt binnen {n1} werkdagen na je bestelling verzonden vanuit ons magazijn in {wh}.',
        'Levering in {city} met {carrier} duurt meestal {n2} tot {n3} dagen, en de trackingcode komt per e-mail.',
        'Verzending is gratis vanaf {price} euro; daaronder rekenen we een vast bedrag van {fee} euro.',
        'Expreslevering in {city} is mogelijk voor {T} als je voor {hours} uur bestelt.',
        'We leveren het merk {B} in {country} en in {n3} andere landen, invoerrechten inbegrepen.',
        'Is je pakket na {n3} dagen niet aangekomen, neem dan contact op en we starten een onderzoek bij {carrier}.',
      ],
      questions: [
        'hoe lang duurt de levering van {T} {B} naar {city}?',
        'leveren jullie de {P} in {country}?',
        'is verzending van {T} {M} gratis en welke vervoerder levert?',
      ],
    },
    returns: {
      titles: ['Je {P} retourneren', 'Retouren en terugbetaling van {T} {B}'],
      sentences: [
        'Je kunt de {P} binnen {n30} dagen na levering retourneren als hij ongebruikt is en in de originele doos zit.',
        'Print het gratis retourlabel in je account en lever het pakket in bij een {carrier} punt in {city}.',
        'De terugbetaling van {T} gebeurt binnen {n1} werkdagen na ontvangst op je oorspronkelijke betaalmethode.',
        'Artikelen uit de uitverkoop kun je ruilen voor een andere maat of kleur, maar ze worden terugbetaald als tegoed.',
        'Voor geopende {T} die vanuit {country} worden teruggestuurd geldt een kostenpost van {pct} procent.',
        'Beschadigde {B} producten moet je binnen {n2} dagen melden met een foto van de verpakking.',
      ],
      questions: [
        'kan ik mijn {P} retourneren?',
        'hoe stuur ik {T} {B} terug, is het retourlabel gratis?',
        'wanneer krijg ik mijn geld terug voor {T} {M}?',
      ],
    },
    payments: {
      titles: ['{P} betalen', 'Betaalmethoden voor {B} bestellingen'],
      sentences: [
        'Voor de {P} accepteren we Visa, Mastercard, PayPal, iDEAL en Apple Pay.',
        'Je kunt {T} in {n2} termijnen zonder rente betalen bij bestellingen boven {price} euro.',
        'Je kaart wordt pas belast wanneer de {B} bestelling ons magazijn in {wh} verlaat.',
        'Facturen met btw staan in je account onder Bestellingen voor klanten in {country}.',
        'Mislukt een betaling, controleer dan of je bank online betalingen toestaat en probeer het binnen {hours} uur opnieuw.',
        'Met een cadeaukaart betaal je een deel van {T} en de rest met je kaart.',
      ],
      questions: [
        'kan ik de {P} in termijnen betalen?',
        'welke kaarten accepteren jullie voor {T} {B}?',
        'wanneer wordt mijn kaart belast voor {T} {M}?',
      ],
    },
    accounts: {
      titles: ['Je {B} account', 'Het {plan} abonnement beheren'],
      sentences: [
        'Om je wachtwoord opnieuw in te stellen klik je op Wachtwoord vergeten op de inlogpagina; de link verloopt na {hours} uur.',
        'Met het {plan} abonnement kunnen {n1} mensen één account delen en hun {B} producten registreren.',
        'Je kunt je account verwijderen onder Instellingen, Privacy; je gegevens worden binnen {n30} dagen gewist.',
        'Registreer je {P} in je account om de garantie met {n3} maanden te verlengen.',
        'Tweestapsverificatie zet je aan met een app of een sms via de beveiligingspagina.',
        'Klanten in {city} kunnen hun account ook beheren in onze winkel in het centrum.',
      ],
      questions: [
        'hoe registreer ik mijn {P} om de garantie te verlengen?',
        'ik ben het wachtwoord van mijn {B} account vergeten',
        'hoeveel mensen kunnen het {plan} abonnement delen?',
      ],
    },
    products: {
      titles: ['{P}: specificaties en onderhoud', 'Je {T} {B} gebruiken'],
      sentences: [
        'De {P} heeft {n2} jaar garantie op fabricagefouten.',
        'De {T} {M} weegt {w} gram en is er in {n1} kleuren.',
        'Onderdelen voor {T} {B} bestel je bij ons servicecentrum in {city}.',
        'Laad {T} voor het eerste gebruik {hours} uur op en werk de software bij via de app.',
        'De {P} is vanaf {month} weer op voorraad in onze winkel in {city}.',
        'Maak {T} schoon met een vochtige doek; het model {M} mag niet in de vaatwasser.',
      ],
      questions: [
        'welke garantie heeft de {P}?',
        'waar koop ik onderdelen voor {T} {B} in {city}?',
        'hoeveel weegt de {T} {M} en welke kleuren zijn er?',
      ],
    },
    filler: [
      'Onze klantenservice is bereikbaar van maandag tot vrijdag, van 9 tot 18 uur.',
      'Je kunt ons ook via de chat in het helpcentrum bereiken.',
      'Deze voorwaarden gelden voor bestellingen op onze website en in de app.',
    ],
    offTopic: [
      'wat voor weer wordt het morgen in Amsterdam',
      'recept voor stamppot',
      'wie heeft gisteren de wedstrijd gewonnen',
      'vertel me een mop',
    ],
  },
}

interface Slots {
  brand: string
  type: number
  model: string
  city: string
  wh: string
  country: string
  carrier: string
  plan: string
  month: number
  nums: Record<string, number>
}

interface SynthPassage {
  lang: Lang
  topic: Topic
  title: string
  content: string
  slots: Slots
}

function fill(template: string, lang: Lang, s: Slots): string {
  const type = TYPES[s.type]![lang]
  return template.replace(/\{(\w+)\}/g, (_, k: string) => {
    switch (k) {
      case 'P':
        return `${s.brand} ${s.model} ${type}`
      case 'B':
        return s.brand
      case 'T':
        return type
      case 'M':
        return s.model
      case 'city':
        return s.city
      case 'wh':
        return s.wh
      case 'country':
        return s.country
      case 'carrier':
        return s.carrier
      case 'plan':
        return s.plan
      case 'month':
        return MONTHS[lang][s.month]!
      default:
        return String(s.nums[k] ?? k)
    }
  })
}

export function generatePassages(n: number, seed: number): SynthPassage[] {
  const rand = rng(seed)
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
  const out: SynthPassage[] = []
  for (let i = 0; i < n; i++) {
    // Language mix of a European/Latin American shop: more en and fr, then es and pt, then de, it, nl.
    const r = rand()
    const lang: Lang =
      r < 0.25
        ? 'en'
        : r < 0.43
          ? 'fr'
          : r < 0.58
            ? 'es'
            : r < 0.72
              ? 'pt'
              : r < 0.82
                ? 'de'
                : r < 0.91
                  ? 'it'
                  : 'nl'
    const topic = pick(TOPICS)
    const slots: Slots = {
      brand: pick(BRANDS),
      type: int(0, TYPES.length - 1),
      model: `${String.fromCharCode(65 + int(0, 25))}${int(100, 999)}`,
      city: pick(CITIES),
      wh: pick(CITIES),
      country: pick(COUNTRIES),
      carrier: pick(CARRIERS),
      plan: pick(PLANS),
      month: int(0, 11),
      nums: {
        n1: int(1, 9),
        n2: int(2, 5),
        n3: int(6, 14),
        n30: int(14, 60),
        price: int(3, 30) * 10,
        fee: int(3, 12),
        pct: int(5, 25),
        hours: int(1, 12),
        w: int(15, 450) * 10,
      },
    }
    const t = TEXT[lang][topic]
    // 4-6 of the topic's sentences in a random order, sometimes a generic sentence: 40-120 words.
    const sentences = [...t.sentences]
    for (let j = sentences.length - 1; j > 0; j--) {
      const k = int(0, j)
      ;[sentences[j], sentences[k]] = [sentences[k]!, sentences[j]!]
    }
    sentences.length = int(4, 6)
    if (rand() < 0.5) sentences.push(pick(TEXT[lang].filler))
    if (rand() < 0.2) sentences.push(pick(TEXT[lang].filler))
    let content = sentences.map((s) => fill(s, lang, slots)).join(' ')
    while (content.split(/\s+/).length > 120) content = content.slice(0, content.lastIndexOf('. ') + 1)
    out.push({ lang, topic, title: fill(pick(t.titles), lang, slots), content, slots })
  }
  return out
}

interface BenchQuery {
  q: string
  lang: Lang
  /** Index of the passage the question was written from; null for off-topic questions. */
  relevant: number | null
  /**
   * Every passage that answers it as well as that one (itself included): the same language and topic,
   * and the same value in each slot the question names. "j'ai oublié le mot de passe de mon compte
   * Quartz" was written from one of the French account passages naming Quartz, and each of them says
   * how to reset the password (passages hold 4-6 of their topic's sentences, drawn at random, so the
   * one it was written from is no likelier than the others to hold the sentence asked about).
   */
  answering: number[]
  crossLingual: boolean
}

/** Questions about random passages (75% in the passage's language, 15% in another), 10% off-topic. */
export function generateQueries(corpus: SynthPassage[], n: number, seed: number): BenchQuery[] {
  const rand = rng(seed)
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!
  return Array.from({ length: n }, () => {
    const r = rand()
    if (r < 0.1) {
      const lang = pick(LANGS)
      return { q: pick(TEXT[lang].offTopic), lang, relevant: null, answering: [], crossLingual: false }
    }
    const idx = Math.floor(rand() * corpus.length)
    const p = corpus[idx]!
    const lang = r < 0.85 ? p.lang : pick(LANGS.filter((l) => l !== p.lang))
    const template = pick(TEXT[lang][p.topic].questions)
    const q = fill(template, lang, p.slots)
    return {
      q,
      lang,
      relevant: idx,
      // The passages the same question would have been written from (what it names filled in alike).
      answering: corpus.flatMap((c, i) =>
        c.lang === p.lang && c.topic === p.topic && fill(template, lang, c.slots) === q ? [i] : [],
      ),
      crossLingual: lang !== p.lang,
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Database

export const TENANT_MAIN = '00000000-0000-4000-8000-00000000b001'
const TENANT_SMALL = '00000000-0000-4000-8000-00000000b002'
const TENANT_FIXTURE = '00000000-0000-4000-8000-00000000b003'

/** The text a chunk is embedded from, as the worker builds it (title, headings, content). */
const embedText = (c: { title: string; content: string }) => [c.title, c.content].join('\n')

export async function freshDb(): Promise<Database> {
  const db = await openDatabase('memory://')
  await migrate(db.pool)
  await db.pool.query(
    `insert into tenants (id, name, slug) values ($1, 'Bench main', 'bench-main'), ($2, 'Bench small', 'bench-small'), ($3, 'Bench fixture', 'bench-fixture')`,
    [TENANT_MAIN, TENANT_SMALL, TENANT_FIXTURE],
  )
  return db
}

/** Creates one 'text' source per PER_SOURCE passages; returns each passage's source id. */
export async function createSources(
  pool: pg.Pool,
  tenant: string,
  count: number,
  label: string,
): Promise<string[]> {
  const nSources = Math.ceil(count / PER_SOURCE)
  const { rows } = await pool.query(
    `insert into knowledge_sources (tenant_id, kind, title, status, language)
     select $1, 'text', $2 || ' ' || g, 'ready', 'auto' from generate_series(1, $3) g returning id`,
    [tenant, label, nSources],
  )
  return Array.from({ length: count }, (_, i) => rows[Math.floor(i / PER_SOURCE)]!.id as string)
}

/** Inserts chunk rows like the worker's replaceChunks (one multi-row insert per batch); returns their ids. */
export async function insertChunks(
  pool: pg.Pool,
  tenant: string,
  rows: { source: string; index: number; title: string; content: string; lang: string }[],
  vectors?: { model: string; vectors: string[] },
): Promise<string[]> {
  const params: unknown[] = [
    tenant,
    rows.map((r) => r.source),
    rows.map((r) => r.index),
    rows.map((r) => r.title),
    rows.map((r) => r.content),
    rows.map((r) => r.lang),
    rows.map((r) => Math.ceil(r.content.length / 4)),
  ]
  const withVec = vectors ? `, embedding, embedding_model` : ''
  const selVec = vectors ? `, t.vec::vector, $9` : ''
  const unnestVec = vectors ? `, $8::text[]` : ''
  if (vectors) params.push(vectors.vectors, vectors.model)
  const { rows: out } = await pool.query(
    `insert into knowledge_chunks (tenant_id, source_id, chunk_index, title, heading_path, content, language, token_count${withVec})
     select $1, t.source, t.idx, t.title, '{}', t.content, t.lang, t.tokens${selVec}
       from unnest($2::uuid[], $3::int[], $4::text[], $5::text[], $6::text[], $7::int[]${unnestVec})
            as t(source, idx, title, content, lang, tokens${vectors ? ', vec' : ''})
     returning id`,
    params,
  )
  return out.map((r) => r.id as string)
}

export const toSql = (v: ArrayLike<number>) => `[${Array.prototype.join.call(v, ',')}]`

// The HNSW index statement and the search SQL are the production ones (api/src/knowledge/pgvector-store.ts),
// imported, never copied: what is measured here is what the store runs.
export { hnswIndexSql, searchSql }

/** Exact nearest neighbours: the same query with index scans off, so Postgres computes every distance. */
async function exactSearch(
  pool: pg.Pool,
  model: string,
  dim: number,
  tenant: string,
  vector: number[],
  k: number,
) {
  return withTx(pool, async (db) => {
    await db.query(`set local enable_indexscan = off`)
    const { rows } = await db.query(searchSql(dim), [toSql(vector), model, tenant, null, k])
    return rows.map((r) => ({ id: r.id as string, similarity: Number(r.similarity) }))
  })
}

async function explain(
  pool: pg.Pool,
  model: string,
  dim: number,
  tenant: string,
  vector: number[],
  exact: boolean,
  ef = 100,
) {
  return withTx(pool, async (db) => {
    await db.query(
      `select set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`,
      [String(ef)],
    )
    if (exact) await db.query(`set local enable_indexscan = off`)
    const { rows } = await db.query(`explain (costs off) ${searchSql(dim)}`, [
      toSql(vector),
      model,
      tenant,
      null,
      10,
    ])
    return rows
      .map((r) => (r['QUERY PLAN'] as string).replace(/'\[[^\]]*\]'/g, "'[query vector]'"))
      .join('\n')
  })
}

// ---------------------------------------------------------------------------------------------
// Measurement helpers

const pct = percentile
const r1 = (n: number) => Math.round(n * 10) / 10
const r3 = (n: number) => Math.round(n * 1000) / 1000

/** One call's wall time and this process's CPU time during it (PGlite runs in-process, so that includes the database's work). */
interface Sample {
  wall: number
  cpu: number
}

function latencyRow(size: number, what: string, samples: Sample[], extra: Record<string, unknown> = {}) {
  const s = samples.map((x) => x.wall).sort((a, b) => a - b)
  const c = samples.map((x) => x.cpu).sort((a, b) => a - b)
  return {
    size,
    what,
    n: s.length,
    p50_ms: r1(pct(s, 50)),
    p95_ms: r1(pct(s, 95)),
    p99_ms: r1(pct(s, 99)),
    cpu_p50_ms: r1(pct(c, 50)),
    cpu_p95_ms: r1(pct(c, 95)),
    cpu_p99_ms: r1(pct(c, 99)),
    ...extra,
  }
}

/**
 * Wall time and CPU time of one call. The machine is shared: wall-clock tails there mostly measure the
 * scheduler, while CPU time is what the query costs (database included, as PGlite runs in this process).
 */
async function timed<T>(samples: Sample[], fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const out = await fn()
  const c = process.cpuUsage(c0)
  samples.push({ wall: performance.now() - t0, cpu: (c.user + c.system) / 1000 })
  return out
}

/** Recall of `got` against exact top-k, tie-aware: a hit as close as the exact k-th neighbour counts. */
function recallAgainst(
  got: { id: string; similarity: number }[],
  exact: { id: string; similarity: number }[],
  k: number,
) {
  const want = exact.slice(0, k)
  if (!want.length) return 1
  const ids = new Set(want.map((h) => h.id))
  const kth = want[want.length - 1]!.similarity
  const hits = got.slice(0, k).filter((h) => ids.has(h.id) || h.similarity >= kth - 1e-6).length
  return Math.min(hits, want.length) / want.length
}

interface RankMetrics {
  recall5: number
  mrr10: number
  /** The same two, counting any passage that answers as well as the labelled one (BenchQuery.answering). */
  answering_recall5: number
  answering_mrr10: number
}
function rankMetrics(rankings: string[][], relevant: string[], answering: string[][]): RankMetrics {
  const at = (ranked: string[], hits: string[]) => ranked.slice(0, 10).findIndex((id) => hits.includes(id))
  const score = (positions: number[]) => ({
    recall: r3(positions.filter((pos) => pos >= 0 && pos < 5).length / rankings.length),
    rr: r3(positions.reduce((sum, pos) => sum + (pos >= 0 ? 1 / (pos + 1) : 0), 0) / rankings.length),
  })
  const strict = score(rankings.map((ranked, i) => at(ranked, [relevant[i]!])))
  const any = score(rankings.map((ranked, i) => at(ranked, answering[i]!)))
  return { recall5: strict.recall, mrr10: strict.rr, answering_recall5: any.recall, answering_mrr10: any.rr }
}

/** The two candidate lists retrieve() fuses, fetched the same way (wide = max(4k, 20)). */
async function candidates(
  pool: pg.Pool,
  store: VectorStore,
  embedder: Embedder,
  tenant: string,
  q: string,
  language: Lang,
  k: number,
) {
  const wide = Math.max(k * 4, 20)
  const [v] = await embedder.embed([q])
  const vec = await store.search(embedder.model, { tenant_id: tenant, bot_id: null, vector: v!, k: wide })
  const { rows } = await pool.query(
    `select chunk_id, rank, coverage from search_chunks_text($1, $2, $3, $4, $5)`,
    [tenant, null, q, wide, language],
  )
  return { vec, fts: rows as { chunk_id: string; rank: number; coverage: number }[] }
}

/**
 * Fusion variants over the same candidate lists, offline (search.ts's formulas, other constants;
 * without the words-as-written evidence, which reads the passages' text, and without full text's
 * ranks of the vector hits it did not find).
 */
function fuse(
  c: Awaited<ReturnType<typeof candidates>>,
  how: { rrfK?: number; wVec?: number; wCov?: number; relRank?: boolean },
): string[] {
  const score = new Map<string, number>()
  const add = (id: string, s: number) => score.set(id, (score.get(id) ?? 0) + s)
  if (how.rrfK !== undefined) {
    c.vec.forEach((h, i) => add(h.id, 1 / (how.rrfK! + i + 1)))
    c.fts.forEach((h, i) => add(h.chunk_id, 1 / (how.rrfK! + i + 1)))
  } else {
    const w = how.wVec ?? 0.5
    // search.ts's similarityEvidence for the local embedder: (sim - 0.12) / (0.5 - 0.12), clamped.
    c.vec.forEach((h) => add(h.id, w * Math.min(1, Math.max(0, (h.similarity - 0.12) / 0.38))))
    const wCov = how.wCov ?? 0.7
    const top = how.relRank ? Math.max(1e-9, ...c.fts.map((h) => h.rank)) : 1
    c.fts.forEach((h) => add(h.chunk_id, (1 - w) * (wCov * h.coverage + (1 - wCov) * (h.rank / top))))
  }
  return [...score.entries()].sort((a, b) => b[1] - a[1]).map(([id]) => id)
}

const FUSION_VARIANTS: {
  name: string
  how: { rrfK?: number; wVec?: number; wCov?: number; relRank?: boolean }
}[] = [
  { name: 'weighted vec 0.3, text 0.3 cov + 0.7 rank (offline)', how: { wVec: 0.3, wCov: 0.3 } },
  {
    name: 'weighted vec 0.3, text 0.3 cov + 0.7 rank/top (offline)',
    how: { wVec: 0.3, wCov: 0.3, relRank: true },
  },
  { name: 'weighted vec 0.3, text rank/top (offline)', how: { wVec: 0.3, wCov: 0, relRank: true } },
  {
    name: 'weighted vec 0.2, text 0.3 cov + 0.7 rank/top (offline)',
    how: { wVec: 0.2, wCov: 0.3, relRank: true },
  },
  {
    name: 'weighted vec 0.1, text 0.3 cov + 0.7 rank/top (offline)',
    how: { wVec: 0.1, wCov: 0.3, relRank: true },
  },
  {
    name: 'weighted vec 0.1, text 0.15 cov + 0.85 rank/top (offline)',
    how: { wVec: 0.1, wCov: 0.15, relRank: true },
  },
  {
    name: 'weighted vec 0.3, text 0.5 cov + 0.5 rank/top (offline)',
    how: { wVec: 0.3, wCov: 0.5, relRank: true },
  },
  { name: 'rrf k=60 (offline)', how: { rrfK: 60 } },
  { name: 'rrf k=10 (offline)', how: { rrfK: 10 } },
  { name: 'weighted 0.5 (offline)', how: { wVec: 0.5 } },
  { name: 'weighted vec 0.2 (offline)', how: { wVec: 0.2 } },
  { name: 'weighted vec 0.7 (offline)', how: { wVec: 0.7 } },
  { name: 'weighted vec 0.3 (offline)', how: { wVec: 0.3 } },
]

/**
 * A plain BM25 baseline (k1 1.2, b 0.75) over the tenant's passages (title and text, folded words, no
 * stemming, no stop list): what a search library gives out of the box, the bar retrieve() must clear
 * on same-language questions.
 */
export async function bm25Index(pool: pg.Pool, tenant: string) {
  const { rows } = await pool.query(
    `select id, coalesce(title, '') || ' ' || content as text from knowledge_chunks where tenant_id = $1 and is_active`,
    [tenant],
  )
  const docs = rows.map((r) => {
    const tf = new Map<string, number>()
    const ws = words(fold(r.text as string))
    for (const w of ws) tf.set(w, (tf.get(w) ?? 0) + 1)
    return { id: r.id as string, tf, len: ws.length }
  })
  const df = new Map<string, number>()
  for (const d of docs) for (const w of d.tf.keys()) df.set(w, (df.get(w) ?? 0) + 1)
  const avg = docs.reduce((n, d) => n + d.len, 0) / Math.max(1, docs.length)
  const postings = new Map<string, number[]>()
  docs.forEach((d, i) => {
    for (const w of d.tf.keys()) {
      let p = postings.get(w)
      if (!p) postings.set(w, (p = []))
      p.push(i)
    }
  })
  return (q: string, k: number): string[] => {
    const score = new Map<number, number>()
    for (const w of new Set(words(fold(q)))) {
      const n = df.get(w)
      if (!n) continue
      const idf = Math.log(1 + (docs.length - n + 0.5) / (n + 0.5))
      for (const i of postings.get(w)!) {
        const d = docs[i]!
        const f = d.tf.get(w)!
        score.set(i, (score.get(i) ?? 0) + (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * d.len) / avg)))
      }
    }
    return [...score.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([i]) => docs[i]!.id)
  }
}

/** Fusion comparison over labelled questions: single signals, retrieve() with each fusion, offline variants. */
async function fusionRows(
  label: string,
  pool: pg.Pool,
  store: VectorStore,
  embedder: Embedder,
  tenant: string,
  qs: { q: string; relevant: string; answering?: string[]; group?: string; sub?: string }[],
  groupMethods: string[] = [],
) {
  const r = { pool, store, embedder }
  const bm25 = await bm25Index(pool, tenant)
  const lists: Record<string, string[][]> = { bm25: [], 'fts only': [], 'vector only': [] }
  for (const f of ['rrf', 'weighted'] as Fusion[]) lists[`retrieve() ${f}`] = []
  for (const v of FUSION_VARIANTS) lists[v.name] = []
  for (const { q } of qs) {
    // The question's language as the answer pipeline has it (detected), once per question.
    const language = detectLanguage(q)
    const c = await candidates(pool, store, embedder, tenant, q, language, 10)
    lists.bm25!.push(bm25(q, 10))
    lists['fts only']!.push(c.fts.map((h) => h.chunk_id))
    lists['vector only']!.push(c.vec.map((h) => h.id))
    for (const f of ['rrf', 'weighted'] as Fusion[])
      lists[`retrieve() ${f}`]!.push(
        (
          await retrieve(r, {
            tenant_id: tenant,
            bot_id: null,
            query: q,
            k: 10,
            fusion: f,
            language,
          })
        ).map((p) => p.chunk_id),
      )
    for (const v of FUSION_VARIANTS) lists[v.name]!.push(fuse(c, v.how))
  }
  const relevant = qs.map((q) => q.relevant)
  const answering = qs.map((q) => q.answering ?? [q.relevant])
  const rows = Object.entries(lists).map(([method, rankings]) => ({
    set: label,
    questions: qs.length,
    method,
    ...rankMetrics(rankings, relevant, answering),
  }))
  // The same rankings split by question group (same language / cross-language), a few methods only.
  const groups = [...new Set(qs.flatMap((q) => [q.group, q.sub]).filter((g): g is string => !!g))]
  for (const group of groups) {
    const idx = qs.flatMap((q, i) => (q.group === group || q.sub === group ? [i] : []))
    for (const method of groupMethods)
      rows.push({
        set: `${label}, ${group}`,
        questions: idx.length,
        method,
        ...rankMetrics(
          idx.map((i) => lists[method]![i]!),
          idx.map((i) => relevant[i]!),
          idx.map((i) => answering[i]!),
        ),
      })
  }
  return rows
}

// ---------------------------------------------------------------------------------------------
// The benchmark

interface SizeResult {
  ingest: Record<string, unknown>[]
  latency: Record<string, unknown>[]
  recall: Record<string, unknown>[]
  fusion: Record<string, unknown>[]
  explain: { hnsw: string; exact: string; small_tenant: string }
  notes: string[]
}

async function benchSize(size: number, log: (s: string) => void): Promise<SizeResult> {
  const embedder = createLocalEmbedder()
  const model = embedder.model
  const dim = embedder.dimension
  const corpus = generatePassages(size, 1)
  const small = generatePassages(SMALL_TENANT, 2)
  const notes: string[] = []
  const ingest: Record<string, unknown>[] = []
  const words = corpus.reduce((n, p) => n + p.content.split(/\s+/).length, 0) / corpus.length
  log(
    `size ${size}: ${corpus.length} passages in the main tenant (${r1(words)} words on average), ${small.length} in a small tenant`,
  )

  // --- 1. Production-like ingestion: embed a batch, insert its rows, store.upsert (HNSW maintained per row).
  const db = await freshDb()
  const pool = db.pool
  const store = createPgvectorStore(pool)
  let embedMs = 0
  let insertMs = 0
  let upsertMs = 0
  const keep: Float32Array[] = []
  const ids: string[] = []
  const wall0 = performance.now()
  const sources = await createSources(pool, TENANT_MAIN, corpus.length, 'Bench doc')
  const workerPath = size <= WORKER_MAX
  let loadMs = 0
  let indexMs = 0
  // Above BENCH_WORKER_MAX the row-by-row path takes too long on this machine: the main tenant is
  // bulk loaded (rows carry their vectors) and the index built once, with the same statement.
  for (let i = 0; !workerPath && i < corpus.length; i += 1000) {
    const batch = corpus.slice(i, i + 1000)
    let t = performance.now()
    const vectors = await embedder.embed(batch.map(embedText))
    embedMs += performance.now() - t
    t = performance.now()
    ids.push(
      ...(await insertChunks(
        pool,
        TENANT_MAIN,
        batch.map((p, j) => ({
          source: sources[i + j]!,
          index: (i + j) % PER_SOURCE,
          title: p.title,
          content: p.content,
          lang: p.lang,
        })),
        { model, vectors: vectors.map(toSql) },
      )),
    )
    loadMs += performance.now() - t
    if ((i / 1000) % 10 === 0 && i)
      log(`  loaded ${i} (${r1((i / (performance.now() - wall0)) * 1000)} passages/s)`)
  }
  if (!workerPath) {
    const t = performance.now()
    await pool.query(hnswIndexSql(model, dim).sql)
    indexMs = performance.now() - t
  }
  for (let i = 0; workerPath && i < corpus.length; i += BATCH) {
    const batch = corpus.slice(i, i + BATCH)
    let t = performance.now()
    const vectors = await embedder.embed(batch.map(embedText))
    embedMs += performance.now() - t
    t = performance.now()
    const batchIds = await insertChunks(
      pool,
      TENANT_MAIN,
      batch.map((p, j) => ({
        source: sources[i + j]!,
        index: (i + j) % PER_SOURCE,
        title: p.title,
        content: p.content,
        lang: p.lang,
      })),
    )
    insertMs += performance.now() - t
    t = performance.now()
    await store.upsert(
      model,
      batchIds.map((id, j) => ({
        id,
        tenant_id: TENANT_MAIN,
        bot_id: null,
        source_id: sources[i + j]!,
        vector: vectors[j]!,
      })),
    )
    upsertMs += performance.now() - t
    ids.push(...batchIds)
    for (const v of vectors) keep.push(Float32Array.from(v))
    if ((i / BATCH) % 40 === 0 && i)
      log(`  ingested ${i} (${r1((i / (performance.now() - wall0)) * 1000)} passages/s)`)
  }
  const wallMs = performance.now() - wall0
  // The small tenant and the fixture tenant, through the same path.
  const smallSources = await createSources(pool, TENANT_SMALL, small.length, 'Small doc')
  const smallVectors = await embedder.embed(small.map(embedText))
  const smallIds = await insertChunks(
    pool,
    TENANT_SMALL,
    small.map((p, j) => ({
      source: smallSources[j]!,
      index: j % PER_SOURCE,
      title: p.title,
      content: p.content,
      lang: p.lang,
    })),
  )
  await store.upsert(
    model,
    smallIds.map((id, j) => ({
      id,
      tenant_id: TENANT_SMALL,
      bot_id: null,
      source_id: smallSources[j]!,
      vector: smallVectors[j]!,
    })),
  )
  const fxSources = await createSources(pool, TENANT_FIXTURE, fixture.passages.length, 'Fixture')
  const fxIds = await insertChunks(
    pool,
    TENANT_FIXTURE,
    fixture.passages.map((p, j) => ({
      source: fxSources[j]!,
      index: j % PER_SOURCE,
      title: p.title,
      content: p.text,
      lang: p.lang,
    })),
  )
  const fxVectors = await embedder.embed(
    fixture.passages.map((p) => embedText({ title: p.title, content: p.text })),
  )
  await store.upsert(
    model,
    fxIds.map((id, j) => ({
      id,
      tenant_id: TENANT_FIXTURE,
      bot_id: null,
      source_id: fxSources[j]!,
      vector: fxVectors[j]!,
    })),
  )
  const fxIdToName = new Map(fxIds.map((id, j) => [id, fixture.passages[j]!.id]))

  ingest.push({
    size,
    path: 'embed only (local embedder)',
    seconds: r1(embedMs / 1000),
    passages_per_s: Math.round(size / (embedMs / 1000)),
  })
  if (workerPath) {
    ingest.push({
      size,
      path: 'worker path: embed + insert rows + store.upsert (HNSW maintained)',
      seconds: r1(wallMs / 1000),
      passages_per_s: Math.round(size / (wallMs / 1000)),
      insert_s: r1(insertMs / 1000),
      upsert_s: r1(upsertMs / 1000),
    })
    log(
      `  worker path: ${r1(wallMs / 1000)} s (embed ${r1(embedMs / 1000)}, insert ${r1(insertMs / 1000)}, upsert+HNSW ${r1(upsertMs / 1000)})`,
    )
  } else {
    ingest.push({
      size,
      path: 'bulk: embed + insert rows with vectors, then CREATE INDEX (64MB maintenance_work_mem)',
      seconds: r1(wallMs / 1000),
      passages_per_s: Math.round(size / (wallMs / 1000)),
      insert_s: r1(loadMs / 1000),
      index_build_s: r1(indexMs / 1000),
      embed_s: r1(embedMs / 1000),
    })
    notes.push(
      `size ${size}: built by bulk load + one CREATE INDEX (the worker path's row-by-row HNSW maintenance is measured up to BENCH_WORKER_MAX=${WORKER_MAX} only)`,
    )
    log(
      `  bulk path: ${r1(wallMs / 1000)} s (embed ${r1(embedMs / 1000)}, insert ${r1(loadMs / 1000)}, index ${r1(indexMs / 1000)})`,
    )
  }

  const dead = (
    await pool.query(
      `select n_dead_tup::int as d, n_live_tup::int as l from pg_stat_user_tables where relname = 'knowledge_chunks'`,
    )
  ).rows[0]
  let t = performance.now()
  await pool.query(`vacuum analyze knowledge_chunks`)
  notes.push(
    `size ${size}: after ingestion knowledge_chunks had ${dead?.d ?? '?'} dead / ${dead?.l ?? '?'} live tuples (each row written by store.upsert leaves one dead version); ` +
      `VACUUM ANALYZE took ${r1((performance.now() - t) / 1000)} s and ran before the retrieval measurements`,
  )
  const sizes = (
    await pool.query(
      `select pg_size_pretty(pg_relation_size('knowledge_chunks')) as heap, pg_size_pretty(pg_relation_size($1::regclass)) as hnsw,
              pg_size_pretty(pg_relation_size('knowledge_chunks_tenant_fts_idx')) as gin`,
      [hnswIndexSql(model, dim).name],
    )
  ).rows[0]
  notes.push(
    `size ${size}: heap ${sizes.heap}, HNSW index ${sizes.hnsw}, GIN (tenant_id, fts) index ${sizes.gin}`,
  )

  // --- 2. Queries, plans.
  const queries = generateQueries(corpus, QUERIES, 7 + size)
  // Detected once, outside the timed calls, as the answer pipeline has it before it retrieves.
  const asked = queries.map((q) => detectLanguage(q.q))
  const qVectors = await embedder.embed(queries.map((q) => q.q))
  const explainHnsw = await explain(pool, model, dim, TENANT_MAIN, qVectors[0]!, false)
  const explainExact = await explain(pool, model, dim, TENANT_MAIN, qVectors[0]!, true)
  const explainSmall = await explain(pool, model, dim, TENANT_SMALL, qVectors[0]!, false)
  const hnswName = hnswIndexSql(model, dim).name
  if (!explainHnsw.includes(hnswName))
    notes.push(
      `size ${size}: the planner does not use ${hnswName} for the main tenant (it estimates a sequential scan cheaper), so "HNSW" figures here are exact`,
    )
  if (explainExact.includes(hnswName))
    notes.push(`size ${size}: WARNING the exact plan still uses the HNSW index`)

  // --- 3. Latency (warm-up first: JIT, plan cache, buffers).
  const retriever = { pool, store, embedder }
  for (let i = 0; i < WARMUP; i++) {
    const q = queries[i % queries.length]!
    await store.search(model, {
      tenant_id: TENANT_MAIN,
      bot_id: null,
      vector: qVectors[i % queries.length]!,
      k: 10,
    })
    await retrieve(retriever, {
      tenant_id: TENANT_MAIN,
      bot_id: null,
      query: q.q,
      k: 5,
      language: asked[i % queries.length],
    })
  }
  const latency: Record<string, unknown>[] = []
  const vecTimes: Sample[] = []
  const hnswHits: { id: string; similarity: number }[][] = []
  for (let i = 0; i < queries.length; i++)
    hnswHits.push(
      await timed(vecTimes, () =>
        store.search(model, { tenant_id: TENANT_MAIN, bot_id: null, vector: qVectors[i]!, k: 10 }),
      ),
    )
  latency.push(latencyRow(size, 'vector only: store.search k=10 (ef_search 100)', vecTimes))

  const embedTimes: Sample[] = []
  for (const q of queries) await timed(embedTimes, () => embedder.embed([q.q]))
  latency.push(latencyRow(size, 'embed one question (local)', embedTimes))

  const ftsTimes: Sample[] = []
  for (const [i, q] of queries.entries())
    await timed(ftsTimes, () =>
      pool.query(`select chunk_id, rank, coverage from search_chunks_text($1, $2, $3, $4, $5)`, [
        TENANT_MAIN,
        null,
        q.q,
        20,
        asked[i],
      ]),
    )
  latency.push(latencyRow(size, 'full text only: search_chunks_text 20', ftsTimes))

  const hybridTimes: Sample[] = []
  for (const [i, q] of queries.entries())
    await timed(hybridTimes, () =>
      retrieve(retriever, {
        tenant_id: TENANT_MAIN,
        bot_id: null,
        query: q.q,
        k: 5,
        language: asked[i],
      }),
    )
  latency.push(latencyRow(size, 'hybrid: retrieve() k=5 (weighted)', hybridTimes))

  // The small tenant sharing the table: the HNSW walk must skip the big tenant's rows (iterative scan).
  const smallTimes: Sample[] = []
  const smallQueries = generateQueries(small, 50, 99)
  const smallVecs = await embedder.embed(smallQueries.map((q) => q.q))
  let smallShort = 0
  let smallRecall = 0
  for (let i = 0; i < smallQueries.length; i++) {
    const hits = await timed(smallTimes, () =>
      store.search(model, { tenant_id: TENANT_SMALL, bot_id: null, vector: smallVecs[i]!, k: 10 }),
    )
    if (hits.length < 10) smallShort++
    smallRecall += recallAgainst(
      hits,
      await exactSearch(pool, model, dim, TENANT_SMALL, smallVecs[i]!, 10),
      10,
    )
  }
  latency.push(
    latencyRow(
      size,
      `vector only, small tenant (${SMALL_TENANT} of ${size + SMALL_TENANT} rows)`,
      smallTimes,
      {
        recall_at_10: r3(smallRecall / smallQueries.length),
        short_results: smallShort,
      },
    ),
  )
  const smallHybrid: Sample[] = []
  for (const q of smallQueries)
    await timed(smallHybrid, () =>
      retrieve(retriever, { tenant_id: TENANT_SMALL, bot_id: null, query: q.q, k: 5 }),
    )
  latency.push(latencyRow(size, 'hybrid, small tenant: retrieve() k=5', smallHybrid))

  // --- 4. Recall of HNSW against exact search, at several ef_search values.
  const exactTimes: Sample[] = []
  const exact: { id: string; similarity: number }[][] = []
  for (let i = 0; i < queries.length; i++)
    exact.push(await timed(exactTimes, () => exactSearch(pool, model, dim, TENANT_MAIN, qVectors[i]!, 10)))
  latency.push(latencyRow(size, 'exact (index scans off) k=10', exactTimes))
  const recall: Record<string, unknown>[] = []
  for (const ef of EF_VALUES) {
    const s = ef === 100 ? store : createPgvectorStore(pool, { efSearch: ef })
    const times: Sample[] = []
    let sum = 0
    let strict = 0
    let short = 0
    for (let i = 0; i < queries.length; i++) {
      const hits =
        ef === 100
          ? hnswHits[i]!
          : await timed(times, () =>
              s.search(model, { tenant_id: TENANT_MAIN, bot_id: null, vector: qVectors[i]!, k: 10 }),
            )
      sum += recallAgainst(hits, exact[i]!, 10)
      const want = new Set(exact[i]!.map((h) => h.id))
      strict += hits.filter((h) => want.has(h.id)).length / Math.max(1, exact[i]!.length)
      if (hits.length < 10) short++
    }
    const lat = latencyRow(size, '', ef === 100 ? vecTimes : times)
    recall.push({
      size,
      ef_search: ef,
      recall_at_10: r3(sum / queries.length),
      recall_at_10_strict_ids: r3(strict / queries.length),
      short_results: short,
      p50_ms: lat.p50_ms,
      p95_ms: lat.p95_ms,
      cpu_p50_ms: lat.cpu_p50_ms,
      cpu_p95_ms: lat.cpu_p95_ms,
    })
  }

  // --- 5. Fusion by measurement.
  const labelled = queries
    .filter((q) => q.relevant !== null)
    .map((q) => ({
      q: q.q,
      relevant: ids[q.relevant!]!,
      answering: q.answering.map((i) => ids[i]!),
      group: q.crossLingual ? 'cross-language' : 'same language',
      // Same-language questions are also reported per language: retrieve() against BM25, language by language.
      sub: q.crossLingual ? undefined : `same language ${q.lang}`,
    }))
  const fusion = await fusionRows(`synthetic ${size}`, pool, store, embedder, TENANT_MAIN, labelled, [
    'bm25',
    'fts only',
    'vector only',
    'retrieve() rrf',
    'retrieve() weighted',
    ...(process.env.BENCH_FUSION_DETAIL ? FUSION_VARIANTS.map((v) => v.name) : []),
  ])
  // The hand-written fixture, in its own tenant of the same table (so vector search is a filtered search too).
  const nameToId = new Map([...fxIdToName.entries()].map(([id, name]) => [name, id]))
  const fxQs = fixture.questions.flatMap((q) =>
    q.relevant.map((rel) => ({ q: q.q, relevant: nameToId.get(rel)! })),
  )
  fusion.push(
    ...(await fusionRows(
      `fixture multilingual.ts (in a ${size} table)`,
      pool,
      store,
      embedder,
      TENANT_FIXTURE,
      fxQs,
    )),
  )

  await db.close()

  // --- 6. Bulk load (rows carry their vectors, no index yet), then one CREATE INDEX.
  if (size > BULK_MAX || !workerPath) {
    notes.push(`size ${size}: bulk-load variant skipped (BENCH_BULK_MAX=${BULK_MAX})`)
    return {
      ingest,
      latency,
      recall,
      fusion,
      explain: { hnsw: explainHnsw, exact: explainExact, small_tenant: explainSmall },
      notes,
    }
  }
  const bulk = await freshDb()
  const bulkSources = await createSources(bulk.pool, TENANT_MAIN, corpus.length, 'Bench doc')
  t = performance.now()
  for (let i = 0; i < corpus.length; i += 1000) {
    const batch = corpus.slice(i, i + 1000)
    await insertChunks(
      bulk.pool,
      TENANT_MAIN,
      batch.map((p, j) => ({
        source: bulkSources[i + j]!,
        index: (i + j) % PER_SOURCE,
        title: p.title,
        content: p.content,
        lang: p.lang,
      })),
      { model, vectors: keep.slice(i, i + 1000).map(toSql) },
    )
  }
  const bulkLoadMs = performance.now() - t
  t = performance.now()
  await bulk.pool.query(hnswIndexSql(model, dim).sql)
  const bulkIndexMs = performance.now() - t
  ingest.push({
    size,
    path: 'bulk: insert rows with vectors, then CREATE INDEX (64MB maintenance_work_mem)',
    seconds: r1((bulkLoadMs + bulkIndexMs + embedMs) / 1000),
    passages_per_s: Math.round(size / ((bulkLoadMs + bulkIndexMs + embedMs) / 1000)),
    insert_s: r1(bulkLoadMs / 1000),
    index_build_s: r1(bulkIndexMs / 1000),
    embed_s: r1(embedMs / 1000),
  })
  log(`  bulk path: insert ${r1(bulkLoadMs / 1000)} s, index build ${r1(bulkIndexMs / 1000)} s`)
  await bulk.close()

  return {
    ingest,
    latency,
    recall,
    fusion,
    explain: { hnsw: explainHnsw, exact: explainExact, small_tenant: explainSmall },
    notes,
  }
}

/** Runs the benchmark; returns all rows (also printed and written to bench/results/retrieval.json). */
export async function benchRetrieval(
  opts: { sizes?: number[] } = {},
): Promise<{ rows: Record<string, unknown>[] }> {
  const sizes =
    opts.sizes ??
    (process.env.BENCH_SIZES ?? '10000,100000')
      .split(',')
      .map((s) => Number(s.trim()))
      .filter((n) => Number.isInteger(n) && n > 0)
  const log = (s: string) => console.log(`[retrieval] ${s}`)
  const t0 = performance.now()
  const results: SizeResult[] = []
  for (const size of sizes) {
    const s0 = performance.now()
    results.push(await benchSize(size, log))
    log(`size ${size} done in ${r1((performance.now() - s0) / 1000)} s`)
  }
  const all = (k: keyof Omit<SizeResult, 'explain' | 'notes'>) => results.flatMap((r) => r[k])
  console.log('\nIngestion')
  console.table(all('ingest'))
  console.log('Retrieval latency (ms)')
  console.table(all('latency'))
  console.log('HNSW recall@10 against exact search (same queries, main tenant)')
  console.table(all('recall'))
  console.log(
    'Fusion (recall@5, MRR@10; relevant = the passage a question was written from; answering_ = any passage of the same language and topic naming what the question names)',
  )
  console.table(all('fusion'))
  for (const r of results) for (const n of r.notes) console.log(`note: ${n}`)

  const budget = results.map((r, i) => {
    const vec = r.latency.find((l) => String(l.what).startsWith('vector only: store.search')) as {
      p95_ms: number
      cpu_p95_ms: number
    }
    const hyb = r.latency.find((l) => String(l.what).startsWith('hybrid: retrieve()')) as {
      p95_ms: number
      cpu_p95_ms: number
    }
    const rec = r.recall.find((l) => l.ef_search === 100) as { recall_at_10: number } | undefined
    return {
      size: sizes[i],
      vector_p95_ms: vec.p95_ms,
      vector_cpu_p95_ms: vec.cpu_p95_ms,
      hybrid_p95_ms: hyb.p95_ms,
      hybrid_cpu_p95_ms: hyb.cpu_p95_ms,
      recall_at_10_ef100: rec?.recall_at_10 ?? null,
      vector_p95_le_20ms: vec.p95_ms <= 20,
      hybrid_p95_le_20ms: hyb.p95_ms <= 20,
      recall_ge_0_95: (rec?.recall_at_10 ?? 0) >= 0.95,
    }
  })
  console.log('Budget: retrieval p95 <= 20 ms with recall >= 0.95')
  console.table(budget)
  const totalS = r1((performance.now() - t0) / 1000)
  log(`total ${totalS} s`)

  mkdirSync('bench/results', { recursive: true })
  const out = {
    when: new Date().toISOString(),
    node: process.version,
    database: 'PGlite (memory://) + pgvector, HNSW m=16 ef_construction=64, iterative_scan relaxed_order',
    embedder: 'local-hash-v1 (384 dims)',
    sizes,
    queries: QUERIES,
    total_seconds: totalS,
    ingest: all('ingest'),
    latency: all('latency'),
    recall: all('recall'),
    fusion: all('fusion'),
    budget,
    explain: Object.fromEntries(results.map((r, i) => [String(sizes[i]), r.explain])),
    notes: results.flatMap((r) => r.notes),
  }
  writeFileSync('bench/results/retrieval.json', JSON.stringify(out, null, 2) + '\n')
  log('wrote bench/results/retrieval.json')
  const rows = [...out.ingest, ...out.latency, ...out.recall, ...out.fusion, ...budget]
  return { rows }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchRetrieval()
