/** What the bot says on a messaging platform when it is sent something it cannot read. */
type Texts = Record<string, string> & { en: string }

const TEXT_ONLY: Texts = {
  en: 'Sorry, I can only read text messages. Could you type your question?',
  fr: 'Désolé, je ne peux lire que les messages écrits. Pouvez-vous écrire votre question ?',
  es: 'Lo siento, solo puedo leer mensajes de texto. ¿Podría escribir su pregunta?',
  pt: 'Desculpe, só consigo ler mensagens de texto. Pode escrever a sua pergunta?',
}

/** The polite "text only" line, in the visitor's language (English when unknown). */
export const textOnly = (lang: string | undefined) => TEXT_ONLY[lang ?? 'en'] ?? TEXT_ONLY.en
