/**
 * `npx tsx scripts/console-shots.ts`: starts the demo on a throw-away database, adds two escalation
 * rules and a few canned replies, has two visitors write in (one asks for a person about a refund),
 * and saves screenshots of the agent console at desktop (1280x800) and phone (390x844) sizes in
 * test-results/shots: the queue, the escalated session with its trace, the canned-reply suggestions,
 * on the phone the details panel; then, signed in as the owner, every owner page (Knowledge with its
 * FAQs and playground, Rules with the simulator and the editor, Widget with hours, the confirmation,
 * the secret shown once and the preview, My account, Team, and Knowledge in French), with axe-core on
 * each.
 */
import { mkdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Browser, Page } from 'playwright-core'
import { startDemoStack } from '../tests/e2e/browser'

const out = 'test-results/shots'
mkdirSync(out, { recursive: true })
// The demo as the e2e tests start it (API, shop, embedded database in memory) and Chromium.
const stack = await startDemoStack()
const { demo, browser } = stack
const base = stack.consoleBase

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
  // Knowledge: a document, and a website that cannot be reached (its readable error shows).
  const form = new FormData()
  form.append(
    'file',
    new Blob(
      [
        '# Emballage cadeau\n\nLe paquet cadeau coûte 3,50 € par article, pour toute commande passée avant 14 h.\n',
      ],
      {
        type: 'text/markdown',
      },
    ),
    'emballage-cadeau.md',
  )
  const up = await fetch(`${base}/v1/tenants/${t}/knowledge/documents`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${owner}` },
    body: form,
  })
  if (!up.ok) throw new Error(`upload answered ${up.status}: ${await up.text()}`)
  await call(`/v1/tenants/${t}/knowledge/websites`, owner, {
    url: 'https://ma-boutique.invalid/aide',
    max_pages: 20,
    crawl_frequency: 'weekly',
  }).catch((err) => console.log('website not added:', String(err)))
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

/** Every owner page, with something in it, at one size; axe on each. */
async function ownerPages(browser: Browser, name: string, viewport: { width: number; height: number }) {
  const ctx = await browser.newContext({ viewport, locale: 'en-US' })
  const con = await ctx.newPage()
  await con.goto(`${base}/console/`)
  await con.getByRole('textbox', { name: 'Email' }).fill('owner@demo.local')
  await con.getByLabel('Password').fill('demo1234')
  await con.getByRole('button', { name: 'Sign in' }).click()
  const nav = con.getByRole('navigation', { name: 'Console' })
  await nav.waitFor()
  const shot = async (label: string) => {
    await con.waitForTimeout(250)
    await con.screenshot({ path: `${out}/${name}-owner-${label}.png` })
    await axe(con, `${name} owner ${label}`)
  }
  const go = async (hash: string, ready: () => Promise<unknown>) => {
    await con.evaluate((h) => (location.hash = h), hash)
    await ready()
  }

  await go('#/knowledge', () => con.getByRole('list', { name: 'Documents and websites' }).waitFor())
  await shot('knowledge')
  await go('#/knowledge/faqs', () => con.getByRole('list', { name: 'Frequently asked questions' }).waitFor())
  await shot('knowledge-faqs')
  await go('#/knowledge/playground', () => con.getByRole('textbox', { name: 'Question' }).waitFor())
  await con.getByRole('textbox', { name: 'Question' }).fill('Combien coûte la livraison ?')
  await con.getByRole('button', { name: 'Search' }).click()
  await con.getByText('What the assistant would do').waitFor()
  await shot('knowledge-playground')

  await go('#/rules', () => con.getByRole('list', { name: 'Rules' }).waitFor())
  await shot('rules')
  const sim = con.getByRole('region', { name: 'Simulator' })
  await sim
    .getByRole('textbox', { name: 'Visitor message' })
    .fill('je veux parler à un humain pour un remboursement')
  await sim.getByRole('button', { name: 'Test' }).click()
  await sim.locator('.sim-verdict').waitFor()
  await sim.locator('.sim-verdict').scrollIntoViewIfNeeded()
  await shot('rules-simulator')
  await con.getByRole('link', { name: 'Edit: Client VIP mécontent' }).click()
  await con.getByRole('form', { name: 'Edit rule' }).waitFor()
  await shot('rules-editor')
  await con.getByRole('button', { name: 'Cancel' }).click()

  await go('#/widget', () => con.getByRole('textbox', { name: 'Brand colour' }).waitFor())
  await con.getByRole('textbox', { name: 'Brand colour' }).fill('#0f766e')
  await shot('widget')
  await con.getByRole('checkbox', { name: 'My team has opening hours' }).check()
  await con.getByRole('checkbox', { name: 'Ask visitors for details before the first message' }).check()
  await con.getByRole('heading', { name: 'Opening hours' }).scrollIntoViewIfNeeded()
  await shot('widget-hours')
  await con.getByRole('button', { name: 'Create a new secret' }).click()
  await con.getByRole('alertdialog').waitFor()
  await shot('widget-confirm')
  await con.getByRole('button', { name: 'Create new secret' }).click()
  await con.getByRole('group', { name: 'Identity secret' }).waitFor()
  await con.getByRole('group', { name: 'Identity secret' }).scrollIntoViewIfNeeded()
  await shot('widget-secret')
  await con.locator('iframe[title="Widget preview"]').scrollIntoViewIfNeeded()
  await shot('widget-preview')

  await go('#/account', () => con.getByRole('heading', { name: 'Availability' }).waitFor())
  await shot('account')
  await go('#/team', () => con.getByRole('heading', { name: 'Team', level: 1 }).waitFor())
  await shot('team')
  await con.getByRole('combobox', { name: 'Language' }).selectOption('fr')
  await go('#/knowledge', () => con.getByRole('list', { name: 'Documents et sites web' }).waitFor())
  await shot('knowledge-fr')
  await ctx.close()
}

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

    await ctx.close()
  }
  for (const [name, viewport] of [
    ['desktop', { width: 1280, height: 800 }],
    ['phone', { width: 390, height: 844 }],
  ] as const) {
    await ownerPages(browser, name, viewport)
  }
  for (const v of visitors) await v.close()
} finally {
  await stack.close()
}
console.log(`screenshots in ${out}/`)
