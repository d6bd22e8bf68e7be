/**
 * The owner's console pages in real Chromium against the demo: Knowledge (upload a markdown file, then
 * the playground answers from it), Rules (create a rule, the simulator fires it), Widget (change the
 * colour, the preview follows); and an agent sees only what they may use. axe-core at both sizes.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { BrowserContext, Page } from 'playwright-core'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'
import { axeConsole, watchErrors } from './console-helpers'

let stack: DemoStack

beforeAll(async () => {
  stack = await startDemoStack()
})
afterAll(() => stack?.close())

async function ownerPage(
  viewport = { width: 1280, height: 800 },
): Promise<{ ctx: BrowserContext; page: Page; errors: string[] }> {
  const ctx = await stack.browser.newContext({ viewport, locale: 'en-US' })
  const page = await ctx.newPage()
  const errors = watchErrors(page)
  await signInToConsole(page, stack, 'owner@demo.local')
  await page.getByRole('navigation', { name: 'Console' }).waitFor()
  return { ctx, page, errors }
}

it('knowledge: the owner uploads a markdown file, sees it ready, and the playground answers a question from it', async () => {
  const { ctx, page, errors } = await ownerPage()
  await page.getByRole('link', { name: 'Knowledge' }).click()
  await page.getByRole('heading', { name: 'Upload documents' }).waitFor()
  await page.locator('input[type=file]').setInputFiles([
    {
      name: 'gift-wrapping.md',
      mimeType: 'text/markdown',
      buffer: Buffer.from(
        '# Gift wrapping\n\nGift wrapping costs 3.50 euros per item. It is available for every order placed before 2 pm: choose "Gift wrap" at checkout and add a card message for free.\n',
      ),
    },
  ])
  const row = page
    .getByRole('list', { name: 'Documents and websites' })
    .getByRole('listitem')
    .filter({ hasText: 'gift-wrapping.md' })
  await row
    .getByText('Ready')
    .waitFor({ timeout: 30_000 })
    .catch(async (err) => {
      await page.screenshot({ path: `${shots}/console-knowledge-failed.png`, fullPage: true })
      throw err
    })
  await expect.poll(() => row.textContent()).toMatch(/Passages: 1/)
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-knowledge-sources.png` })

  await page.getByRole('link', { name: 'Playground' }).click()
  await page.getByRole('textbox', { name: 'Question' }).fill('How much does gift wrapping cost?')
  await page.getByRole('textbox', { name: 'Question' }).press('Enter')
  await page.getByText('Answer from the knowledge base').waitFor({ timeout: 15_000 })
  await expect.poll(() => page.locator('.answer-preview').textContent()).toContain('3.50 euros')
  const first = page.getByRole('list', { name: 'Passages, best first' }).getByRole('listitem').first()
  expect(await first.textContent()).toContain('Gift wrapping')
  expect(await first.textContent()).toMatch(/Confidence \d\.\d\d/)
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-knowledge-playground.png`, fullPage: true })
  expect(errors).toEqual([])
  await ctx.close()
})
