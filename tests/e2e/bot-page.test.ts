import { afterAll, beforeAll, expect, it } from 'vitest'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'

/** The Bot page: the owner saves a prompt version, sees the diff, rolls back with one click, and the preview follows. */
let stack: DemoStack
beforeAll(async () => {
  stack = await startDemoStack()
})
afterAll(() => stack?.close())

it('the owner saves a version, compares it, and rolls back to the previous one', async () => {
  const errors: string[] = []
  const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  const page = await ctx.newPage()
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()))
  await signInToConsole(page, stack, 'owner@demo.local')
  await page.getByRole('link', { name: 'Bot' }).click()
  await page.getByRole('heading', { name: 'Persona' }).waitFor()

  // The demo's history: v2 active (formal "vous"), v1 the default.
  const history = page.getByRole('list', { name: 'History' })
  await expect.poll(() => history.locator('li').count()).toBe(2)
  const preview = page.getByTestId('system-prompt')
  await expect.poll(() => preview.textContent()).toContain('Vouvoyez')

  // A new version, active at once.
  const editor = page.getByRole('form', { name: 'New version' })
  await editor.getByLabel('Prompt').fill('Answer in one short sentence, citing [1].')
  await editor.getByLabel('What changed').fill('Shorter answers')
  await editor.getByRole('button', { name: 'Save version' }).click()
  await expect.poll(() => history.locator('li').count()).toBe(3)
  await expect.poll(() => preview.textContent()).toContain('Answer in one short sentence')

  // The diff between v3 and v2.
  await history.locator('li').first().getByRole('button', { name: 'Compare' }).click()
  const diff = page.getByRole('region', { name: /Changes from v2 to v3/ })
  await expect.poll(() => diff.locator('.diff-add').count()).toBeGreaterThan(0)
  expect(await diff.locator('.diff-del', { hasText: 'Vouvoyez' }).count()).toBe(1)
  await page.screenshot({ path: `${shots}/bot-page-diff.png`, fullPage: true })

  // Roll back to v2 with one click: the preview and the API agree.
  await page.getByRole('button', { name: 'Roll back to v2' }).click()
  await expect.poll(() => preview.textContent()).toContain('Vouvoyez')
  expect(await preview.textContent()).not.toContain('Answer in one short sentence')
  await expect.poll(() => history.locator('li.prompt-active').textContent()).toContain('v2')

  // Persona: a validation error shows under its field, then a good save.
  await page.getByLabel('Model').fill('not a model!')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await page.locator('.form-field-invalid', { hasText: 'a model name like' }).waitFor()
  await page.getByLabel('Model').fill('')
  await page.getByLabel('Writing style').fill('Short sentences, no jargon.')
  await page.getByRole('button', { name: 'Save', exact: true }).click()
  await expect.poll(() => preview.textContent()).toContain('Your writing style: Short sentences, no jargon.')
  expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([])
  await ctx.close()
})
