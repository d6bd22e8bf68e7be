import { afterAll, beforeAll, expect, it } from 'vitest'
import { startCalcom } from '../api/contacts/stand-ins'
import { axeConsole, watchErrors } from './console-helpers'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'

/**
 * A verified customer on the demo shop (the page at /?signed-in vouches for Ana Lima) asks where her
 * order is and books a meeting (Cal.com: a local stand-in); the agent finds both on her contact page.
 */
let stack: DemoStack
let cal: Awaited<ReturnType<typeof startCalcom>>
const KEY = 'cal_demo_key_123'
const slot = (h: number) => {
  const d = new Date()
  d.setUTCDate(d.getUTCDate() + 2)
  d.setUTCHours(h, 0, 0, 0)
  return d.toISOString()
}

beforeAll(async () => {
  stack = await startDemoStack()
  cal = await startCalcom(KEY, [slot(9), slot(10), slot(11)])
  // The demo has no Cal.com: this test points the API at its stand-in and sets the tenant's key.
  ;(stack.api.deps.config as { CALCOM_API_URL: string }).CALCOM_API_URL = `${cal.url}/v2`
  const login = await fetch(`${stack.api.url}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'owner@demo.local', password: 'demo1234' }),
  })
  const { access_token } = (await login.json()) as { access_token: string }
  const res = await fetch(
    `${stack.api.url}/v1/tenants/00000000-0000-4000-8000-0000000000a1/action-settings`,
    {
      method: 'PUT',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: JSON.stringify({ calcom_api_key: KEY, calcom_event_type_id: 7 }),
    },
  )
  expect(res.status).toBe(200)
})

afterAll(async () => {
  await stack?.close()
  await cal?.close()
})

it('a signed-in customer gets her order status and books a meeting; the agent sees both on her contact', async () => {
  const ctx = await stack.browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 800 } })
  const shop = await ctx.newPage()
  await shop.goto(`${stack.demo.url}/?signed-in`)
  await shop.getByRole('button', { name: /ouvrir le chat|open chat/i }).click()
  const dialog = shop.getByRole('dialog')
  const box = shop.getByRole('textbox', { name: /message/i })
  await box.fill('Where is my order 4512?')
  await box.press('Enter')
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain('Order 4512: shipped.')
  expect(await dialog.textContent()).toContain('Veste en lin')

  await box.fill("I'd like to book a meeting")
  await box.press('Enter')
  const choices = dialog.locator('.chips button')
  await expect.poll(() => choices.count(), { timeout: 15_000 }).toBe(3)
  await shop.screenshot({ path: `${shots}/contacts-visitor-slots.png` })
  await choices.nth(1).click()
  await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain('Your meeting is booked')
  expect(cal.state.bookings).toHaveLength(1)
  expect(cal.state.bookings[0]).toMatchObject({
    start: slot(10),
    attendee: { email: 'ana.lima@example.com' },
  })
  await shop.screenshot({ path: `${shots}/contacts-visitor-booked.png` })

  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    const agentCtx = await stack.browser.newContext({ locale: 'en-US', viewport })
    const page = await agentCtx.newPage()
    const errors = watchErrors(page)
    await signInToConsole(page, stack, 'agent@demo.local')
    await page.getByRole('heading', { name: 'Inbox' }).waitFor()
    await page.goto(`${stack.consoleBase}/console/#/contacts`)
    await page.getByRole('heading', { name: 'Contacts' }).waitFor()
    await page.getByRole('searchbox', { name: /Search contacts/ }).fill('Ana')
    const link = page.getByRole('link', { name: 'Ana Lima' })
    await link.waitFor({ timeout: 10_000 })
    expect(await axeConsole(page)).toEqual([])
    await page.screenshot({ path: `${shots}/contacts-${name}-list.png` })
    // Keyboard: the contact opens from its link.
    await link.focus()
    await page.keyboard.press('Enter')
    await page.getByRole('heading', { name: 'Ana Lima', level: 1 }).waitFor()
    await expect.poll(() => page.locator('main').textContent()).toContain('Order 4512')
    expect(await page.locator('main').textContent()).toContain('Scheduled')
    expect(await axeConsole(page)).toEqual([])
    await page.screenshot({ path: `${shots}/contacts-${name}-contact.png`, fullPage: true })
    expect(errors).toEqual([])
    await agentCtx.close()
  }
  await ctx.close()
})
