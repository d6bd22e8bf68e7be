import { z } from 'zod'
import { text } from '../http/text'

/** The persona columns of bots (seed 000), in the order the PATCH writes them. */
export const PERSONA_FIELDS = [
  'persona_name',
  'persona_objective',
  'persona_personality',
  'persona_style',
  'persona_target_audience',
] as const

/** Each field optional on PATCH; an empty string clears it. */
export const personaSchema = z.object({
  persona_name: text(100, 0).optional(),
  persona_objective: text(2000, 0).optional(),
  persona_personality: text(2000, 0).optional(),
  persona_style: text(2000, 0).optional(),
  persona_target_audience: text(2000, 0).optional(),
})
