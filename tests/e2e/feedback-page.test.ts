import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'
import { axeConsole, watchErrors } from './console-helpers'

let stack: DemoStack
let browser: Browser

beforeAll(async () => {
  stack = await startDemoStack()
  ;({ browser } = stack)
})

afterAll(() => stack?.close())

const FIXED = 'Express orders placed before 1 pm arrive the next day, Saturdays included.'

it('a visitor rates an answer down; the owner fixes it on the Feedback page; the widget then gives the fixed answer', async () => {
  // The visitor, on the shop, asks and says the answer did not help.
  const visitorCtx = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })
  const shop = await visitorCtx.newPage()
  await shop.goto(stack.demo.url)
  await shop.getByRole('button', { name: /open chat/i }).click()
  const dialog = shop.getByRole('dialog')
  const ask = async (question: string) => {
    const box = shop.getByRole('textbox', { name: /message/i })
    await box.fill(question)
    await box.press('Enter')
  }
  await ask('How long does delivery take?')
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain('2 to 4 business days')
  await dialog.getByRole('button', { name: 'Not helpful' }).first().click()
  await dialog.getByRole('textbox', { name: /what went wrong/i }).fill('Does Express come on Saturdays?')
  await dialog.getByRole('textbox', { name: /what went wrong/i }).press('Enter')
  await expect.poll(() => dialog.textContent()).toContain('Thanks for your feedback')

  // The owner opens the Feedback page from the menu, with the keyboard-reachable controls.
  const ownerCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ownerCtx.newPage()
  const errors = watchErrors(page)
  await signInToConsole(page, stack, 'owner@demo.local')
  await page.getByRole('heading', { name: 'Inbox' }).waitFor()
  await page.getByRole('link', { name: 'Feedback' }).click()
  await page.getByRole('heading', { name: 'Feedback', level: 1 }).waitFor()
  const item = page.locator('.feedback-item', { hasText: 'Does Express come on Saturdays?' })
  await item.waitFor({ timeout: 15_000 })
  expect(await item.textContent()).toContain('How long does delivery take?')
  // The conversation is one click away.
  expect(await item.getByRole('link', { name: 'Open the conversation' }).getAttribute('href')).toMatch(
    /^#\/sessions\//,
  )
  // The Models section (the demo has no model version yet) is part of what axe checks.
  await page.getByRole('region', { name: 'Models' }).getByText('No model version registered yet.').waitFor()
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/feedback-page.png` })

  await item.getByRole('button', { name: 'Improve this answer' }).click()
  const answer = item.getByRole('textbox', { name: 'Better answer' })
  await answer.fill(FIXED)
  await item.getByRole('button', { name: 'Save the improvement' }).click()
  await item.getByRole('button', { name: 'Apply' }).click()
  await expect.poll(() => item.textContent(), { timeout: 10_000 }).toContain('Applied')
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/feedback-applied.png` })

  // The answer test the improvement added is listed, with the run after the change.
  const tests = page.getByRole('list', { name: 'Answer tests' })
  await tests.getByText('How long does delivery take?').waitFor({ timeout: 15_000 })

  // The visitor asks again, in other words: the fixed answer.
  await ask('How many days does shipping take?')
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain(FIXED)
  await shop.screenshot({ path: `${shots}/feedback-widget-fixed.png` })
  expect(errors).toEqual([])
})

it('an agent writes a better answer from the inbox conversation; it waits, pending, for an owner', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const page = await ctx.newPage()
  const errors = watchErrors(page)
  await signInToConsole(page, stack, 'agent@demo.local')
  await page.getByRole('heading', { name: 'Inbox' }).waitFor()
  await page
    .getByRole('button', { name: /Saturdays included|shipping take/i })
    .first()
    .click()
  const messages = page.getByRole('list', { name: 'Messages' })
  const bot = messages.locator('li.msg-ai', { hasText: FIXED })
  await bot.getByRole('button', { name: 'Improve this answer' }).click()
  const box = bot.getByRole('textbox', { name: 'Better answer' })
  await box.waitFor()
  // The form starts from the answer, its citation markers dropped.
  expect(await box.inputValue()).toBe(FIXED)
  await box.fill('Express arrives the next day, Saturdays included; standard delivery takes 2 to 4 days.')
  await bot.getByRole('button', { name: 'Save the improvement' }).click()
  await expect.poll(() => bot.textContent()).toContain('Improvement saved')
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/inbox-improve.png` })
  const { rows } = await stack.api.deps.pool.query(
    `select status, question from improvements where improved_response like 'Express arrives the next day%'`,
  )
  expect(rows).toEqual([{ status: 'pending', question: 'How many days does shipping take?' }])
  expect(errors).toEqual([])
})
