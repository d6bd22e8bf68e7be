import { mkdirSync, readFileSync } from 'node:fs'
import { chromium, type Browser, type Page } from 'playwright-core'
import { inject } from 'vitest'
import { loadConfig, type Config } from '../../api/src/config'
import { startDemo } from '../../api/src/demo'
import { createDeps, startServer, type Running } from '../../api/src/server'

/** Debian's Chromium, never a downloaded one. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  })
}

/**
 * The API on an embedded database loaded from the suite's migrated template (global-setup.ts) rather
 * than a new one: creating and migrating a database took seconds of every browser test file.
 */
export async function startTemplateServer(config: Config): Promise<Running> {
  const loadDataDir = new Blob([readFileSync(inject('templateDataDir'))])
  return startServer(config, await createDeps(config, { loadDataDir, migrate: false }))
}

/** Where the end-to-end tests save their screenshots. */
export const E2E_SHOTS = 'test-results/e2e'

export interface DemoStack {
  api: Running
  demo: Awaited<ReturnType<typeof startDemo>>
  browser: Browser
  /** The console's base URL: the API's origin, spelled with localhost like a person would. */
  consoleBase: string
  close(): Promise<void>
}

/** The demo as `npm run demo` runs it (API and shop on their own ports, embedded database in memory) and a browser. */
export async function startDemoStack(overrides: Record<string, string> = {}): Promise<DemoStack> {
  mkdirSync(E2E_SHOTS, { recursive: true })
  const config = loadConfig({
    DATABASE_URL: 'memory://',
    PORT: '0',
    DEMO_PORT: '0',
    DEMO: '1',
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    ...overrides,
  })
  const api = await startTemplateServer(config)
  const demo = await startDemo(config, api)
  const browser = await launchChromium()
  return {
    api,
    demo,
    browser,
    consoleBase: api.url.replace('127.0.0.1', 'localhost'),
    async close() {
      await browser.close()
      await demo.close()
      await api.shutdown()
    },
  }
}

/** Opens the console in the page and signs in with a demo account. */
export async function signInToConsole(page: Page, stack: DemoStack, email: string) {
  await page.goto(`${stack.consoleBase}/console/`)
  await page.getByRole('textbox', { name: 'Email' }).fill(email)
  await page.getByLabel('Password').fill('demo1234')
  await page.getByRole('button', { name: 'Sign in' }).click()
}
