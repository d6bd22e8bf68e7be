import { Hono } from 'hono'
import { z } from 'zod'
import { playgroundAnswer } from '../answers/dry-run'
import { asMember } from '../auth/member'
import { requireUser } from '../auth/middleware'
import { ADMINS } from '../auth/roles'
import type { AppEnv } from '../deps'
import { text } from '../http/text'
import { jsonBody } from '../http/validate'
import { botTenant } from './routes'

/**
 * The playground: the answer a bot would give to a question, its confidence and the passages it
 * weighed, at the bot's threshold or one the owner is trying (min_confidence). A dry run: no session,
 * no message, no usage count is written.
 */
export const playground = new Hono<AppEnv>()
playground.use('/bots/:b/playground', requireUser)

const playgroundBody = z
  .object({
    question: text(4000),
    min_confidence: z.number().min(0).max(1).optional(),
  })
  .strict()

playground.post('/bots/:b/playground', jsonBody(playgroundBody), async (c) => {
  const b = c.req.param('b')
  const body = c.get('body') as z.infer<typeof playgroundBody>
  const tenantId = await botTenant(c, b)
  // Owners and admins tune their bots; the answer itself runs outside the member transaction (embedded
  // Postgres has one connection, and retrieval filters by tenant itself).
  await asMember(c, tenantId, async () => null, ADMINS)
  const result = await playgroundAnswer(c.var.deps, {
    tenantId,
    botId: b,
    question: body.question,
    minConfidence: body.min_confidence,
  })
  return c.json(result)
})
