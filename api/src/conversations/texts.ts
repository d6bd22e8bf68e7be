/**
 * The system lines a visitor reads when their conversation changes hands, and the bot's own lines
 * (no answer, small talk, quoting), in each language the widget speaks: en, fr, es, pt, de, it, nl
 * (English when the conversation's language is unknown or another one).
 */

type Texts<T> = Record<string, T> & { en: T }

const HANDOFF: Texts<string> = {
  fr: "Je transmets votre demande à un membre de l'équipe. Il vous répondra ici même.",
  en: "I'm passing your request to a member of the team. They will reply right here.",
  es: 'Paso su solicitud a una persona del equipo. Le responderá aquí mismo.',
  pt: 'Estou passando o seu pedido para alguém da equipe. A resposta chegará aqui mesmo.',
  de: 'Ich gebe Ihre Anfrage an ein Teammitglied weiter. Sie erhalten die Antwort direkt hier.',
  it: 'Passo la sua richiesta a un membro del team. Le risponderà proprio qui.',
  nl: 'Ik geef uw vraag door aan een teamlid. U krijgt hier het antwoord.',
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
  de: (w) =>
    `Unser Team ist gerade nicht erreichbar${w ? ` (zurück ${w})` : ''}. Hinterlassen Sie Ihre E-Mail-Adresse, wir melden uns so bald wie möglich.`,
  it: (w) =>
    `Il nostro team non è disponibile al momento${w ? ` (di ritorno ${w})` : ''}. Lasci la sua e-mail e le risponderemo al più presto.`,
  nl: (w) =>
    `Ons team is nu afwezig${w ? ` (terug ${w})` : ''}. Laat uw e-mailadres achter, dan nemen we zo snel mogelijk contact op.`,
}

const RESOLVED: Texts<string> = {
  fr: 'Cette conversation est résolue. Merci ! Vous pouvez noter notre aide.',
  en: 'This conversation is resolved. Thank you! You can rate the help you got.',
  es: 'Esta conversación está resuelta. ¡Gracias! Puede valorar la ayuda recibida.',
  pt: 'Esta conversa foi resolvida. Obrigado! Você pode avaliar o atendimento.',
  de: 'Dieses Gespräch ist gelöst. Danke! Sie können die Hilfe bewerten.',
  it: 'Questa conversazione è risolta. Grazie! Può valutare l’assistenza ricevuta.',
  nl: 'Dit gesprek is opgelost. Bedankt! U kunt de hulp beoordelen.',
}

const HAND_BACK: Texts<string> = {
  fr: "Vous êtes de nouveau avec l'assistant. Posez-lui vos questions, ou demandez à parler à une personne.",
  en: 'You are back with the assistant. Ask it anything, or ask for a person again.',
  es: 'Vuelve a hablar con el asistente. Pregúntele lo que quiera, o pida hablar con una persona.',
  pt: 'Você está de volta com o assistente. Pergunte o que quiser, ou peça para falar com uma pessoa.',
  de: 'Sie sind wieder beim Assistenten. Fragen Sie, was Sie möchten, oder bitten Sie erneut um eine Person.',
  it: 'È di nuovo con l’assistente. Chieda pure, o chieda di nuovo una persona.',
  nl: 'U bent weer bij de assistent. Vraag wat u wilt, of vraag opnieuw naar een medewerker.',
}

/* The bot's own lines (answers/pipeline.ts): no answer, a failed answer, small talk, quoting. */
const NO_ANSWER: Texts<string> = {
  fr: "Je n'ai pas trouvé de réponse fiable à cette question dans notre base de connaissances. Voulez-vous parler à un membre de l'équipe ?",
  en: "I couldn't find a reliable answer to that in our knowledge base. Would you like to talk to a member of the team?",
  es: 'No he encontrado una respuesta fiable a esa pregunta en nuestra base de conocimientos. ¿Quiere hablar con una persona del equipo?',
  pt: 'Não encontrei uma resposta confiável para essa pergunta na nossa base de conhecimento. Quer falar com alguém da equipe?',
  de: 'Dazu habe ich in unserer Wissensdatenbank keine verlässliche Antwort gefunden. Möchten Sie mit einem Teammitglied sprechen?',
  it: 'Non ho trovato una risposta affidabile a questa domanda nella nostra base di conoscenza. Vuole parlare con un membro del team?',
  nl: 'Ik heb daar in onze kennisbank geen betrouwbaar antwoord op gevonden. Wilt u met een teamlid praten?',
}

