/**
 * `npx tsx scripts/console-shots.ts`: starts the demo on a throw-away database, adds two escalation
 * rules and a few canned replies, has two visitors write in (one asks for a person about a refund),
 * and saves screenshots of the agent console at desktop (1280x800) and phone (390x844) sizes in
 * test-results/shots: the queue, the escalated session with its trace, the canned-reply suggestions,
 * on the phone the details panel, and the Widget page with its live preview answering a question.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Browser, Page } from 'playwright-core'
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
  HOST: '127.0.0.1',
})
const api = await startServer(config)
const demo = await startDemo(config, api)
const base = `http://localhost:${api.port}`

async function call<T>(path: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`)
  return (await res.json()) as T
}

/** Two rules (the urgent one needs data the visitor lacks, so its trace shows ✗ and ?) and canned replies. */
async function setUp() {
  const { access_token: owner } = await call<{ access_token: string }>('/v1/auth/login', null, {
    email: 'owner@demo.local',
    password: 'demo1234',
  })
  const me = await call<{ memberships: { tenant_id: string }[] }>('/v1/me', owner)
  const t = me.memberships[0].tenant_id
  await call(`/v1/tenants/${t}/escalation-rules`, owner, {
    name: 'Client VIP mécontent',
    priority_level: 5,
    trigger_conditions: {
      all: [
        { type: 'attribute', key: 'plan', op: 'eq', value: 'vip' },
        { type: 'sentiment', in: ['negative'] },
      ],
    },
  })
  await call(`/v1/tenants/${t}/escalation-rules`, owner, {
    name: 'Remboursement',
    priority_level: 4,
    trigger_keywords: ['remboursement', 'rembourser', 'refund'],
    trigger_conditions: {
      any: [{ type: 'human_requested' }, { type: 'visitor_message_count', op: 'gte', value: 3 }],
    },
  })
  for (const c of [
    {
      shortcut: 'bonjour',
      title: 'Accueil',
      content: 'Bonjour, je suis Alex du service client. Je regarde votre demande.',
    },
    {
      shortcut: 'rembourse',
      title: 'Remboursement lancé',
      content: 'Votre remboursement est lancé : il arrive sous 5 jours ouvrés.',
    },
    {
      shortcut: 'retour',
      title: 'Étiquette de retour',
      content: 'Voici votre étiquette de retour prépayée.',
    },
  ])
    await call(`/v1/tenants/${t}/canned-replies`, owner, c)
}

async function visitorSays(browser: Browser, text: string, answered: RegExp) {
  const ctx = await browser.newContext({ locale: 'fr-FR' })
  const page = await ctx.newPage()
  await page.goto(demo.url)
  await page.getByRole('button', { name: /open chat|ouvrir le chat/i }).click()
  const dialog = page.getByRole('dialog')
  const box = dialog.getByRole('textbox', { name: /message/i })
  await box.fill(text)
  await box.press('Enter')
  // Answered (by the bot, or by the handoff line): the console has something to show.
  await dialog
    .getByText(answered)
    .first()
    .waitFor({ timeout: 20_000 })
    .catch(async (err) => {
      await page.screenshot({ path: `${out}/visitor-failed.png` })
      throw err
    })
  return ctx
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

/** Prints axe-core's violations for the page as it is now (WCAG 2 A/AA rules). */
async function axe(page: Page, label: string) {
  await page.evaluate(axeSource)
  const violations = await page.evaluate(async () => {
    const r = await (window as any).axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] })
    return r.violations.map(
      (v: any) =>
        `${v.id} (${v.impact}): ${v.nodes.length} node(s), ${v.nodes.map((n: any) => n.target.join(' ') + (n.any?.[0]?.data?.contrastRatio ? ' ' + n.any[0].data.contrastRatio : '')).join(', ')}`,
    )
  })
  console.log(`axe ${label}: ${violations.length ? '\n  ' + violations.join('\n  ') : 'no violations'}`)
}

const browser = await launchChromium()
try {
  await setUp()
  const visitors = [
    await visitorSays(browser, 'Quels sont les délais de livraison ?', /livraison standard|jours/i),
    await visitorSays(browser, "je veux parler à un humain, c'est pour un remboursement", /équipe/),
  ]
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    const ctx = await browser.newContext({ viewport })
    const con = await ctx.newPage()
    await con.goto(`${base}/console/`)
    await con.getByRole('textbox', { name: 'Email' }).fill('agent@demo.local')
    await con.getByLabel('Password').fill('demo1234')
    await con.getByRole('button', { name: 'Sign in' }).click()
    const row = con.getByRole('button', { name: /Remboursement/ }).first()
    await row.waitFor({ timeout: 15_000 }).catch(async (err) => {
      await con.screenshot({ path: `${out}/${name}-console-failed.png` })
      throw err
    })
    await con.locator('.live-on').waitFor()
    await con.screenshot({ path: `${out}/${name}-console-inbox.png` })
    await axe(con, `${name} inbox`)

    await row.click()
    await con.getByRole('list', { name: 'Messages' }).getByText('remboursement').first().waitFor()
    await con.waitForTimeout(300)
    await con.screenshot({ path: `${out}/${name}-console-escalated.png` })
    await axe(con, `${name} escalated session`)
    if (name === 'desktop') {
      // The whole trace, the closed rule opened too, as an element shot.
      const trace = con.locator('.card').filter({ hasText: 'Why it escalated' })
      await trace
        .locator('details')
        .first()
        .evaluate((d) => ((d as HTMLDetailsElement).open = true))
      await trace.screenshot({ path: `${out}/${name}-console-trace.png` })
    }

    const reply = con.getByRole('textbox', { name: 'Reply' })
    await reply.pressSequentially('/re', { delay: 20 })
    await con.getByRole('listbox', { name: 'Canned replies' }).waitFor()
    await con.screenshot({ path: `${out}/${name}-console-canned.png` })
    await reply.press('Escape')
    await reply.fill('')

    const toggle = con.getByRole('button', { name: 'Details' })
    if (await toggle.isVisible()) {
      await toggle.click()
      await con.waitForTimeout(200)
      await con.screenshot({ path: `${out}/${name}-console-details.png` })
    }

    // The Widget page: snippet, sites, and the live preview answering a question.
    await con.getByRole('button', { name: 'Widget' }).click()
    await con.getByLabel('Widget snippet').waitFor()
    await con.screenshot({ path: `${out}/${name}-console-widget.png` })
    await con.locator('iframe[title="Widget preview"]').evaluate((el) => el.scrollIntoView({ block: 'end' }))
    const preview = con.frameLocator('iframe[title="Widget preview"]')
    await preview.locator('parley-widget').locator('button').first().click()
    await preview.locator('parley-widget').locator('textarea').fill('Combien coûte la livraison ?')
    await preview.locator('parley-widget').locator('textarea').press('Enter')
    await preview.locator('parley-widget').getByText('4,90').waitFor()
    await con.screenshot({ path: `${out}/${name}-console-preview.png` })
    await ctx.close()
  }
  for (const v of visitors) await v.close()
} finally {
  await browser.close()
  await demo.close()
  await api.shutdown()
}
console.log(`screenshots in ${out}/`)
