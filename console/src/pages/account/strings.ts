import { defineStrings } from '../../i18n'

/** My account: availability, language, password. */
export const strings = defineStrings({
  en: {
    availability: 'Availability',
    availabilityHint: 'Escalated conversations go to online agents first.',
    language: 'Console language',
    password: 'Password',
    signedInAs: 'Signed in as {email}, {role} of {tenant}.',
  },
  fr: {
    availability: 'Disponibilité',
    availabilityHint: "Les conversations escaladées vont d'abord aux agents en ligne.",
    language: 'Langue de la console',
    password: 'Mot de passe',
    signedInAs: 'Connecté en tant que {email}, {role} de {tenant}.',
  },
  es: {
    availability: 'Disponibilidad',
    availabilityHint: 'Las conversaciones escaladas van primero a los agentes en línea.',
    language: 'Idioma de la consola',
    password: 'Contraseña',
    signedInAs: 'Sesión iniciada como {email}, {role} de {tenant}.',
  },
  pt: {
    availability: 'Disponibilidade',
    availabilityHint: 'As conversas escaladas vão primeiro para os agentes online.',
    language: 'Idioma do console',
    password: 'Senha',
    signedInAs: 'Conectado como {email}, {role} de {tenant}.',
  },
})
