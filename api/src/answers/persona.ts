/** A bot's persona as the owner writes it on the Bot page (seed 000's fields). */
export interface Persona {
  name: string
  persona: string
  persona_name?: string | null
  persona_objective?: string | null
  persona_personality?: string | null
  persona_style?: string | null
  persona_target_audience?: string | null
}

/**
 * The persona paragraph of the system prompt: the free-text notes, then each field the owner filled,
 * one labelled line each, so the model reads them as distinct instructions. Empty fields say nothing.
 */
export function describePersona(bot: Persona): { botName: string; persona: string } {
  const lines = [
    bot.persona.trim(),
    line('Your objective', bot.persona_objective),
    line('Your personality', bot.persona_personality),
    line('Your writing style', bot.persona_style),
    line('You are talking to', bot.persona_target_audience),
  ].filter(Boolean)
  return { botName: bot.persona_name?.trim() || bot.name, persona: lines.join('\n') }
}

const line = (label: string, value: string | null | undefined) =>
  value?.trim() ? `${label}: ${value.trim()}` : ''
