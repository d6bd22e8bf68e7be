/**
 * `npx tsx scripts/screenshots.ts`: starts the demo on a throw-away database and saves screenshots of
 * the shop with the widget open and of the console, at desktop and phone sizes, in test-results/shots;
 * then the widget alone at 1280x800 and 390x844 in light and dark (widget-<scheme>-<size>.png).
 */
import { mkdirSync } from 'node:fs'
import { loadConfig } from '../api/src/config'
import { startDemo } from '../api/src/demo'
import { startServer } from '../api/src/server'
import { launchChromium } from '../tests/e2e/browser'

const out = 'test-results/shots'
mkdirSync(out, { recursive: true })
const config = loadConfig({
  DATABASE_URL: 'memory://',
  PORT: '0',
  DEMO_PORT: '0',
  DEMO: '1',
  LOG_LEVEL: 'silent',
})
const api = await startServer(config)
const demo = await startDemo(config, api)
const browser = await launchChromium()
try {
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    const ctx = await browser.newContext({ viewport, locale: 'fr-FR' })
    const page = await ctx.newPage()
    await page.goto(demo.url)
    await page.screenshot({ path: `${out}/${name}-shop.png` })
    await page.getByRole('button', { name: /open chat|ouvrir le chat/i }).click()
    const box = page.getByRole('textbox', { name: /message/i })
    await box.fill('Comment retourner un article ?')
    await box.press('Enter')
    await page.getByRole('dialog').getByText('30 jours', { exact: false }).first().waitFor()
    await page.screenshot({ path: `${out}/${name}-widget.png` })
    const con = await ctx.newPage()
    await con.goto(`http://localhost:${api.port}/console/`)
    await con.getByRole('textbox', { name: 'Email' }).fill('agent@demo.local')
    await con.getByLabel('Password').fill('demo1234')
    await con.getByRole('button', { name: 'Sign in' }).click()
    await con
      .getByRole('button', { name: /retourner/i })
      .first()
      .click()
    await con.waitForTimeout(300)
    await con.screenshot({ path: `${out}/${name}-console.png` })
    await ctx.close()
  }
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [
      { width: 1280, height: 800 },
      { width: 390, height: 844 },
    ]) {
      const ctx = await browser.newContext({
        viewport,
        colorScheme,
        locale: 'en-US',
        isMobile: viewport.width < 500,
      })
      const page = await ctx.newPage()
      await page.goto(demo.url)
      await page.getByRole('button', { name: /open chat/i }).click()
      const box = page.getByRole('textbox', { name: /message/i })
      await box.fill('How much does shipping cost?')
      await box.press('Enter')
      await page.getByRole('dialog').getByText('4.90', { exact: false }).first().waitFor()
      await page.mouse.move(1, 1)
      await page.waitForTimeout(300)
      await page.screenshot({ path: `${out}/widget-${colorScheme}-${viewport.width}x${viewport.height}.png` })
      await ctx.close()
    }
  }
} finally {
  await browser.close()
  await demo.close()
  await api.shutdown()
}
console.log(`screenshots in ${out}/`)
