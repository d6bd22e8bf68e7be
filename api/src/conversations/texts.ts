/**
 * The system lines a visitor reads when their conversation changes hands, in each language the
 * widget speaks (English when the conversation's language is unknown or another one).
 */

type Texts<T> = Record<string, T> & { en: T }

const HANDOFF: Texts<string> = {
  fr: "Je transmets votre demande à un membre de l'équipe. Il vous répondra ici même.",
  en: "I'm passing your request to a member of the team. They will reply right here.",
  es: 'Paso su solicitud a una persona del equipo. Le responderá aquí mismo.',
  pt: 'Estou passando o seu pedido para alguém da equipe. A resposta chegará aqui mesmo.',
}

const OFFLINE: Texts<(when: string | null) => string> = {
  fr: (w) =>
    `Notre équipe est absente pour le moment${w ? ` (retour ${w})` : ''}. Laissez votre e-mail et nous vous répondrons dès que possible.`,
  en: (w) =>
    `Our team is away right now${w ? ` (back ${w})` : ''}. Leave your e-mail and we will get back to you as soon as we can.`,
  es: (w) =>
    `Nuestro equipo no está disponible ahora${w ? ` (vuelve ${w})` : ''}. Deje su e-mail y le responderemos lo antes posible.`,
  pt: (w) =>
    `A nossa equipe não está disponível agora${w ? ` (volta ${w})` : ''}. Deixe o seu e-mail e responderemos assim que possível.`,
}

const RESOLVED: Texts<string> = {
  fr: 'Cette conversation est résolue. Merci ! Vous pouvez noter notre aide.',
  en: 'This conversation is resolved. Thank you! You can rate the help you got.',
  es: 'Esta conversación está resuelta. ¡Gracias! Puede valorar la ayuda recibida.',
  pt: 'Esta conversa foi resolvida. Obrigado! Você pode avaliar o atendimento.',
}

const HAND_BACK: Texts<string> = {
  fr: "Vous êtes de nouveau avec l'assistant. Posez-lui vos questions, ou demandez à parler à une personne.",
  en: 'You are back with the assistant. Ask it anything, or ask for a person again.',
  es: 'Vuelve a hablar con el asistente. Pregúntele lo que quiera, o pida hablar con una persona.',
  pt: 'Você está de volta com o assistente. Pergunte o que quiser, ou peça para falar com uma pessoa.',
}

const pick = <T>(texts: Texts<T>, lang: string): T => texts[lang] ?? texts.en

/** "Wednesday 09:00" in the visitor's language and the team's time zone, or null when unknown. */
function formatWhen(iso: string | null, lang: string, timeZone: string | undefined) {
  if (!iso) return null
  try {
    return new Intl.DateTimeFormat(lang, {
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
    }).format(new Date(iso))
  } catch {
    return null
  }
}

/** The visitor-facing system texts, one function per moment of the conversation. */
export const systemText = {
  /** The session goes to people while the team is in. */
  handoff: (lang: string) => pick(HANDOFF, lang),
  /** The session goes to people while the team is away: when it is back, and a request for an e-mail. */
  offline: (lang: string, nextOpenAt: string | null, timeZone: string | undefined) =>
    pick(OFFLINE, lang)(formatWhen(nextOpenAt, lang, timeZone)),
  /** An agent resolved the session: the cue to rate it. */
  resolved: (lang: string) => pick(RESOLVED, lang),
  /** An agent handed the session back to the bot. */
  handBack: (lang: string) => pick(HAND_BACK, lang),
}
