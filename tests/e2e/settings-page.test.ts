import { afterAll, beforeAll, expect, it } from 'vitest'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'
import { axeConsole } from './console-helpers'

/** The Settings page: workspace fields (link domains too), a refused webhook URL shown in place, an API key shown once then revoked. */
let stack: DemoStack
beforeAll(async () => {
  stack = await startDemoStack()
})
afterAll(() => stack?.close())

it('the owner saves the workspace, sets a webhook, and creates then revokes an API key', async () => {
  const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  const page = await ctx.newPage()
  await signInToConsole(page, stack, 'owner@demo.local')
  await page.getByRole('link', { name: 'Settings' }).click()

  const workspace = page.getByRole('form', { name: 'Workspace' })
  await expect.poll(() => workspace.getByLabel('Time zone').inputValue()).toBe('Europe/Paris')
  await workspace.getByLabel('Time zone').fill('Europe/Lisbon')
  await workspace.getByRole('button', { name: 'Save' }).click()
  await page.getByText('Saved.').waitFor()

  // The domains bot answers may link to: a URL is refused in place (axe-clean), host names are kept.
  const domains = workspace.getByLabel('Domains answers may link to')
  await expect.poll(() => domains.inputValue()).toBe('ma-boutique.example')
  await domains.fill('ma-boutique.example\nhttps://evil.example/login')
  await workspace.getByRole('button', { name: 'Save' }).click()
  await workspace.locator('.form-field-invalid').waitFor()
  expect(await axeConsole(page)).toEqual([])
  await domains.fill('ma-boutique.example\nHelp.Example.COM')
  await workspace.getByRole('button', { name: 'Save' }).click()
  await expect.poll(() => workspace.locator('.form-field-invalid').count()).toBe(0)
  await page.reload()
  await expect.poll(() => domains.inputValue()).toBe('ma-boutique.example\nhelp.example.com')

  // A URL the SSRF guard refuses: the API's message under the field.
  const hook = page.getByRole('form', { name: 'Webhook' })
  await hook.getByLabel('URL').fill('http://10.0.0.1/hook')
  await hook.getByRole('button', { name: 'Save webhook' }).click()
  await hook.locator('.form-field-invalid').waitFor()
  await hook.getByLabel('URL').fill('https://hooks.example.com/parley')
  await hook.getByRole('button', { name: 'Save webhook' }).click()
  const secret = await page.getByRole('textbox', { name: 'Signing secret' }).inputValue()
  expect(secret).toMatch(/^whsec_/)
  await page.getByText('No delivery yet').waitFor()

  const create = page.getByRole('form', { name: 'Create key' })
  await create.getByLabel('Key name').fill('Shop backend')
  await create.getByLabel('write').check()
  await create.getByRole('button', { name: 'Create key' }).click()
  const key = await page.getByRole('textbox', { name: 'Secret key Shop backend' }).inputValue()
  expect(key).toMatch(/^sk_/)
  // The key works against the API.
  const res = await fetch(`${stack.api.url}/v1/tenants/00000000-0000-4000-8000-0000000000a1/sessions`, {
    headers: { authorization: `Bearer ${key}` },
  })
  expect(res.status).toBe(200)
  await page.screenshot({ path: `${shots}/settings-page-key.png` })
  await page.getByRole('button', { name: 'I have copied it' }).last().click()

  const keys = page.getByRole('list', { name: 'API keys' })
  await keys.locator('li', { hasText: 'Shop backend' }).getByRole('button', { name: 'Revoke' }).click()
  const dialog = page.getByRole('alertdialog')
  expect(await dialog.getByRole('button', { name: 'Revoke' }).isDisabled()).toBe(true)
  await dialog.getByRole('textbox').fill('Shop backend')
  await dialog.getByRole('button', { name: 'Revoke' }).click()
  await keys.locator('li', { hasText: 'Shop backend' }).getByText('Revoked').waitFor()
  const after = await fetch(`${stack.api.url}/v1/tenants/00000000-0000-4000-8000-0000000000a1/sessions`, {
    headers: { authorization: `Bearer ${key}` },
  })
  expect(after.status).toBe(401)

  await page.reload()
  await expect
    .poll(() => page.getByRole('form', { name: 'Workspace' }).getByLabel('Time zone').inputValue())
    .toBe('Europe/Lisbon')
  await ctx.close()
})
