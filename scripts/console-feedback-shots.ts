/**
 * `npx tsx scripts/console-feedback-shots.ts`: starts the demo on a throw-away database, rates a few
 * answers down through the widget API, and saves screenshots of the Feedback page and the inbox's
 * "Improve this answer" form at desktop (1280x800) and phone (390x844) sizes in test-results/shots.
 */
import { mkdirSync } from 'node:fs'
import { startDemoStack } from '../tests/e2e/browser'

const out = 'test-results/shots'
mkdirSync(out, { recursive: true })
const stack = await startDemoStack()
const { browser } = stack
const base = stack.consoleBase

async function rateDown(question: string, comment: string) {
  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${stack.api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<any>)
  const { session, token } = await post('/v1/sessions', { key: 'pk_demo' })
  const { reply } = await post(
    `/v1/sessions/${session.id}/messages`,
    { content: question, client_message_id: 'm1' },
    token,
  )
  await post(
    `/v1/sessions/${session.id}/messages/${reply.id}/feedback`,
    { rating: 'down', ...(comment ? { comment } : {}) },
    token,
  )
}

try {
  await rateDown('How long does delivery take?', 'Does Express come on Saturdays?')
  await rateDown('Do you ship to Canada?', 'No answer about Canada.')
  await rateDown('Comment retourner un article ?', '')
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    const ctx = await browser.newContext({ viewport, locale: 'en-US' })
    const page = await ctx.newPage()
    await page.goto(`${base}/console/`)
    await page.getByRole('textbox', { name: 'Email' }).fill('owner@demo.local')
    await page.getByLabel('Password').fill('demo1234')
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('heading', { name: 'Inbox' }).waitFor()
    await page.goto(`${base}/console/#/feedback`)
    await page.locator('.feedback-item').first().waitFor()
    await page.screenshot({ path: `${out}/${name}-feedback.png` })
    const item = page.locator('.feedback-item', { hasText: 'Saturdays' })
    await item.locator('summary').click()
    await item.getByRole('button', { name: 'Improve this answer' }).click()
    await page.waitForTimeout(200)
    await item.evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await page.screenshot({ path: `${out}/${name}-feedback-improve.png` })
    await page.locator('#answer-tests').evaluate((el) => el.scrollIntoView({ block: 'start' }))
    await page.screenshot({ path: `${out}/${name}-feedback-tests.png` })
    await ctx.close()
  }
} finally {
  await stack.close()
}
