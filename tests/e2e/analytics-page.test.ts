import { afterAll, beforeAll, expect, it } from 'vitest'
import { E2E_SHOTS as shots, signInToConsole, startDemoStack, type DemoStack } from './browser'
import { axeConsole, watchErrors } from './console-helpers'

/**
 * The Analytics page: the owner reads the figures (with the AI-resolved definition beside them), the
 * charts' tables, the topics with samples one click from their conversation; axe finds nothing.
 */
let stack: DemoStack
const TENANT = '00000000-0000-4000-8000-0000000000a1'

beforeAll(async () => {
  stack = await startDemoStack()
  const pool = stack.api.deps.pool
  const bot = (await pool.query(`select id from bots where tenant_id = $1 limit 1`, [TENANT])).rows[0].id
  // Twelve conversations over the last six days: a question and its answer each.
  const questions = [
    'Quels sont les délais de livraison ?',
    'How long does shipping take?',
    '¿Cuánto tarda el envío?',
    'How do I get a refund?',
  ]
  await pool.query(
    `insert into chatbot_sessions (id, tenant_id, bot_id, visitor_id, token_hash, token_expires_at, last_seq, created_at, csat_score)
     select md5('e2e' || i)::uuid, $1, $2, 'e2e-' || i, md5('e2e-token' || i), now() + interval '1 day', 2,
            now() - (i % 6) * interval '1 day' - interval '1 minute', case when i % 3 = 0 then 4 end
       from generate_series(1, 12) as i`,
    [TENANT, bot],
  )
  await pool.query(
    `insert into chatbot_conversations (tenant_id, session_id, seq, message_type, content, ai_metadata, created_at)
     select $1, md5('e2e' || i)::uuid, k, case k when 1 then 'user' else 'ai' end,
            case k when 1 then ($2::text[])[1 + i % 4] else 'An answer [1].' end,
            case k when 1 then '{}'::jsonb else '{"sources": [{"n": 1}]}'::jsonb end,
            now() - (i % 6) * interval '1 day' - interval '1 minute' + k * interval '3 seconds'
       from generate_series(1, 12) as i, generate_series(1, 2) as k`,
    [TENANT, questions],
  )
  const today = new Date().toISOString().slice(0, 10)
  stack.api.deps.analytics!.requestTopics(TENANT, today)
  await stack.api.deps.analytics!.drain()
}, 120_000)
afterAll(() => stack?.close())

it('shows the figures with their definition, charts with tables, topics with samples, and passes axe', async () => {
  const ctx = await stack.browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' })
  const page = await ctx.newPage()
  const errors = watchErrors(page)
  await signInToConsole(page, stack, 'owner@demo.local')
  await page.getByRole('link', { name: 'Analytics' }).click()
  await page.getByRole('heading', { name: 'Analytics' }).waitFor()
  await page.getByText(/a visitor who gave up is never counted as a success/).waitFor()
  // The daily chart is an image with a name, and its figures are a table one click away.
  const chart = page.getByRole('img', { name: /Conversations per day/ })
  await chart.waitFor()
  await page.screenshot({ path: `${shots}/analytics-page-top.png` })
  await page.getByText('Show as a table').first().click()
  const table = page.getByRole('table', { name: 'Conversations per day' })
  await table.waitFor()
  expect(await table.getByRole('row').count()).toBeGreaterThan(5)
  // Today's topics: delivery (3 languages) before refund.
  const today = new Date().toISOString().slice(0, 10)
  const topic = page.getByRole('button', { name: new RegExp(`^${today} delivery`) })
  await topic.waitFor()
  await topic.focus()
  await page.keyboard.press('Enter')
  expect(await topic.getAttribute('aria-expanded')).toBe('true')
  const sample = page.getByRole('link', { name: /Open the conversation/ }).first()
  await sample.waitFor()
  expect(await axeConsole(page)).toEqual([])
  await page.screenshot({ path: `${shots}/analytics-page.png`, fullPage: true })
  await sample.click()
  await page.waitForURL(/#\/sessions\//)

  // The range picker: a start after the end is refused in place.
  await page.getByRole('link', { name: 'Analytics' }).click()
  await page.locator('#analytics-from').fill('2030-01-02')
  await page.locator('#analytics-to').fill('2030-01-01')
  await page.getByRole('alert').filter({ hasText: 'start date' }).waitFor()
  expect(await page.getByRole('button', { name: 'Show', exact: true }).isDisabled()).toBe(true)
  // The CSV export downloads a file.
  await page.getByRole('button', { name: 'Last 7 days' }).click()
  const download = page.waitForEvent('download')
  await page.getByRole('button', { name: 'Export CSV' }).click()
  expect((await download).suggestedFilename()).toMatch(
    /^analytics-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.csv$/,
  )
  expect(errors).toEqual([])

  const phone = await stack.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' })
  const small = await phone.newPage()
  await signInToConsole(small, stack, 'owner@demo.local')
  await small.goto(`${stack.consoleBase}/console/#/analytics`)
  await small.getByRole('heading', { name: 'Analytics' }).waitFor()
  await small.getByRole('img', { name: /Conversations per day/ }).waitFor()
  expect(await axeConsole(small)).toEqual([])
  await small.screenshot({ path: `${shots}/analytics-page-phone.png`, fullPage: true })
  await ctx.close()
  await phone.close()
}, 120_000)
