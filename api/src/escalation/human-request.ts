/**
 * A visitor asking for a person in words, in en/fr/es/pt/de/it/nl: the built-in rule every tenant has, and the
 * `human_requested` condition of the rules.
 */
import { fold } from '../text/fold'
import { REGEX_INPUT_CAP } from './rule-schema'

const FILLER_EN = '(?:(?:a|an|the|some|your|one|of|real|live|actual|human) )*'
const FILLER_FR = "(?:(?:un|une|le|la|l'|des|de|du|votre|vrai|vraie|veritable|membre|quelqu'un|avec|a) ?)*"
const FILLER_ES = '(?:(?:un|una|el|la|alguien|algun|alguna|de|su|vuestro|con|a) )*'
const FILLER_PT = '(?:(?:um|uma|o|a|alguem|algum|alguma|de|com|para|pra|seu|sua) )*'
const FILLER_DE =
  '(?:(?:einem|einer|einen|ein|eine|dem|der|den|die|ihrem|ihrer|echten|echter|echte|echtem|richtigen|lebenden|mit) )*'
const FILLER_IT = "(?:(?:un|uno|una|un'|il|la|lo|l'|con|a|qualche|vero|vera|del|della) ?)*"
const FILLER_NL = '(?:(?:een|de|het|uw|echte|echt|met) )*'
const HUMAN_PATTERNS = [
  // English
  `(?:talk|speak|chat|connect me|transfer me|put me through|get me through) (?:to|with) ${FILLER_EN}(?:human|person|agent|representative|rep|operator|someone|somebody|staff|people|team|support agent|customer service)`,
  `(?:want|need|get me|give me|request|have|get) ${FILLER_EN}(?:human|real person|live person|agent|live agent|representative|operator)`,
  `(?:real|live|actual) (?:person|human|agent)`,
  "(?:don't|do not|dont) want (?:to (?:talk|speak|chat) (?:to|with) )?(?:a |the |your )?(?:bot|robot|machine|ai)",
  // French (folded, so "à" is "a" and "conseillère" is "conseillere")
  `(?:parler|discuter|echanger) (?:a|avec) ${FILLER_FR}(?:humain|humaine|conseiller|conseillere|agent|personne|operateur|operatrice|quelqu'un|service client|interlocuteur|interlocutrice|responsable)`,
  `(?:joindre|contacter|avoir|veux|voudrais|souhaite|besoin d'|besoin de|passez-moi|mettez-moi en relation avec|mise en relation avec|mettre en relation avec) ${FILLER_FR}(?:humain|conseiller|conseillere|agent|operateur|operatrice|vraie personne|vrai personne)`,
  `(?:une|un) (?:vraie|vrai|veritable) (?:personne|humain|conseiller|conseillere)`,
  // Spanish
  `(?:hablar|chatear|comunicarme) (?:con|a) ${FILLER_ES}(?:persona|agente|humano|humana|asesor|asesora|operador|operadora|alguien|representante|ejecutivo|ejecutiva)`,
  `(?:quiero|necesito|pasame|paseme|comuniqueme con|comunicame con|atiendame|contactar) ${FILLER_ES}(?:agente|humano|humana|asesor|asesora|operador|operadora|persona real|representante)`,
  '(?:atencion humana|persona real|agente humano)',
  // Portuguese
  `(?:falar|conversar) (?:com|a|para) ${FILLER_PT}(?:atendente|humano|humana|pessoa|agente|operador|operadora|consultor|consultora|alguem|representante)`,
  `(?:quero|preciso de|preciso|me passa|me transfere|transferir|chamar) ${FILLER_PT}(?:atendente|humano|agente|operador|operadora|consultor|consultora|pessoa real|pessoa de verdade)`,
  '(?:atendimento humano|pessoa de verdade|atendente humano)',
  // German (folded: "möchte" is "mochte", "Mitarbeiter" is "mitarbeiter")
  `(?:sprechen|reden|chatten|verbinden|telefonieren) (?:mit|zu) ${FILLER_DE}(?:mensch|menschen|person|mitarbeiter|mitarbeiterin|berater|beraterin|kundendienst|support|agent|jemandem)`,
  `(?:mit|zu) ${FILLER_DE}(?:mensch|menschen|echten person|mitarbeiter|mitarbeiterin|berater|beraterin|kundendienst) (?:sprechen|reden|chatten|verbunden werden)`,
  `(?:will|mochte|brauche|hatte gern|verbinden sie mich mit) ${FILLER_DE}(?:mensch|menschen|mitarbeiter|mitarbeiterin|berater|beraterin|echte person|echten menschen)`,
  '(?:echter mensch|echte person|echten menschen|menschlichen mitarbeiter|kein bot|keinen bot)',
  // Italian
  `(?:parlare|chattare|comunicare|mettermi in contatto) (?:con|a) ${FILLER_IT}(?:persona|operatore|operatrice|umano|umana|agente|consulente|assistente|qualcuno|addetto|addetta)`,
  `(?:voglio|vorrei|ho bisogno di|mi passi|passatemi) ${FILLER_IT}(?:operatore|operatrice|umano|persona reale|persona vera|agente|consulente)`,
  '(?:persona reale|persona vera|operatore umano|assistenza umana)',
  // Dutch
  `(?:praten|spreken|chatten|bellen) (?:met|tegen) ${FILLER_NL}(?:mens|persoon|medewerker|medewerkster|mensen|agent|iemand|klantenservice)`,
  `(?:met|tegen) ${FILLER_NL}(?:mens|persoon|medewerker|medewerkster|iemand) (?:praten|spreken|chatten)`,
  `(?:wil|zou graag|ik wil graag) ${FILLER_NL}(?:mens|medewerker|medewerkster|echt persoon|echte persoon)`,
  '(?:echte persoon|echt mens|echte mens|menselijke medewerker)',
]
const HUMAN_RE = new RegExp(`(?<![\\p{L}\\p{N}])(?:${HUMAN_PATTERNS.join('|')})(?![\\p{L}\\p{N}])`, 'u')
// A message that is only the word ("Human!", "un humain svp", "atendente por favor").
const HUMAN_ALONE_RE =
  /^(?:(?:an?|un|une|una|um|uma|ein|eine|einen|een|uno) )?(?:human|humain|humano|agent|agente|atendente|operator|operateur|operador|conseiller|asesor|representative|person|personne|persona|pessoa|mensch|mitarbeiter|operatore|medewerker)(?: (?:please|pls|svp|s'il vous plait|stp|por favor|porfa|bitte|per favore|alstublieft|aub))?[\s.!?]*$/u

/**
 * The phrase by which a message asks for a human (folded: lower case, no accents), or null. Covers
 * en/fr/es/pt/de/it/nl ("talk to a human", "parler à un conseiller", "hablar con una persona", "falar com
 * um atendente", "mit einem Menschen sprechen", "parlare con un operatore", "met een medewerker
 * praten", a bare "humain svp"...). Only the start of a long message is read.
 */
export function findHumanRequest(message: string): string | null {
  const text = fold(message.slice(0, REGEX_INPUT_CAP))
  const m = HUMAN_RE.exec(text) ?? HUMAN_ALONE_RE.exec(text)
  return m ? m[0].trim() : null
}

/** True when the visitor asks, in words, to talk to a person. */
export function asksForHuman(message: string): boolean {
  return findHumanRequest(message) !== null
}
