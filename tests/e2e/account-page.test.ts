import { afterAll, beforeAll, expect, it } from 'vitest'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'

/** An agent's console: the inbox, the feedback page and My account; the password changes there; the reset page never says who has an account. */
let stack: DemoStack
beforeAll(async () => {
  stack = await startDemoStack()
})
afterAll(() => stack?.close())

it('an agent sees the inbox, contacts, the feedback page and their account, and changes their password', async () => {
  const ctx = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' })
  const page = await ctx.newPage()
  await signInToConsole(page, stack, 'agent@demo.local')
  await page.getByRole('heading', { name: 'Inbox' }).waitFor()
  const menu = page.getByRole('navigation', { name: 'Console' })
  await expect
    .poll(() => menu.getByRole('link').allTextContents(), { timeout: 10_000 })
    .toEqual(['Inbox', 'Contacts', 'Feedback', 'My account'])
  await page.goto(`${stack.consoleBase}/console/#/team`)
  await page.getByText(/This page is for owners and admins/).waitFor()

  await page.goto(`${stack.consoleBase}/console/#/account`)
  const form = page.getByRole('form', { name: 'Change my password' })
  await form.getByLabel('Current password').fill('not-my-password')
  await form.getByLabel('New password').fill('agent-new-pass')
  await form.getByRole('button', { name: 'Change password' }).click()
  await form.getByText('this is not your current password.').waitFor()
  await form.getByLabel('Current password').fill('demo1234')
  await form.getByRole('button', { name: 'Change password' }).click()
  await page.getByText('Your password was changed.').waitFor()
  await page.screenshot({ path: `${shots}/account-page-changed.png` })

  await page.getByRole('button', { name: 'Sign out' }).click()
  await page.getByRole('textbox', { name: 'Email' }).fill('agent@demo.local')
  await page.getByLabel('Password').fill('agent-new-pass')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Inbox' }).waitFor()
  await ctx.close()
})

it('the forgotten-password page answers the same for any address', async () => {
  const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  const page = await ctx.newPage()
  await page.goto(`${stack.consoleBase}/console/`)
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await page.getByLabel('E-mail').fill('owner@demo.local')
  await page.getByRole('button', { name: 'Send the link' }).click()
  const known = await page.getByRole('status').filter({ hasText: 'If this address' }).textContent()
  await page.reload()
  await page.getByLabel('E-mail').fill('nobody@nowhere.example')
  await page.getByRole('button', { name: 'Send the link' }).click()
  const unknown = await page.getByRole('status').filter({ hasText: 'If this address' }).textContent()
  expect(unknown).toBe(known)
  await page.getByRole('link', { name: 'Back to sign-in' }).click()
  await page.getByRole('heading', { name: 'Sign in to your inbox' }).waitFor()
  await ctx.close()
})
