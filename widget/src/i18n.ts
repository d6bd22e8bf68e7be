/**
 * The widget's strings in English, French, Portuguese, Spanish, German, Italian and Dutch. Each language is one `|`-joined
 * line in the order of KEYS: the chat chunk pays for the words, not for repeating the keys.
 */

const KEYS = [
  'openChat',
  'closeChat',
  'chatWith',
  'assistant',
  'online',
  'offline',
  'backAt',
  'greeting',
  'placeholder',
  'send',
  'talkToHuman',
  'humanRequested',
  'notSent',
  'retry',
  'sending',
  'sources',
  'typing',
  'isTyping',
  'resolved',
  'error',
  'messages',
  'helpful',
  'notHelpful',
  'comment',
  'thanks',
  'rate',
  'stars',
  'start',
  'you',
] as const

export type Lang = 'en' | 'fr' | 'pt' | 'es' | 'de' | 'it' | 'nl'
export type Strings = Record<(typeof KEYS)[number], string>

const LINES: Record<Lang, string> = {
  en: 'Open chat|Close chat|Chat with {name}|Assistant|Typically replies instantly|We are away right now. Leave a message and we will get back to you.|Back {time}|Hi! How can I help you today?|Write a message…|Send|Talk to a human|A human will reply here soon|Not sent|Retry|Sending…|Sources|Typing|{name} is typing…|This conversation was resolved|Sorry, something went wrong. Please try again.|Messages|Helpful|Not helpful|What went wrong? (optional)|Thanks for your feedback|How was this conversation?|{n} out of 5|Start the chat|You',
  fr: 'Ouvrir le chat|Fermer le chat|Discuter avec {name}|Assistant|Répond en général tout de suite|Nous sommes absents pour le moment. Laissez un message, nous vous répondrons.|De retour {time}|Bonjour ! Comment puis-je vous aider ?|Écrivez un message…|Envoyer|Parler à un humain|Un humain va vous répondre ici|Non envoyé|Réessayer|Envoi…|Sources|En train d’écrire|{name} écrit…|Cette conversation a été résolue|Désolé, une erreur est survenue. Veuillez réessayer.|Messages|Utile|Pas utile|Qu’est-ce qui n’allait pas ? (facultatif)|Merci pour votre avis|Comment s’est passée cette conversation ?|{n} sur 5|Commencer la discussion|Vous',
  pt: 'Abrir o chat|Fechar o chat|Conversar com {name}|Assistente|Normalmente responde na hora|Estamos ausentes agora. Deixe uma mensagem e responderemos em breve.|De volta {time}|Olá! Como posso ajudar?|Escreva uma mensagem…|Enviar|Falar com um humano|Um humano responderá aqui em breve|Não enviada|Tentar de novo|Enviando…|Fontes|Digitando|{name} está digitando…|Esta conversa foi resolvida|Desculpe, algo deu errado. Tente novamente.|Mensagens|Útil|Não foi útil|O que deu errado? (opcional)|Obrigado pela sua opinião|Como foi esta conversa?|{n} de 5|Começar a conversa|Você',
  es: 'Abrir el chat|Cerrar el chat|Chatear con {name}|Asistente|Suele responder al instante|Ahora no estamos. Deja un mensaje y te responderemos.|Volvemos {time}|¡Hola! ¿En qué puedo ayudarte?|Escribe un mensaje…|Enviar|Hablar con una persona|Una persona te responderá aquí pronto|No enviado|Reintentar|Enviando…|Fuentes|Escribiendo|{name} está escribiendo…|Esta conversación se ha resuelto|Lo sentimos, algo salió mal. Inténtalo de nuevo.|Mensajes|Útil|No útil|¿Qué salió mal? (opcional)|Gracias por tu opinión|¿Qué tal fue esta conversación?|{n} de 5|Empezar el chat|Tú',
  de: 'Chat öffnen|Chat schließen|Chat mit {name}|Assistent|Antwortet meist sofort|Wir sind gerade nicht da. Hinterlassen Sie eine Nachricht, wir melden uns.|Zurück {time}|Hallo! Wie kann ich Ihnen helfen?|Nachricht schreiben…|Senden|Mit einem Menschen sprechen|Ein Mensch antwortet Ihnen hier in Kürze|Nicht gesendet|Erneut versuchen|Wird gesendet…|Quellen|Schreibt|{name} schreibt…|Dieses Gespräch wurde gelöst|Entschuldigung, etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.|Nachrichten|Hilfreich|Nicht hilfreich|Was war nicht gut? (optional)|Danke für Ihr Feedback|Wie war dieses Gespräch?|{n} von 5|Chat starten|Sie',
  it: 'Apri la chat|Chiudi la chat|Chatta con {name}|Assistente|Di solito risponde subito|Al momento non ci siamo. Lascia un messaggio e ti risponderemo.|Di ritorno {time}|Ciao! Come posso aiutarti?|Scrivi un messaggio…|Invia|Parla con una persona|Una persona ti risponderà qui a breve|Non inviato|Riprova|Invio…|Fonti|Sta scrivendo|{name} sta scrivendo…|Questa conversazione è stata risolta|Spiacenti, qualcosa è andato storto. Riprova.|Messaggi|Utile|Non utile|Cosa non andava? (facoltativo)|Grazie per il tuo parere|Com’è andata questa conversazione?|{n} su 5|Inizia la chat|Tu',
  nl: 'Chat openen|Chat sluiten|Chat met {name}|Assistent|Reageert meestal direct|We zijn er nu niet. Laat een bericht achter, dan reageren we.|Terug {time}|Hallo! Waarmee kan ik u helpen?|Schrijf een bericht…|Versturen|Met een mens praten|Een mens reageert hier binnenkort|Niet verzonden|Opnieuw|Versturen…|Bronnen|Typt|{name} typt…|Dit gesprek is opgelost|Sorry, er ging iets mis. Probeer het opnieuw.|Berichten|Nuttig|Niet nuttig|Wat ging er mis? (optioneel)|Bedankt voor uw feedback|Hoe was dit gesprek?|{n} van 5|Chat starten|U',
}

