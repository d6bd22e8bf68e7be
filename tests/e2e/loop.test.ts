import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'

let stack: DemoStack
let api: DemoStack['api']
let demo: DemoStack['demo']
let browser: Browser

beforeAll(async () => {
  stack = await startDemoStack()
  ;({ api, demo, browser } = stack)
})

afterAll(() => stack?.close())

it('visitor asks in French on the shop, gets a cited answer; an agent replies live; a reload keeps the history', async () => {
  // The visitor, on the shop's origin; the widget comes from the API's origin.
  const visitorCtx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 800 } })
  const shop = await visitorCtx.newPage()
  const warnings: string[] = []
  shop.on('console', (m) => m.type() === 'error' && warnings.push(m.text()))
  await shop.goto(demo.url)
  expect(new URL(demo.url).port).not.toBe(String(api.port))
  await shop.getByRole('button', { name: /ouvrir le chat|open chat/i }).click()
  const box = shop.getByRole('textbox', { name: /message/i })
  await box.fill('Quels sont les délais de livraison ?')
  await box.press('Enter')
  const dialog = shop.getByRole('dialog')
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain('2 à 4 jours ouvrés')
  // The cited FAQ is a link to its source.
  await expect
    .poll(() => dialog.locator('a[href^="https://ma-boutique.example/faq"]').count())
    .toBeGreaterThan(0)
  await shop.screenshot({ path: `${shots}/visitor-answer.png` })

  // The agent, in the console on the API's origin.
  const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const consolePage = await agentCtx.newPage()
  await signInToConsole(consolePage, stack, 'agent@demo.local')
  const row = consolePage.getByRole('button', { name: /délais de livraison|2 à 4 jours/i }).first()
  await row.waitFor({ timeout: 15_000 })
  await row.click()
  await consolePage
    .getByRole('textbox', { name: 'Reply' })
    .fill('Bonjour, je suis Alex. Votre colis part aujourd’hui.')
  await consolePage.getByRole('button', { name: 'Send' }).click()
  await consolePage.screenshot({ path: `${shots}/console-reply.png` })

  // The visitor sees it without reloading.
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain('Votre colis part aujourd’hui')
  await shop.screenshot({ path: `${shots}/visitor-agent-reply.png` })

  // A reload keeps the conversation.
  await shop.reload()
  await shop.getByRole('button', { name: /ouvrir le chat|open chat/i }).click()
  await expect
    .poll(() => shop.getByRole('dialog').textContent(), { timeout: 15_000 })
    .toContain('Votre colis part aujourd’hui')
  expect(await shop.getByRole('dialog').textContent()).toContain('2 à 4 jours ouvrés')
  expect(warnings.filter((w) => !/favicon/.test(w))).toEqual([])
})
