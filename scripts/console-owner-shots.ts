/**
 * `npx tsx scripts/console-owner-shots.ts`: starts the demo on a throw-away database and saves
 * screenshots of the owner pages at desktop (1280x800) and phone (390x844) sizes in
 * test-results/shots: Bot (persona, prompt history with a diff, preview), Team (members, invite link,
 * pending invitations), Settings (workspace, webhook, a new API key), My account (an agent's), and the pages before sign-in (set-up, invitation,
 * forgotten password, new password).
 */
import { mkdirSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { startDemoStack } from '../tests/e2e/browser'

const out = 'test-results/shots'
mkdirSync(out, { recursive: true })
// The demo as the e2e tests start it (API, shop, embedded database in memory) and Chromium.
const stack = await startDemoStack()
const { browser } = stack
const base = stack.consoleBase

async function signIn(page: Page, email: string) {
  await page.goto(`${base}/console/`)
  await page.getByRole('textbox', { name: 'Email' }).fill(email)
  await page.getByLabel('Password').fill('demo1234')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('heading', { name: 'Inbox' }).waitFor()
}

/** Scrolls the element into view at the top, then shoots the viewport. */
async function shotAt(page: Page, selector: string, file: string) {
  await page
    .locator(selector)
    .first()
    .evaluate((el) => el.scrollIntoView({ block: 'start' }))
  await page.waitForTimeout(150)
  await page.screenshot({ path: `${out}/${file}` })
}

try {
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    const ctx = await browser.newContext({ viewport, locale: 'en-US' })
    const page = await ctx.newPage()
    await signIn(page, 'owner@demo.local')

    await page.goto(`${base}/console/#/bot`)
    await page.getByRole('heading', { name: 'Persona' }).waitFor()
    await page.getByRole('list', { name: 'History' }).locator('li').first().waitFor()
    await page.screenshot({ path: `${out}/${name}-owner-bot.png` })
    await page
      .getByRole('list', { name: 'History' })
      .locator('li')
      .nth(1)
      .getByRole('button', { name: 'Compare' })
      .click()
    await shotAt(page, '.prompt-history', `${name}-owner-bot-history.png`)
    await shotAt(page, '.prompt-diff', `${name}-owner-bot-diff.png`)
    await page.getByTestId('system-prompt').waitFor()
    await shotAt(page, '#bot-preview', `${name}-owner-bot-preview.png`)

    await page.goto(`${base}/console/#/team`)
    await page.getByRole('list', { name: 'Members' }).waitFor()
    await page.screenshot({ path: `${out}/${name}-owner-team.png` })
    const invite = page.getByRole('form', { name: 'Invite a teammate' })
    await invite.getByLabel('E-mail').fill(`${name}@ma-boutique.example`)
    await invite.getByRole('button', { name: 'Invite' }).click()
    await page.locator('.secret-box').waitFor()
    await shotAt(page, '.secret-box', `${name}-owner-team-invited.png`)
    await page
      .getByRole('list', { name: 'Members' })
      .locator('li', { hasText: 'agent@demo.local' })
      .getByRole('button', { name: 'Remove' })
      .click()
    await page.getByRole('alertdialog').waitFor()
    await page.screenshot({ path: `${out}/${name}-owner-team-remove.png` })
    await page.getByRole('alertdialog').getByRole('button', { name: 'Cancel' }).click()

    await page.goto(`${base}/console/#/settings`)
    await page.getByRole('form', { name: 'Workspace' }).waitFor()
    await page.screenshot({ path: `${out}/${name}-owner-settings.png` })
    const keyForm = page.getByRole('form', { name: 'Create key' })
    await keyForm.getByLabel('Key name').fill('Shop backend')
    await keyForm.getByRole('button', { name: 'Create key' }).click()
    await page.locator('.secret-box').waitFor()
    await shotAt(page, '#settings-keys', `${name}-owner-settings-keys.png`)
    await ctx.close()

    const agentCtx = await browser.newContext({ viewport, locale: 'en-US' })
    const agent = await agentCtx.newPage()
    await signIn(agent, 'agent@demo.local')
    await agent.goto(`${base}/console/#/account`)
    await agent.getByRole('form', { name: 'Change my password' }).waitFor()
    await agent.getByLabel('Current password').fill('wrong-password')
    await agent.getByLabel('New password').fill('another-password')
    await agent.getByRole('button', { name: 'Change password' }).click()
    await agent.locator('.form-field-invalid').first().waitFor()
    await agent.screenshot({ path: `${out}/${name}-agent-account.png` })
    await agentCtx.close()

    const anon = await browser.newContext({ viewport, locale: 'en-US' })
    const p = await anon.newPage()
    for (const [hash, heading] of [
      ['#/setup', 'Set up Parley'],
      ['#/accept-invitation?token=' + 'x'.repeat(43), 'Join your team'],
      ['#/forgot-password', 'Forgot your password?'],
      ['#/reset-password?token=' + 'x'.repeat(43), 'Choose a new password'],
    ] as const) {
      await p.goto(`${base}/console/${hash}`)
      await p.getByRole('heading', { name: heading }).waitFor()
      await p.screenshot({ path: `${out}/${name}-public-${hash.slice(2).split('?')[0]}.png` })
    }
    await anon.close()
  }
} finally {
  await stack.close()
}
console.log(`screenshots in ${out}/`)