const MODEL_FAILED: Texts<string> = {
  fr: "Notre assistant a eu un problème pour terminer sa réponse. Un membre de l'équipe peut prendre le relais si vous le souhaitez.",
  en: 'Our assistant had trouble finishing this answer. A member of the team can take over if you like.',
  es: 'Nuestro asistente tuvo un problema al terminar la respuesta. Una persona del equipo puede ayudarle si lo desea.',
  pt: 'O nosso assistente teve um problema ao terminar a resposta. Alguém da equipe pode ajudar, se quiser.',
  de: 'Unser Assistent konnte diese Antwort nicht fertigstellen. Ein Teammitglied kann gern übernehmen.',
  it: 'Il nostro assistente ha avuto un problema a completare la risposta. Un membro del team può subentrare, se lo desidera.',
  nl: 'Onze assistent kon dit antwoord niet afmaken. Een teamlid kan het overnemen als u dat wilt.',
}

const FROM_KNOWLEDGE: Texts<string> = {
  fr: 'Voici ce que dit notre base de connaissances :',
  en: 'Here is what our knowledge base says:',
  es: 'Esto es lo que dice nuestra base de conocimientos:',
  pt: 'Eis o que diz a nossa base de conhecimento:',
  de: 'Das steht in unserer Wissensdatenbank:',
  it: 'Ecco cosa dice la nostra base di conoscenza:',
  nl: 'Dit staat in onze kennisbank:',
}

/** "Our help is in French:" — the quoted passage is in another language than the visitor's. */
const HELP_IN: Texts<(language: string) => string> = {
  fr: (l) => `Notre aide est rédigée en ${l} :`,
  en: (l) => `Our help is written in ${l}:`,
  es: (l) => `Nuestra ayuda está escrita en ${l}:`,
  pt: (l) => `A nossa ajuda está escrita em ${l}:`,
  de: (l) => `Unsere Hilfe ist auf ${l} verfasst:`,
  it: (l) => `Il nostro aiuto è scritto in ${l}:`,
  nl: (l) => `Onze hulp is in het ${l} geschreven:`,
}

/** Language names as each language writes them (for HELP_IN). */
const LANGUAGE_IN: Texts<Record<string, string>> = {
  en: {
    en: 'English',
    fr: 'French',
    es: 'Spanish',
    pt: 'Portuguese',
    de: 'German',
    it: 'Italian',
    nl: 'Dutch',
  },
  fr: {
    en: 'anglais',
    fr: 'français',
    es: 'espagnol',
    pt: 'portugais',
    de: 'allemand',
    it: 'italien',
    nl: 'néerlandais',
  },
  es: {
    en: 'inglés',
    fr: 'francés',
    es: 'español',
    pt: 'portugués',
    de: 'alemán',
    it: 'italiano',
    nl: 'neerlandés',
  },
  pt: {
    en: 'inglês',
    fr: 'francês',
    es: 'espanhol',
    pt: 'português',
    de: 'alemão',
    it: 'italiano',
    nl: 'holandês',
  },
  de: {
    en: 'Englisch',
    fr: 'Französisch',
    es: 'Spanisch',
    pt: 'Portugiesisch',
    de: 'Deutsch',
    it: 'Italienisch',
    nl: 'Niederländisch',
  },
  it: {
    en: 'inglese',
    fr: 'francese',
    es: 'spagnolo',
    pt: 'portoghese',
    de: 'tedesco',
    it: 'italiano',
    nl: 'olandese',
  },
  nl: {
    en: 'Engels',
    fr: 'Frans',
    es: 'Spaans',
    pt: 'Portugees',
    de: 'Duits',
    it: 'Italiaans',
    nl: 'Nederlands',
  },
}

