import { createHmac, randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import type { Config } from './config'
import { publicUrl } from './config'
import type { Running } from './server'
import { invalidateOrigins } from './http/cors'
import { DEFAULT_PROMPTS } from './answers/prompt'
import { newOneTimeToken } from './auth/one-time'
import { upsertOrder } from './contacts/orders'
import { withTx } from './db/tx'
import { identityPayload } from './sessions/identity'

const seedFile = fileURLToPath(new URL('../../supabase/seed.sql', import.meta.url))
const demoPage = fileURLToPath(new URL('../../demo/index.html', import.meta.url))

/** Seeds "Ma Boutique" and lets the demo site's origins embed its widget. Demo mode only. */
export async function seedDemo(running: Pick<Running, 'deps'>, demoOrigins: string[]) {
  const { pool } = running.deps
  await pool.query(await readFile(seedFile, 'utf8'))
  await pool.query(`update widget_configs set allowed_origins = $1 where publishable_key = 'pk_demo'`, [
    demoOrigins,
  ])
  invalidateOrigins()
}

const DEMO_BOT = '00000000-0000-4000-8000-0000000000b1'

/**
 * What the owner pages show in the demo: a prompt history for Lina (a first principal prompt, the
 * current one, a think prompt) and a teammate's pending invitation. Idempotent: nothing is added to a
 * bot that already has prompts, or a second invitation. Not in seedDemo: API tests expect a bot
 * without prompt versions.
 */
export async function seedDemoOwnerPages(pool: Running['deps']['pool']) {
  const prompts = [
    ['principal', DEFAULT_PROMPTS.principal, 'First version: the default prompt', false],
    [
      'principal',
      `${DEFAULT_PROMPTS.principal}\nVouvoyez toujours le visiteur en français. Rappelez que les retours sont gratuits sous 30 jours quand la question porte sur un retour.`,
      'Formal "vous" in French; mention free returns',
      true,
    ],
    ['think', DEFAULT_PROMPTS.think, 'Default query planning', true],
  ] as const
  for (const [type, content, description, active] of prompts) {
    await pool.query(
      `insert into prompt_versions (tenant_id, bot_id, prompt_type, version, content, description, is_active)
       select tenant_id, id, $2, 0, $3, $4, $5 from bots b
        where id = $1 and (select count(*) from prompt_versions p where p.bot_id = b.id and p.prompt_type = $2) < $6`,
      [DEMO_BOT, type, content, description, active, type === 'principal' && active ? 2 : 1],
    )
  }
  await pool.query(
    `insert into invitations (tenant_id, email, role, token_hash, expires_at, invited_by)
     values ('00000000-0000-4000-8000-0000000000a1', 'sam@ma-boutique.example', 'agent', $1, now() + interval '7 days',
             '00000000-0000-4000-8000-000000000001')
     on conflict do nothing`,
    [newOneTimeToken().hash],
  )
}

/** The demo's signed-in customer (the shop page at /?signed-in vouches for her with user_hash). */
export const DEMO_CUSTOMER = { user_id: 'ana-lima', email: 'ana.lima@example.com', name: 'Ana Lima' }

/**
 * A verified customer for the demo shop: the widget gets an identity secret (identity optional), Ana
 * Lima's order 4512 is stored, and the page's identity is signed the way a shop's server would.
 * Meetings need Cal.com: without one set, the bot answers a meeting request from its knowledge.
 * Returns the identity the shop page passes to the widget.
 */
export async function seedDemoCustomer(pool: Running['deps']['pool']) {
  const { rows } = await pool.query(
    `update widget_configs set identity_secret = coalesce(identity_secret, $1),
            identity_mode = case when identity_mode = 'off' then 'optional' else identity_mode end
      where publishable_key = 'pk_demo' returning tenant_id, identity_secret`,
    [randomBytes(32).toString('hex')],
  )
  if (!rows[0]) return null
  await withTx(pool, (db) =>
    upsertOrder(
      db,
      rows[0].tenant_id,
      '4512',
      {
        contact: DEMO_CUSTOMER,
        status: 'shipped',
        currency: 'EUR',
        items: [
          { name: 'Veste en lin', quantity: 1, unit_price: 89 },
          { name: 'Foulard en soie', quantity: 2, unit_price: 24.5 },
        ],
      },
      'api',
    ),
  )
  const user_hash = createHmac('sha256', rows[0].identity_secret)
    .update(identityPayload(DEMO_CUSTOMER))
    .digest('hex')
  return { ...DEMO_CUSTOMER, user_hash }
}

/** Serves demo/ on a second port, so the widget runs cross-origin exactly as on a customer's site. */
export async function startDemo(config: Config, running: Running) {
  const api = config.PUBLIC_URL ? publicUrl(config) : `http://localhost:${running.port}`
  let identity: Awaited<ReturnType<typeof seedDemoCustomer>> = null
  const server: Server = createServer(async (req, res) => {
    if (req.url !== '/' && !req.url?.startsWith('/?') && req.url !== '/index.html') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found')
      return
    }
    let html = (await readFile(demoPage, 'utf8')).replaceAll('{{API_URL}}', api)
    // /?signed-in: the shop page as Ana Lima sees it once signed in (the widget gets her signed identity).
    if (identity && /[?&]signed-in\b/.test(req.url ?? ''))
      html = html.replace(
        '<script src=',
        `<script>window.ParleySettings = { identity: ${JSON.stringify(identity).replace(/</g, '\\u003c')} }</script>\n    <script src=`,
      )
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }).end(html)
  })
  await new Promise<void>((resolve) => server.listen(config.DEMO_PORT, config.HOST, resolve))
  const port = (server.address() as { port: number }).port
  await seedDemo(running, [`http://localhost:${port}`, `http://127.0.0.1:${port}`])
  await seedDemoOwnerPages(running.deps.pool)
  identity = await seedDemoCustomer(running.deps.pool)
  const site = `http://localhost:${port}`
  process.stdout.write(
    [
      '',
      '  Ma Boutique demo is running.',
      `  Shop page (embeds the widget):  ${site}/`,
      `  Agent console:                  ${api}/console/`,
      `  API:                            ${api}/v1  (health: ${api}/healthz)`,
      '  Console logins (demo only):     owner@demo.local / demo1234   agent@demo.local / demo1234',
      '',
      '',
    ].join('\n'),
  )
  return {
    url: site,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
