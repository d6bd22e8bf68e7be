import { defineStrings } from '../../i18n'

/** The Team page's strings. */
export const strings = defineStrings({
  en: { title: 'Team', soon: 'This page is being built. Until then, use the API (see docs/api.md).' },
  fr: {
    title: 'Équipe',
    soon: "Cette page est en construction. En attendant, utilisez l'API (voir docs/api.md).",
  },
  es: {
    title: 'Equipo',
    soon: 'Esta página está en construcción. Mientras tanto, usa la API (ver docs/api.md).',
  },
  pt: {
    title: 'Equipe',
    soon: 'Esta página está em construção. Enquanto isso, use a API (veja docs/api.md).',
  },
})