const SMALL_TALK: Texts<{ greeting: string; thanks: string; goodbye: string; declined: string }> = {
  en: {
    greeting: 'Hello! How can I help you today?',
    thanks: "You're welcome! Anything else I can help with?",
    goodbye: 'Goodbye, and have a nice day!',
    declined: 'All right. What else can I help you with?',
  },
  fr: {
    greeting: 'Bonjour ! Comment puis-je vous aider ?',
    thanks: 'Avec plaisir ! Puis-je vous aider pour autre chose ?',
    goodbye: 'Au revoir, et bonne journée !',
    declined: "D'accord. Comment puis-je vous aider d'autre ?",
  },
  es: {
    greeting: '¡Hola! ¿En qué puedo ayudarle?',
    thanks: '¡De nada! ¿Puedo ayudarle en algo más?',
    goodbye: '¡Adiós, que tenga un buen día!',
    declined: 'De acuerdo. ¿En qué más puedo ayudarle?',
  },
  pt: {
    greeting: 'Olá! Como posso ajudar?',
    thanks: 'De nada! Posso ajudar em mais alguma coisa?',
    goodbye: 'Até logo, e tenha um bom dia!',
    declined: 'Tudo bem. Em que mais posso ajudar?',
  },
  de: {
    greeting: 'Hallo! Wie kann ich Ihnen helfen?',
    thanks: 'Gern geschehen! Kann ich sonst noch helfen?',
    goodbye: 'Auf Wiedersehen und einen schönen Tag!',
    declined: 'In Ordnung. Wobei kann ich Ihnen sonst helfen?',
  },
  it: {
    greeting: 'Buongiorno! Come posso aiutarla?',
    thanks: 'Prego! Posso aiutarla in altro?',
    goodbye: 'Arrivederci e buona giornata!',
    declined: 'Va bene. In cos’altro posso aiutarla?',
  },
  nl: {
    greeting: 'Hallo! Waarmee kan ik u helpen?',
    thanks: 'Graag gedaan! Kan ik u nog ergens mee helpen?',
    goodbye: 'Tot ziens en een fijne dag!',
    declined: 'Goed. Waarmee kan ik u verder helpen?',
  },
}

/* The assistant's actions (contacts/actions.ts): orders and meetings, for verified customers only. */

/** One refusal for every order question the bot may not answer: it says nothing about the order. */
const ORDER_REFUSED: Texts<string> = {
  en: 'To look up an order I need to know it is you: sign in on our site and ask me again, or I can pass you to a member of the team. Would you like that?',
  fr: "Pour consulter une commande, je dois savoir que c'est bien vous : connectez-vous sur notre site et redemandez-moi, ou je peux vous passer un membre de l'équipe. Le souhaitez-vous ?",
  es: 'Para consultar un pedido necesito saber que es usted: inicie sesión en nuestro sitio y vuelva a preguntarme, o puedo pasarle con una persona del equipo. ¿Lo desea?',
  pt: 'Para consultar um pedido preciso saber que é você: entre na sua conta no nosso site e pergunte de novo, ou posso passar você para alguém da equipe. Quer isso?',
  de: 'Um eine Bestellung nachzusehen, muss ich wissen, dass Sie es sind: Melden Sie sich auf unserer Website an und fragen Sie erneut, oder ich verbinde Sie mit einem Teammitglied. Möchten Sie das?',
  it: 'Per consultare un ordine devo sapere che è lei: acceda al nostro sito e me lo chieda di nuovo, oppure posso passarla a un membro del team. Lo desidera?',
  nl: 'Om een bestelling op te zoeken moet ik weten dat u het bent: log in op onze site en vraag het opnieuw, of ik verbind u met een teamlid. Wilt u dat?',
}

