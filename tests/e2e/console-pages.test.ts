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
  await page
    .getByText('Answer from the knowledge base')
    .waitFor({ timeout: 15_000 })
    .catch(async (err) => {
      await page.screenshot({ path: `${shots}/console-knowledge-playground-failed.png`, fullPage: true })
      throw err
    })
  await expect.poll(() => page.locator('.answer-preview').textContent()).toContain('3.50 euros')
  const first = page.getByRole('list', { name: 'Passages weighed, best first' }).getByRole('listitem').first()
  expect(await first.textContent()).toContain('Gift wrapping')
  expect(await first.textContent()).toMatch(/Score \d\.\d{3}/)
  expect(await first.textContent()).toContain('Cited')
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-knowledge-playground.png`, fullPage: true })
  expect(errors).toEqual([])
  await ctx.close()
})

it('playground: an uncovered question declines at the bot threshold, a lower tried one answers, and saving it changes the bot', async () => {
  const { ctx, page, errors } = await ownerPage()
  await page.goto(`${stack.consoleBase}/console/#/knowledge/playground`)
  const question = page.getByRole('textbox', { name: 'Question' })
  await question.fill('Do you ship to Canada?')
  await question.press('Enter')
  await page.getByText('Say it does not know, and offer a person').waitFor({ timeout: 15_000 })
  const why = (await page.getByText(/below the threshold/).textContent()) ?? ''
  const [, confidence, threshold] = why
    .match(/Confidence (\d\.\d+), below the threshold (\d\.\d+)/)!
    .map(Number)
  expect(threshold).toBeGreaterThan(confidence)
  const value = page.getByRole('spinbutton', { name: 'Value (0 to 1)' })
  expect(Number(await value.inputValue())).toBe(threshold)
  // The slider moves by 0.005 from the keyboard, and the number follows.
  await page.getByRole('slider', { name: 'Threshold' }).focus()
  await page.keyboard.press('ArrowLeft')
  await expect.poll(async () => Number(await value.inputValue())).toBeCloseTo(threshold - 0.005, 5)
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-playground-declined.png`, fullPage: true })

  // At a threshold at or under its confidence (on the 0.005 steps), the same question is answered.
  const lower = (Math.floor(confidence * 200) / 200).toFixed(3)
  await value.fill(lower)
  await page.getByRole('button', { name: 'Try' }).focus()
  await page.keyboard.press('Enter')
  await page.getByText('Answer from the knowledge base').waitFor({ timeout: 15_000 })
  await page.getByText(`At a tried threshold, ${lower}`, { exact: false }).waitFor()
  expect(await page.getByTestId('play-answer').textContent()).not.toMatch(/^I (could not|couldn't|did not)/)
  expect(await page.getByRole('list', { name: 'Passages weighed, best first' }).textContent()).toContain(
    'Cited',
  )

  // Saved as the bot's threshold (after a confirmation showing old -> new), the bot itself answers.
  await page.getByRole('button', { name: 'Save as the bot’s threshold' }).click()
  const dialog = page.getByRole('alertdialog')
  expect(await dialog.textContent()).toContain(`${threshold.toFixed(3)} → ${lower}`)
  await dialog.getByRole('button', { name: 'Save as the bot’s threshold' }).click()
  await page.getByText(`Threshold saved: ${threshold.toFixed(3)} → ${lower}.`).waitFor({ timeout: 15_000 })
  await page.getByText(`At the bot’s threshold, ${lower}`, { exact: false }).waitFor()
  await page.getByText('Answer from the knowledge base').waitFor()
  await page
    .getByText(/^(Answer tests: \d+ passed, \d+ failed\.|This bot has no answer tests yet\.)$/)
    .waitFor({ timeout: 30_000 })
  expect(
    await page.getByRole('link', { name: 'See the answer tests on the Feedback page' }).getAttribute('href'),
  ).toBe('#/feedback')
  const direct = await page.evaluate(async () => {
    const token = sessionStorage.getItem('parley.console.token')
    const headers = { Authorization: `Bearer ${token}` }
    const tenant = sessionStorage.getItem('parley.console.tenant')
    const { bots } = await (await fetch(`/v1/tenants/${tenant}/bots`, { headers })).json()
    const res = await fetch(`/v1/bots/${bots[0].id}/playground`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: 'Do you ship to Canada?' }),
    })
    return res.json()
  })
  expect(direct.declined).toBe(false)
  expect(direct.threshold).toBeCloseTo(Number(lower), 5)
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-playground-saved.png`, fullPage: true })
  await page.setViewportSize({ width: 390, height: 844 })
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-playground-saved-mobile.png`, fullPage: true })

  // Back to the calibrated default: the bot declines again.
  await page.getByRole('button', { name: 'Reset to calibrated default' }).click()
  await page.getByRole('alertdialog').getByRole('button', { name: 'Reset to calibrated default' }).click()
  await page.getByText(`Threshold saved: ${lower} → ${threshold.toFixed(3)}.`).waitFor({ timeout: 15_000 })
  await page.getByText('Say it does not know, and offer a person').waitFor()
  expect(errors).toEqual([])
  await ctx.close()
})

it('rules: the owner creates a rule (the API refuses a risky pattern in place), and the simulator fires it with its trace', async () => {
  const { ctx, page, errors } = await ownerPage()
  await page.getByRole('link', { name: 'Rules' }).click()
  await page.getByRole('heading', { name: 'Simulator' }).waitFor()
  await page.getByRole('link', { name: 'New rule' }).first().click()
  const editor = page.getByRole('form', { name: 'New rule' })
  await editor.getByRole('textbox', { name: 'Name' }).fill('Broken parcel')
  await editor.getByLabel('Priority').selectOption('5')
  await editor.getByRole('textbox', { name: 'Keywords' }).fill('broken, cassé')
  // A condition with a pattern the API refuses: its message shows under that condition.
  await editor.getByRole('button', { name: '+ Add condition' }).click()
  await editor.getByLabel('Condition', { exact: true }).selectOption('message_regex')
  await editor.getByRole('textbox', { name: 'Pattern' }).fill('(\\w+) \\1')
  await editor.getByRole('button', { name: 'Create rule' }).click()
  const fieldError = editor.locator('.cond-edit .field-error')
  await fieldError.waitFor()
  expect(await fieldError.textContent()).toContain('back-references')
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-rules-invalid.png` })

  // Fixed: a sentiment condition instead.
  await editor.getByLabel('Condition', { exact: true }).selectOption('sentiment')
  await editor.getByRole('button', { name: 'Create rule' }).click()
  const row = page
    .getByRole('list', { name: 'Rules' })
    .getByRole('listitem')
    .filter({ hasText: 'Broken parcel' })
  await row.waitFor()
  expect(await row.textContent()).toContain('Priority 5')

  // The switch works from the keyboard.
  const toggle = row.getByRole('switch', { name: 'Active: Broken parcel' })
  await toggle.focus()
  await page.keyboard.press('Space')
  await expect.poll(() => toggle.isChecked()).toBe(false)
  await page.keyboard.press('Space')
  await expect.poll(() => toggle.isChecked()).toBe(true)

  const sim = page.getByRole('region', { name: 'Simulator' })
  await sim
    .getByRole('textbox', { name: 'Visitor message' })
    .fill('My parcel arrived broken, this is terrible!')
  await sim.getByRole('button', { name: 'Test' }).click()
  await sim.getByText('Escalates: “Broken parcel” fires.').waitFor()
  const fired = sim.locator('.trace-fired')
  expect(await fired.textContent()).toContain('broken')
  expect(await fired.textContent()).toMatch(/sentiment/)
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-rules-simulator.png` })
  // The refused rule's 400 is the only expected noise.
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([])
  await ctx.close()
})

it('widget: the owner changes the colour, the preview follows before saving, and after saving the console takes it as its accent', async () => {
  const { ctx, page, errors } = await ownerPage()
  await page.getByRole('link', { name: 'Widget' }).click()
  const launcher = page
    .frameLocator('iframe[title="Widget preview"]')
    .locator('parley-widget')
    .getByRole('button')
    .first()
  await launcher.waitFor({ timeout: 20_000 })
  const background = () => launcher.evaluate((el) => getComputedStyle(el).backgroundColor)
  const before = await background()

  const hex = page.getByRole('textbox', { name: 'Brand colour' })
  await hex.fill('#0f766e')
  await expect.poll(background).toBe('rgb(15, 118, 110)')
  expect(before).not.toBe('rgb(15, 118, 110)')
  await page.getByText(/Text on it reads well/).waitFor()
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/console-widget-draft.png` })

  // A colour that white text cannot sit on: the check says so and offers a darker shade.
  await hex.fill('#ff8800')
  await page.getByText(/hard to read/).waitFor()
  await hex.fill('#0f766e')

  await page.getByRole('button', { name: 'Save widget' }).click()
  await page.getByText('Widget saved.').waitFor()
  await expect
    .poll(() =>
      page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()),
    )
    .toBe('#0f766e')
  // The reloaded preview shows the saved colour, from the API this time.
  await expect.poll(background, { timeout: 20_000 }).toBe('rgb(15, 118, 110)')
  expect(errors).toEqual([])
  await ctx.close()
})

it('an agent sees only the inbox, contacts and their account; the owner pages are closed to them', async () => {
  const ctx = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' })
  const page = await ctx.newPage()
  const errors = watchErrors(page)
  await signInToConsole(page, stack, 'agent@demo.local')
  const nav = page.getByRole('navigation', { name: 'Console' })
  await nav.waitFor()
  expect(await nav.getByRole('link').allTextContents()).toEqual([
    'Inbox',
    'Contacts',
    'Feedback',
    'My account',
  ])
  await page.goto(`${stack.consoleBase}/console/#/widget`)
  await page.getByText('This page is for owners and admins.', { exact: false }).waitFor()
  await nav.getByRole('link', { name: 'My account' }).click()
  await page.getByRole('heading', { name: 'Availability' }).waitFor()
  expect(await axeConsole(page)).toEqual([])
  expect(errors).toEqual([])
  await ctx.close()
})
