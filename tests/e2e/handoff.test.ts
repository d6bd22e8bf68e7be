import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'

let stack: DemoStack
let demo: DemoStack['demo']
let browser: Browser

beforeAll(async () => {
  stack = await startDemoStack()
  ;({ demo, browser } = stack)
})

afterAll(() => stack?.close())

const REQUEST = "je veux parler à un humain, c'est pour un remboursement"

it('a visitor asks for a human; the agent sees it live with its reason, claims, replies; the visitor sees it, then rates', async () => {
  const errors: string[] = []

  // The agent, signed in to the console first: the escalation must arrive live, without a reload.
  const agentCtx = await browser.newContext({ viewport: { width: 1280, height: 800 } })
  const con = await agentCtx.newPage()
  con.on('console', (m) => m.type() === 'error' && errors.push('console: ' + m.text()))
  await signInToConsole(con, stack, 'agent@demo.local')
  await con.getByRole('heading', { name: 'Inbox' }).waitFor()
  await con.locator('.live-on').waitFor({ timeout: 15_000 })
  await expect.poll(() => con.getByRole('combobox', { name: 'Availability' }).inputValue()).toBe('online')

  // The visitor, on the shop's origin.
  const visitorCtx = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 800 } })
  const shop = await visitorCtx.newPage()
  shop.on('console', (m) => m.type() === 'error' && errors.push('shop: ' + m.text()))
  await shop.goto(demo.url)
  await shop.getByRole('button', { name: /ouvrir le chat|open chat/i }).click()
  const dialog = shop.getByRole('dialog')
  const box = dialog.getByRole('textbox', { name: /message/i })
  await box.fill(REQUEST)
  await box.press('Enter')
  // The widget says a person is coming (the bot stays silent).
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toMatch(/équipe|humain/i)

  // The console shows the escalation live, flagged, with its reason.
  const row = con.getByRole('button', { name: /Visitor asked for a person/ }).first()
  await row.waitFor({ timeout: 15_000 }).catch(async (err) => {
    await con.screenshot({ path: `${shots}/handoff-console-failed.png` })
    throw err
  })
  const rowText = (await row.textContent()) ?? ''
  expect(rowText).toContain('Escalated')
  expect(rowText).toMatch(/Priority \d of 5/)
  expect(rowText).toContain('Visitor asked for a person')
  await con.screenshot({ path: `${shots}/handoff-console-queue.png` })

  // Open it: the conversation, the reason, the summary and the trace with the fired rule.
  await row.click()
  const details = con.getByRole('complementary', { name: 'Session details' })
  await details.waitFor()
  await expect.poll(() => details.textContent()).toContain('Visitor asked for a person')
  expect(await details.locator('.trace-fired').count()).toBeGreaterThan(0)
  expect(await con.getByRole('list', { name: 'Messages' }).textContent()).toContain(REQUEST)

  // Claim it.
  await con.getByRole('group', { name: 'Session actions' }).getByRole('button', { name: 'Claim' }).click()
  await con.getByText('Assigned to you').waitFor()
  await expect.poll(() => details.textContent()).toContain('In progress')

  // A private note stays in the console.
  await con.getByRole('checkbox', { name: 'Private note' }).check()
  const reply = con.getByRole('textbox', { name: 'Reply' })
  await reply.fill('Note interne : commande 4521, client fidèle')
  await reply.press('Enter')
  const note = con.getByRole('listitem').filter({ hasText: 'Note interne' })
  await note.waitFor()
  expect(await note.textContent()).toContain('Private note')
  await con.getByRole('checkbox', { name: 'Private note' }).uncheck()

  // The agent types: the visitor sees "Alex écrit…".
  await reply.pressSequentially('Bonjour', { delay: 30 })
  await dialog.getByRole('status', { name: /Alex/ }).waitFor({ timeout: 10_000 })

  // The agent replies; the visitor sees it live.
  await reply.fill('Bonjour, je suis Alex. Je lance votre remboursement tout de suite.')
  await con.getByRole('button', { name: 'Send' }).click()
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain('Je lance votre remboursement')
  await shop.screenshot({ path: `${shots}/handoff-visitor-reply.png` })

  // The visitor types back: the console says so.
  await box.pressSequentially('Merci', { delay: 30 })
  await expect
    .poll(() => con.getByRole('status').filter({ hasText: 'Visitor is typing…' }).count(), {
      timeout: 10_000,
    })
    .toBe(1)
  await con.screenshot({ path: `${shots}/handoff-console-session.png` })

  // The agent resolves; the visitor is asked for a rating and gives 5.
  const actions = con.getByRole('group', { name: 'Session actions' })
  await actions.getByRole('button', { name: 'Resolve', exact: true }).click()
  await actions.getByRole('button', { name: 'Resolved', exact: true }).waitFor()
  const five = dialog.getByRole('button', { name: '5 sur 5' })
  await five.waitFor({ timeout: 15_000 })
  await five.click()
  await expect.poll(() => dialog.textContent(), { timeout: 10_000 }).toContain('Merci pour votre avis')
  await shop.screenshot({ path: `${shots}/handoff-visitor-rated.png` })

  // The private note never reached the widget.
  expect(await dialog.textContent()).not.toContain('Note interne')

  // The rating is on the session in the console.
  await con.reload()
  await con
    .getByRole('complementary', { name: 'Session details' })
    .getByText('5/5')
    .waitFor({ timeout: 10_000 })

  expect(errors.filter((e) => !/favicon/.test(e))).toEqual([])
})

it('the owner copies the snippet and tries the real widget in the console preview; the conversation reaches the inbox', async () => {
  const errors: string[] = []
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 } })
  const con = await ctx.newPage()
  con.on('console', (m) => m.type() === 'error' && errors.push('console: ' + m.text()))
  con.on('pageerror', (e) => errors.push('page: ' + String(e)))
  const base = stack.consoleBase
  await signInToConsole(con, stack, 'owner@demo.local')
  await con.getByRole('link', { name: 'Widget' }).click()
  await expect
    .poll(() => con.getByLabel('Widget snippet').textContent())
    .toBe(`<script src="${base}/widget.js" data-key="pk_demo" async></script>`)

  // The preview runs on the console's own origin, which the demo widget does not list: the API accepts it.
  const frame = con.locator('iframe[title="Widget preview"]')
  await frame.scrollIntoViewIfNeeded()
  const widget = con.frameLocator('iframe[title="Widget preview"]').locator('parley-widget')
  await widget.getByRole('button', { name: /open chat|ouvrir le chat/i }).click()
  const box = widget.getByRole('textbox', { name: /message/i })
  await box.fill('Combien coûte la livraison ?')
  await box.press('Enter')
  await expect.poll(() => widget.getByRole('dialog').textContent(), { timeout: 15_000 }).toContain('4,90')
  await con.screenshot({ path: `${shots}/console-widget-preview.png` })

  await con.getByRole('button', { name: 'Inbox' }).click()
  await con
    .getByRole('button', { name: /livraison standard/ })
    .first()
    .click()
  await expect
    .poll(() => con.locator('.details').textContent(), { timeout: 10_000 })
    .toContain('Widget preview (console)')
  expect(errors).toEqual([])
  await ctx.close()
})
