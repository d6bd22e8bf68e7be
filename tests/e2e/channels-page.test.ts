import { afterAll, beforeAll, expect, it } from 'vitest'
import { startStandIn, type StandIn } from '../api/channels/stand-in'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'
import { axeConsole, watchErrors } from './console-helpers'

/**
 * The Channels page against a local Telegram Bot API stand-in: a refused token shown under its field,
 * a token Telegram refuses shown in a banner, then a bot connected (setWebhook called with the URL the
 * page shows), paused from the keyboard and disconnected after typing its id. axe on the way.
 */
let stack: DemoStack
let tg: StandIn
beforeAll(async () => {
  tg = await startStandIn()
  stack = await startDemoStack({ TELEGRAM_API_URL: tg.telegramUrl })
})
afterAll(async () => {
  await stack?.close()
  await tg?.close()
})

const TOKEN = '123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw1'

it('the owner connects a Telegram bot, sees it listed with its webhook URL, pauses and disconnects it', async () => {
  const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  const page = await ctx.newPage()
  const errors = watchErrors(page)
  await signInToConsole(page, stack, 'owner@demo.local')
  await page.getByRole('link', { name: 'Channels' }).click()
  await page.getByRole('heading', { name: 'Channels', level: 1 }).waitFor()
  await page.getByText('No channel connected yet.').waitFor()
  expect(await axeConsole(page)).toEqual([])

  const form = page.getByRole('form', { name: 'Connect a channel' })
  // The platform picker offers every platform; WhatsApp asks for its ids and secrets.
  await form.getByLabel('Platform').selectOption('whatsapp')
  await form.getByLabel('Phone number id').waitFor()
  await form.getByLabel('WhatsApp Business Account id').waitFor()
  await form.getByLabel('Verify token').waitFor()
  await form.getByLabel('Platform').selectOption('telegram')
  expect(await form.getByLabel('Verify token').count()).toBe(0)

  // Not a bot token: the API's message under the field.
  await form.getByLabel('Bot token').fill('not-a-token')
  await form.getByRole('button', { name: 'Connect' }).click()
  await form.locator('.form-field-invalid').getByText('must be a Telegram bot token').waitFor()
  // A token Telegram refuses (the stand-in answers 401 for bot 400000): the API's sentence in a banner.
  await form.getByLabel('Bot token').fill('400000:AAHunknownBOTtokenVALUE12345')
  await form.getByRole('button', { name: 'Connect' }).click()
  await form
    .getByRole('alert')
    .getByText(/Telegram refused the webhook/)
    .waitFor()

  await form.getByLabel('Bot token').fill(TOKEN)
  await form.getByRole('button', { name: 'Connect' }).click()
  const list = page.getByRole('list', { name: 'Connected channels' })
  const item = list.locator('li', { hasText: 'Telegram 123456789' })
  await item.waitFor()
  await item.getByText('Registered with Telegram (setWebhook)').waitFor()
  // The secret is never shown back: the field is empty again and no page text carries it.
  expect(await form.getByLabel('Bot token').inputValue()).toBe('')
  expect(await page.content()).not.toContain(TOKEN.split(':')[1])
  const webhook = await item.getByRole('textbox', { name: /Webhook URL/ }).inputValue()
  expect(webhook).toMatch(/\/v1\/channels\/[0-9a-f-]{36}\/webhook$/)
  const setWebhook = tg.requests.filter((r) => r.path.endsWith('/setWebhook')).at(-1)!
  expect(setWebhook.path).toBe(`/tg/bot${TOKEN}/setWebhook`)
  expect(setWebhook.body.url).toBe(webhook)
  await item.getByRole('button', { name: 'Copy the webhook URL of Telegram 123456789' }).waitFor()
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/channels-page.png`, fullPage: true })

  // A Telegram user writes: the conversation is in the inbox with its channel, and the filter finds it.
  const secret = setWebhook.body.secret_token
  const update = await fetch(webhook.replace(/^https?:\/\/[^/]+/, stack.api.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': secret },
    body: JSON.stringify({
      update_id: 1,
      message: {
        message_id: 1,
        date: Math.floor(Date.now() / 1000),
        chat: { id: 4242, type: 'private' },
        from: { id: 4242, first_name: 'Ada', last_name: 'Lovelace', username: 'ada' },
        text: 'How much does shipping cost?',
      },
    }),
  })
  expect(update.status).toBe(200)
  await page.getByRole('link', { name: 'Inbox' }).click()
  const row = page.getByRole('button', { name: /Ada Lovelace/ })
  await row.waitFor({ timeout: 20_000 })
  expect(await row.locator('[data-channel="telegram"]').count()).toBe(1)
  await page.getByRole('combobox', { name: 'Channel' }).selectOption('widget')
  await row.waitFor({ state: 'detached' })
  await page.getByRole('combobox', { name: 'Channel' }).selectOption('telegram')
  await row.click()
  await page.getByRole('heading', { name: 'Ada Lovelace' }).waitFor()
  await page.getByText('@ada').first().waitFor()
  // The bot's answer went out through sendMessage: its delivery state is on the message.
  await page.locator('.msg-ai [data-delivery="sent"]').waitFor({ timeout: 20_000 })
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/channels-inbox.png` })
  await page.getByRole('link', { name: 'Channels' }).click()

  // Pause from the keyboard.
  await item.getByRole('button', { name: 'Pause' }).focus()
  await page.keyboard.press('Enter')
  await item.getByText('Paused', { exact: true }).waitFor()
  const hook = await fetch(webhook.replace(/^https?:\/\/[^/]+/, stack.api.url), {
    method: 'POST',
    body: '{}',
  })
  expect(hook.status).toBe(404)

  // Edit: secrets are write-only, "leave empty to keep".
  await item.getByRole('button', { name: 'Edit' }).click()
  const edit = page.getByRole('form', { name: 'Edit Telegram 123456789' })
  await edit.getByText('Leave empty to keep the current one.').waitFor()
  expect(await edit.getByLabel('Bot token').inputValue()).toBe('')
  await edit.getByRole('button', { name: 'Cancel' }).click()

  // Disconnect: typing the account id enables the button.
  await item.getByRole('button', { name: 'Disconnect' }).click()
  const dialog = page.getByRole('alertdialog')
  expect(await dialog.getByRole('button', { name: 'Disconnect' }).isDisabled()).toBe(true)
  await dialog.getByRole('textbox').fill('123456789')
  await dialog.getByRole('button', { name: 'Disconnect' }).click()
  await page.getByText('No channel connected yet.').waitFor()
  expect(tg.requests.some((r) => r.path === `/tg/bot${TOKEN}/deleteWebhook`)).toBe(true)

  // Phone width: the same page, no horizontal scroll.
  await page.setViewportSize({ width: 390, height: 844 })
  await form.getByLabel('Platform').selectOption('messenger')
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true)
  await page.screenshot({ path: `${shots}/channels-page-phone.png`, fullPage: true })
  expect(await axeConsole(page)).toEqual([])
  // The two refusals above are expected answers (400, 502); nothing else went wrong.
  expect(errors.filter((e) => !/status of (400|502)/.test(e))).toEqual([])
  await ctx.close()
})
