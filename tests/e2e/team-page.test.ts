import { afterAll, beforeAll, expect, it } from 'vitest'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'

/** The Team page: the owner invites an agent, who accepts in another browser and lands in the inbox. */
let stack: DemoStack
beforeAll(async () => {
  stack = await startDemoStack()
})
afterAll(() => stack?.close())

it('invites an agent who accepts in a second browser context and sees the inbox; the owner then removes them', async () => {
  const ownerCtx = await stack.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  const page = await ownerCtx.newPage()
  await signInToConsole(page, stack, 'owner@demo.local')
  await page.getByRole('link', { name: 'Team' }).click()
  // The demo's pending invitation is listed.
  const pending = page.getByRole('list', { name: 'Pending invitations' })
  await pending.getByText('sam@ma-boutique.example').waitFor()

  const invite = page.getByRole('form', { name: 'Invite a teammate' })
  await invite.getByLabel('E-mail').fill('noor@ma-boutique.example')
  await invite.getByRole('button', { name: 'Invite' }).click()
  const link = await page
    .getByRole('textbox', { name: /Invitation link for noor@ma-boutique.example/ })
    .inputValue()
  expect(link).toMatch(/^http:\/\/localhost:\d+\/console\/#\/accept-invitation\?token=/)
  await pending.getByText('noor@ma-boutique.example').waitFor()
  await page.screenshot({ path: `${shots}/team-page-invite.png`, fullPage: true })

  // The invitee, in a browser of their own.
  const agentCtx = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' })
  const agent = await agentCtx.newPage()
  await agent.goto(link)
  await agent.getByRole('heading', { name: 'Join your team' }).waitFor()
  await agent.getByLabel('Your name').fill('Noor')
  await agent.getByLabel('Password').fill('short')
  await agent.getByRole('button', { name: 'Accept the invitation' }).click()
  // The browser's own check (minlength) or the API's message: the form does not go through.
  await agent.getByLabel('Password').fill('noor-password-1')
  await agent.getByRole('button', { name: 'Accept the invitation' }).click()
  await agent.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 15_000 })
  await agent.screenshot({ path: `${shots}/team-accepted-inbox.png` })

  // The same link is spent.
  const again = await agentCtx.newPage()
  await again.goto(link)
  await again.getByLabel('Password').fill('noor-password-1')
  await again.getByRole('button', { name: 'Accept the invitation' }).click()
  await again.getByText(/invalid, used or expired/).waitFor()

  // The owner sees Noor as an agent, and removes them after confirming.
  await page.reload()
  const members = page.getByRole('list', { name: 'Members' })
  const row = members.locator('li', { hasText: 'noor@ma-boutique.example' })
  await row.waitFor()
  expect(await row.getByRole('combobox').first().inputValue()).toBe('agent')
  await row.getByRole('button', { name: 'Remove' }).click()
  await page.getByRole('alertdialog').getByRole('button', { name: 'Remove' }).click()
  await expect.poll(() => members.locator('li', { hasText: 'noor@ma-boutique.example' }).count()).toBe(0)
  await ownerCtx.close()
  await agentCtx.close()
})