const cache: Partial<Record<Lang, Strings>> = {}

/** The strings of `lang`, built once. */
export function stringsFor(lang: Lang): Strings {
  let s = cache[lang]
  if (!s) {
    const parts = LINES[lang].split('|')
    s = {} as Strings
    KEYS.forEach((k, i) => (s![k] = parts[i]))
    cache[lang] = s
  }
  return s
}

/** Every language, keyed by code (tests and the console preview read it). */
export const strings: Record<Lang, Strings> = {
  get en() {
    return stringsFor('en')
  },
  get fr() {
    return stringsFor('fr')
  },
  get pt() {
    return stringsFor('pt')
  },
  get es() {
    return stringsFor('es')
  },
  get de() {
    return stringsFor('de')
  },
  get it() {
    return stringsFor('it')
  },
  get nl() {
    return stringsFor('nl')
  },
}

/** The built-in language for a tag such as `pt-BR`, or null. */
export function langOf(tag: unknown): Lang | null {
  const l = typeof tag === 'string' ? tag.slice(0, 2).toLowerCase() : ''
  return l in LINES ? (l as Lang) : null
}

/**
 * Picks the language: an override (setLocale, data-locale) first, then the config's language unless
 * it is `auto`, then the browser's languages in order; English by default.
 */
export function pickLang(
  override?: string | null,
  configured?: string | null,
  nav?: readonly string[],
): Lang {
  const browser = nav ?? (typeof navigator !== 'undefined' ? navigator.languages || [navigator.language] : [])
  for (const tag of [override, configured, ...browser]) {
    const l = langOf(tag)
    if (l) return l
  }
  return 'en'
}

/** Right-to-left scripts: a locale in one of these lays the panel out right to left. */
export function isRtl(tag: unknown): boolean {
  return typeof tag === 'string' && /^(ar|he|fa|ur|ps|yi|dv|ckb)\b/i.test(tag)
}

/** Replaces `{name}` style placeholders. */
export function fmt(s: string, vars: Record<string, string>): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '')
}
