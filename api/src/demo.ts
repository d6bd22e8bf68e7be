import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import { fileURLToPath } from 'node:url'
import type { Config } from './config'
import { publicUrl } from './config'
import type { Running } from './server'
import { invalidateOrigins } from './http/cors'

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

/** Serves demo/ on a second port, so the widget runs cross-origin exactly as on a customer's site. */
export async function startDemo(config: Config, running: Running) {
  const api = config.PUBLIC_URL ? publicUrl(config) : `http://localhost:${running.port}`
  const server: Server = createServer(async (req, res) => {
    if (req.url !== '/' && !req.url?.startsWith('/?') && req.url !== '/index.html') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found')
      return
    }
    const html = (await readFile(demoPage, 'utf8')).replaceAll('{{API_URL}}', api)
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' }).end(html)
  })
  await new Promise<void>((resolve) => server.listen(config.DEMO_PORT, config.HOST, resolve))
  const port = (server.address() as { port: number }).port
  await seedDemo(running, [`http://localhost:${port}`, `http://127.0.0.1:${port}`])
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
