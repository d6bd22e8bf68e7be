/**
 * The widget on a hostile host page in real Chromium: global `* { all: unset !important }`,
 * !important rules on every element type, and a strict CSP with a nonce (script-src 'nonce-…'
 * 'strict-dynamic', no inline styles). The widget must load, look the same as on a plain page,
 * work end to end, pass axe-core in light and dark, and log nothing but expected noise.
 */
import { mkdirSync } from 'node:fs'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium, startTemplateServer } from './browser'
import { axeWidget, startHostSite, type HostSite } from './widget-host'

let site: HostSite
let browser: Browser
const shots = 'test-results/shots'

beforeAll(async () => {
  mkdirSync(shots, { recursive: true })
  site = await startHostSite(startTemplateServer)
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await site?.close()
})

/** Geometry and typography of the widget's parts, read inside its shadow root. */
async function measure(page: Page) {
  return page.evaluate(() => {
    const root = document.querySelector('parley-widget')!.shadowRoot!
    const box = (sel: string) => {
      const el = root.querySelector(sel) as HTMLElement
      const r = el.getBoundingClientRect()
      const cs = getComputedStyle(el)
      return [
        Math.round(r.x),
        Math.round(r.y),
        Math.round(r.width),
        Math.round(r.height),
        cs.fontSize,
        cs.fontFamily,
        cs.color,
        cs.letterSpacing,
        cs.textTransform,
      ].join(' ')
    }
    return {
      launcher: box('.l'),
      panel: box('.panel'),
      bubble: box('.bubble'),
      textarea: box('textarea'),
      header: box('.name'),
    }
  })
}

async function openAndAsk(ctx: BrowserContext, path: string) {
  const page = await ctx.newPage()
  const problems: string[] = []
  page.on(
    'console',
    (m) =>
      (m.type() === 'error' || m.type() === 'warning') &&
      !/favicon|404/.test(m.text()) &&
      problems.push(m.text()),
  )
  page.on('pageerror', (e) => problems.push(e.message))
  await page.goto(site.url + path)
  const launcher = page.getByRole('button', { name: 'Open chat' })
  await launcher.waitFor()
  await launcher.click()
  const dialog = page.getByRole('dialog', { name: /Chat with/ })
  await dialog.waitFor()
  await page.mouse.move(1, 1) // no hover effect on the launcher
  await page.waitForTimeout(300) // the open animation
  return { page, dialog, problems }
}

it('looks and works the same on the hostile page with a strict CSP as on a plain page', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  const plain = await openAndAsk(ctx, '/plain')
  const hostile = await openAndAsk(ctx, '/')
  expect(await measure(hostile.page)).toEqual(await measure(plain.page))
  const m = await measure(hostile.page)
  expect(m.launcher).toMatch(/^1204 724 56 56 /) // bottom right, 20px from the edges, 56px round
  expect(m.bubble).toContain('14px')
  expect(m.bubble).not.toContain('Comic')

  // It works: keyboard only, an answer with a cited source arrives.
  const box = hostile.page.getByRole('textbox', { name: 'Write a message…' })
  await expect
    .poll(() =>
      hostile.page.evaluate(
        () => document.querySelector('parley-widget')!.shadowRoot!.activeElement?.tagName,
      ),
    )
    .toBe('TEXTAREA')
  await box.fill('How do I return an item?')
  await box.press('Enter')
  await expect.poll(() => hostile.dialog.textContent(), { timeout: 15_000 }).toContain('30 days')
  await expect
    .poll(() => hostile.dialog.getByRole('button', { name: 'Helpful', exact: true }).count())
    .toBe(1)
  await hostile.page.waitForTimeout(200)
  await hostile.page.screenshot({ path: `${shots}/widget-hostile-1280x800.png` })
  // Esc closes and gives focus back to the launcher.
  await hostile.page.keyboard.press('Escape')
  await expect.poll(() => hostile.dialog.isHidden()).toBe(true)
  await expect
    .poll(() =>
      hostile.page.evaluate(() =>
        document.querySelector('parley-widget')!.shadowRoot!.activeElement?.getAttribute('aria-expanded'),
      ),
    )
    .toBe('false')
  expect(hostile.problems).toEqual([])
  expect(plain.problems).toEqual([])
  // No cookies, no global CSS: the page's own styles are untouched and no stylesheet was added to it.
  expect(await ctx.cookies()).toEqual([])
  expect(await hostile.page.evaluate(() => document.styleSheets.length)).toBe(1)
  await ctx.close()
})

for (const scheme of ['light', 'dark'] as const) {
  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`axe finds no violations and the screenshot is taken: ${scheme}, ${viewport.width}x${viewport.height}`, async () => {
      const ctx = await browser.newContext({
        viewport,
        locale: 'en-US',
        colorScheme: scheme,
        isMobile: viewport.width < 500,
        hasTouch: viewport.width < 500,
      })
      const { page, dialog } = await openAndAsk(ctx, '/?csp=0')
      const box = page.getByRole('textbox', { name: 'Write a message…' })
      await box.fill('How much does shipping cost?')
      await box.press('Enter')
      await expect.poll(() => dialog.textContent(), { timeout: 15_000 }).toContain('4.90')
      await expect.poll(() => dialog.getByRole('button', { name: 'Helpful', exact: true }).count()).toBe(1)
      if (viewport.width < 500) {
        const r = await page.evaluate(() =>
          document
            .querySelector('parley-widget')!
            .shadowRoot!.querySelector('.panel')!
            .getBoundingClientRect()
            .toJSON(),
        )
        expect([r.x, r.y, r.width, r.height]).toEqual([0, 0, 390, 844]) // full screen on phones
      }
      await page.waitForTimeout(200)
      await page.screenshot({ path: `${shots}/widget-${scheme}-${viewport.width}x${viewport.height}.png` })
      const axe = await axeWidget(page)
      expect(axe.violations).toEqual([])
      expect(axe.checked).toBeGreaterThan(20) // the shadow tree was really audited
      await ctx.close()
    })
  }
}