const ORDER_UNAVAILABLE: Texts<string> = {
  en: "I can't reach our order system right now. A member of the team can check it for you: would you like that?",
  fr: "Je n'arrive pas à joindre notre système de commandes pour le moment. Un membre de l'équipe peut vérifier pour vous : le souhaitez-vous ?",
  es: 'Ahora no puedo acceder a nuestro sistema de pedidos. Una persona del equipo puede comprobarlo: ¿lo desea?',
  pt: 'Não consigo acessar o nosso sistema de pedidos agora. Alguém da equipe pode verificar para você: quer isso?',
  de: 'Ich erreiche unser Bestellsystem gerade nicht. Ein Teammitglied kann es für Sie prüfen: Möchten Sie das?',
  it: 'Al momento non riesco a raggiungere il nostro sistema ordini. Un membro del team può verificare per lei: lo desidera?',
  nl: 'Ik kan ons bestelsysteem nu niet bereiken. Een teamlid kan het voor u nakijken: wilt u dat?',
}

const ORDER_STATUS: Texts<{ order: (id: string, status: string) => string; total: string }> = {
  en: { order: (id, s) => `Order ${id}: ${s}.`, total: 'Total' },
  fr: { order: (id, s) => `Commande ${id} : ${s}.`, total: 'Total' },
  es: { order: (id, s) => `Pedido ${id}: ${s}.`, total: 'Total' },
  pt: { order: (id, s) => `Pedido ${id}: ${s}.`, total: 'Total' },
  de: { order: (id, s) => `Bestellung ${id}: ${s}.`, total: 'Summe' },
  it: { order: (id, s) => `Ordine ${id}: ${s}.`, total: 'Totale' },
  nl: { order: (id, s) => `Bestelling ${id}: ${s}.`, total: 'Totaal' },
}

