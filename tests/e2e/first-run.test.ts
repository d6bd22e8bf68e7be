import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { loadConfig } from '../../api/src/config'
import type { Running } from '../../api/src/server'
import { E2E_SHOTS as shots, launchChromium, startTemplateServer } from './browser'

/** A fresh install (no demo, no account): the console opens on the set-up page, which works once. */
let api: Running
let browser: Browser
beforeAll(async () => {
  api = await startTemplateServer(
    loadConfig({ DATABASE_URL: 'memory://', PORT: '0', LOG_LEVEL: 'silent', HOST: '127.0.0.1' }),
  )
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await api?.shutdown()
})

it('creates the first owner and workspace, then the page is refused', async () => {
  const base = api.url.replace('127.0.0.1', 'localhost')
  const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' })
  const page = await ctx.newPage()
  await page.goto(`${base}/console/`)
  await page.getByRole('heading', { name: 'Set up Parley' }).waitFor()
  await page.getByLabel('Your name').fill('Ada')
  await page.getByLabel('E-mail').fill('ada@first.example')
  await page.getByLabel('Password').fill('ada-first-pass')
  await page.getByLabel('Company or site name').fill('First Shop')
  await page.screenshot({ path: `${shots}/first-run-setup.png` })
  await page.getByRole('button', { name: 'Create my account' }).click()
  await page.getByRole('heading', { name: 'Inbox' }).waitFor({ timeout: 15_000 })

  // Once an account exists the set-up is closed.
  expect(await (await fetch(`${api.url}/v1/auth/setup`)).json()).toEqual({ needed: false })
  const other = await ctx.newPage()
  await other.goto(`${base}/console/#/setup`)
  await other.getByLabel('Your name').fill('Mallory')
  await other.getByLabel('E-mail').fill('mallory@evil.example')
  await other.getByLabel('Password').fill('mallory-pass')
  await other.getByLabel('Company or site name').fill('Takeover')
  await other.getByRole('button', { name: 'Create my account' }).click()
  await other.getByText(/Set-up is done/).waitFor()
  await ctx.close()
})
