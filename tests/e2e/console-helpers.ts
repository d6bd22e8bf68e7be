import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** axe-core's WCAG 2 A/AA violations on the console page as it is now, one line each. */
export async function axeConsole(page: Page): Promise<string[]> {
  await page.evaluate(axeSource)
  return page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] })
    return r.violations.map(
      (v: any) =>
        `${v.id} (${v.impact}): ${v.nodes
          .map(
            (n: any) =>
              n.target.join(' ') + (n.any?.[0]?.data?.contrastRatio ? ' ' + n.any[0].data.contrastRatio : ''),
          )
          .join(', ')}`,
    )
  })
}

/** Collects console errors and page errors (favicon noise aside). */
export function watchErrors(page: Page): string[] {
  const errors: string[] = []
  page.on(
    'console',
    (m) => m.type() === 'error' && !/favicon/.test(m.text()) && errors.push('console: ' + m.text()),
  )
  page.on('pageerror', (e) => errors.push('page: ' + String(e)))
  return errors
}
