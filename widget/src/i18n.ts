/** The widget's strings, in English and French. */

const en = {
  openChat: 'Open chat',
  closeChat: 'Close chat',
  chatWith: 'Chat with {name}',
  assistant: 'Assistant',
  online: 'Typically replies instantly',
  offline: 'We are away right now. Leave a message and we will get back to you.',
  greeting: 'Hi! How can I help you today?',
  placeholder: 'Write a message…',
  send: 'Send',
  talkToHuman: 'Talk to a human',
  humanRequested: 'A human will reply here soon',
  notSent: 'Not sent',
  retry: 'Retry',
  sending: 'Sending…',
  sources: 'Sources',
  typing: 'Typing',
  resolved: 'This conversation was resolved',
  error: 'Sorry, something went wrong. Please try again.',
  messages: 'Messages',
  you: 'You',
}

export type Strings = typeof en
export type Lang = 'en' | 'fr'

const fr: Strings = {
  openChat: 'Ouvrir le chat',
  closeChat: 'Fermer le chat',
  chatWith: 'Discuter avec {name}',
  assistant: 'Assistant',
  online: 'Répond en général tout de suite',
  offline: 'Nous sommes absents pour le moment. Laissez un message, nous vous répondrons.',
  greeting: 'Bonjour ! Comment puis-je vous aider ?',
  placeholder: 'Écrivez un message…',
  send: 'Envoyer',
  talkToHuman: 'Parler à un humain',
  humanRequested: 'Un humain va vous répondre ici',
  notSent: 'Non envoyé',
  retry: 'Réessayer',
  sending: 'Envoi…',
  sources: 'Sources',
  typing: 'En train d’écrire',
  resolved: 'Cette conversation a été résolue',
  error: 'Désolé, une erreur est survenue. Veuillez réessayer.',
  messages: 'Messages',
  you: 'Vous',
}

export const strings: Record<Lang, Strings> = { en, fr }

/** Picks the language: the config's `fr`/`en`, or the browser's when `auto` (English by default). */
export function pickLang(configured?: string | null, nav?: string): Lang {
  if (configured === 'fr' || configured === 'en') return configured
  const n = (nav ?? (typeof navigator !== 'undefined' ? navigator.language : '') ?? '').toLowerCase()
  return n.startsWith('fr') ? 'fr' : 'en'
}

/** Replaces `{name}` style placeholders. */
export function fmt(s: string, vars: Record<string, string>): string {
  return s.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '')
}
