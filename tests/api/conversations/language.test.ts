import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApp, type TestApp } from '../../helpers/app'

/**
 * The conversation's language is stable: a short message ("no", "agent", a product name) says nothing
 * about the language and keeps the one the visitor has been writing in; a message surely in another
 * language switches it.
 */
describe('the session language through the API', () => {
  let t: TestApp
  beforeAll(async () => {
    t = await createTestApp()
    await t.deps.worker!.drain()
  })
  afterAll(async () => {
    await t.close()
  })

  async function conversation(turns: string[]) {
    const v = await t.visitor()
    let body: any
    for (const turn of turns) {
      const res = await v.send(turn)
      expect(res.status).toBe(200)
      body = await res.json()
    }
    return body
  }

  it('a French visitor who says "no" to the offer of a person is answered in French', async () => {
    const body = await conversation(['Vendez-vous des voitures ?', 'no'])
    expect(body.reply.content).toBe("D'accord. Comment puis-je vous aider d'autre ?")
  })

  it('a French visitor who writes only "agent" is handed over in French', async () => {
    const body = await conversation(['Quels sont les délais de livraison ?', 'agent'])
    expect(body.escalation.message.content).toMatch(/^Je transmets votre demande/)
  })

  it('a product name alone keeps the conversation in German', async () => {
    const body = await conversation(['Wie lange dauert die Lieferung?', 'Nimbus X200'])
    expect(body.reply.suggest_human).toBe(true)
    expect(body.reply.content).toMatch(/^Dazu habe ich in unserer Wissensdatenbank/)
  })

  it('a whole question in another language switches the conversation', async () => {
    const body = await conversation([
      'Quels sont les délais de livraison ?',
      'How much does shipping cost?',
      'agent',
    ])
    expect(body.escalation.message.content).toMatch(/^I'm passing your request/)
  })

  it('the first message sets the language even when it is short', async () => {
    const body = await conversation(['Livraison ?'])
    expect(body.reply.content).not.toMatch(/^Here is|^I couldn't/)
    const again = await conversation(['agent'])
    expect(again.escalation.message.content).toMatch(/^I'm passing your request/)
  })
})