const MEETING: Texts<{
  signIn: string
  slots: string
  none: string
  taken: string
  down: string
  booked: (when: string) => string
  cancelled: string
  nothingToCancel: string
  cancelLabel: string
}> = {
  en: {
    signIn:
      'To book a meeting I need to know it is you: sign in on our site and ask me again, or I can pass you to a member of the team. Would you like that?',
    slots: 'Here are the next free times. Pick one (or reply with its number):',
    none: 'There is no free time in the coming days. A member of the team can find one with you: would you like that?',
    taken: 'That time was just taken. Here are the next free ones:',
    down: "I can't reach our calendar right now. A member of the team can book the meeting with you: would you like that?",
    booked: (w) => `Your meeting is booked for ${w}. You will receive a confirmation by e-mail.`,
    cancelled: 'Your meeting is cancelled.',
    nothingToCancel: 'You have no upcoming meeting to cancel.',
    cancelLabel: 'Cancel the meeting',
  },
  fr: {
    signIn:
      "Pour prendre rendez-vous, je dois savoir que c'est bien vous : connectez-vous sur notre site et redemandez-moi, ou je peux vous passer un membre de l'équipe. Le souhaitez-vous ?",
    slots: 'Voici les prochains créneaux libres. Choisissez-en un (ou répondez par son numéro) :',
    none: "Il n'y a pas de créneau libre dans les prochains jours. Un membre de l'équipe peut en trouver un avec vous : le souhaitez-vous ?",
    taken: 'Ce créneau vient d’être pris. Voici les suivants :',
    down: "Je n'arrive pas à joindre notre agenda pour le moment. Un membre de l'équipe peut prendre le rendez-vous avec vous : le souhaitez-vous ?",
    booked: (w) => `Votre rendez-vous est réservé pour ${w}. Vous recevrez une confirmation par e-mail.`,
    cancelled: 'Votre rendez-vous est annulé.',
    nothingToCancel: "Vous n'avez pas de rendez-vous à venir à annuler.",
    cancelLabel: 'Annuler le rendez-vous',
  },
  es: {
    signIn:
      'Para reservar una cita necesito saber que es usted: inicie sesión en nuestro sitio y vuelva a preguntarme, o puedo pasarle con una persona del equipo. ¿Lo desea?',
    slots: 'Estos son los próximos horarios libres. Elija uno (o responda con su número):',
    none: 'No hay horarios libres en los próximos días. Una persona del equipo puede buscar uno con usted: ¿lo desea?',
    taken: 'Ese horario acaba de ocuparse. Estos son los siguientes:',
    down: 'Ahora no puedo acceder a nuestro calendario. Una persona del equipo puede reservar la cita con usted: ¿lo desea?',
    booked: (w) => `Su cita está reservada para ${w}. Recibirá una confirmación por e-mail.`,
    cancelled: 'Su cita está cancelada.',
    nothingToCancel: 'No tiene ninguna cita próxima que cancelar.',
    cancelLabel: 'Cancelar la cita',
  },
  pt: {
    signIn:
      'Para marcar uma reunião preciso saber que é você: entre na sua conta no nosso site e pergunte de novo, ou posso passar você para alguém da equipe. Quer isso?',
    slots: 'Estes são os próximos horários livres. Escolha um (ou responda com o número):',
    none: 'Não há horários livres nos próximos dias. Alguém da equipe pode encontrar um com você: quer isso?',
    taken: 'Esse horário acabou de ser ocupado. Estes são os próximos:',
    down: 'Não consigo acessar a nossa agenda agora. Alguém da equipe pode marcar a reunião com você: quer isso?',
    booked: (w) => `A sua reunião está marcada para ${w}. Você receberá uma confirmação por e-mail.`,
    cancelled: 'A sua reunião foi cancelada.',
    nothingToCancel: 'Você não tem nenhuma reunião futura para cancelar.',
    cancelLabel: 'Cancelar a reunião',
  },
  de: {
    signIn:
      'Um einen Termin zu buchen, muss ich wissen, dass Sie es sind: Melden Sie sich auf unserer Website an und fragen Sie erneut, oder ich verbinde Sie mit einem Teammitglied. Möchten Sie das?',
    slots: 'Das sind die nächsten freien Zeiten. Wählen Sie eine (oder antworten Sie mit ihrer Nummer):',
    none: 'In den nächsten Tagen ist keine Zeit frei. Ein Teammitglied kann mit Ihnen einen Termin finden: Möchten Sie das?',
    taken: 'Diese Zeit wurde gerade vergeben. Das sind die nächsten freien:',
    down: 'Ich erreiche unseren Kalender gerade nicht. Ein Teammitglied kann den Termin mit Ihnen buchen: Möchten Sie das?',
    booked: (w) => `Ihr Termin ist für ${w} gebucht. Sie erhalten eine Bestätigung per E-Mail.`,
    cancelled: 'Ihr Termin ist storniert.',
    nothingToCancel: 'Sie haben keinen anstehenden Termin zum Stornieren.',
    cancelLabel: 'Termin stornieren',
  },
  it: {
    signIn:
      'Per prenotare un appuntamento devo sapere che è lei: acceda al nostro sito e me lo chieda di nuovo, oppure posso passarla a un membro del team. Lo desidera?',
    slots: 'Ecco i prossimi orari liberi. Ne scelga uno (o risponda con il suo numero):',
    none: 'Non ci sono orari liberi nei prossimi giorni. Un membro del team può trovarne uno con lei: lo desidera?',
    taken: 'Quell’orario è appena stato preso. Ecco i successivi:',
    down: 'Al momento non riesco a raggiungere il nostro calendario. Un membro del team può prenotare con lei: lo desidera?',
    booked: (w) => `Il suo appuntamento è prenotato per ${w}. Riceverà una conferma via e-mail.`,
    cancelled: 'Il suo appuntamento è annullato.',
    nothingToCancel: 'Non ha appuntamenti futuri da annullare.',
    cancelLabel: 'Annulla l’appuntamento',
  },
  nl: {
    signIn:
      'Om een afspraak te maken moet ik weten dat u het bent: log in op onze site en vraag het opnieuw, of ik verbind u met een teamlid. Wilt u dat?',
    slots: 'Dit zijn de eerstvolgende vrije tijden. Kies er een (of antwoord met het nummer):',
    none: 'Er is de komende dagen geen tijd vrij. Een teamlid kan er samen met u een vinden: wilt u dat?',
    taken: 'Die tijd is net bezet. Dit zijn de volgende:',
    down: 'Ik kan onze agenda nu niet bereiken. Een teamlid kan de afspraak met u maken: wilt u dat?',
    booked: (w) => `Uw afspraak staat gepland op ${w}. U ontvangt een bevestiging per e-mail.`,
    cancelled: 'Uw afspraak is geannuleerd.',
    nothingToCancel: 'U hebt geen komende afspraak om te annuleren.',
    cancelLabel: 'Afspraak annuleren',
  },
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
  /** The knowledge does not answer: an honest "I don't know" and the offer of a person. */
  noAnswer: (lang: string) => pick(NO_ANSWER, lang),
  /** The model failed mid-answer: the offer of a person. */
  modelFailed: (lang: string) => pick(MODEL_FAILED, lang),
  /** The lead-in of a quoted passage: in the visitor's language, saying so when the passage is in another. */
  quoteLead: (lang: string, passageLang: string) =>
    passageLang === lang || !pick(LANGUAGE_IN, lang)[passageLang]
      ? pick(FROM_KNOWLEDGE, lang)
      : pick(HELP_IN, lang)(pick(LANGUAGE_IN, lang)[passageLang]!),
  /** A greeting, a thank-you, a goodbye, or "no" to the offer of a person, answered in kind. */
  smallTalk: (lang: string, kind: 'greeting' | 'thanks' | 'goodbye' | 'declined') =>
    pick(SMALL_TALK, lang)[kind],
  /** The one answer to an order question the bot may not answer (not verified, not theirs, unknown). */
  orderRefused: (lang: string) => pick(ORDER_REFUSED, lang),
  /** The shop's order lookup could not be reached. */
  orderUnavailable: (lang: string) => pick(ORDER_UNAVAILABLE, lang),
  /** A verified customer's own order: its status, items and total. */
  orderStatus: (
    lang: string,
    o: {
      external_id: string
      status: string
      currency: string | null
      items: { name: string; quantity: number; line_total: number }[]
      total: number
    },
  ) => {
    const t = pick(ORDER_STATUS, lang)
    const money = (n: number) => formatMoney(n, o.currency, lang)
    const lines = o.items.map((i) => `- ${i.quantity} × ${i.name} — ${money(i.line_total)}`)
    return [
      t.order(o.external_id, o.status),
      ...lines,
      ...(o.items.length ? [`${t.total}: ${money(o.total)}`] : []),
    ].join('\n')
  },
  /** Booking a meeting through the bot. */
  meeting: (lang: string) => pick(MEETING, lang),
  /** A meeting time in the visitor's language ("Tuesday 3 December, 10:00"). */
  when: (iso: string, lang: string, timeZone = 'UTC') => {
    try {
      return new Intl.DateTimeFormat(lang, {
        weekday: 'long',
        day: 'numeric',
        month: 'long',
        hour: '2-digit',
        minute: '2-digit',
        timeZone,
        timeZoneName: 'short',
      }).format(new Date(iso))
    } catch {
      return iso
    }
  },
}

function formatMoney(n: number, currency: string | null, lang: string) {
  if (!currency) return n.toFixed(2)
  try {
    return new Intl.NumberFormat(lang, { style: 'currency', currency }).format(n)
  } catch {
    return `${n.toFixed(2)} ${currency}`
  }
}
