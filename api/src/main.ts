import { loadConfig } from './config'
import { startServer } from './server'
import { startDemo } from './demo'

/** Process entry: parse config, start the API (and the demo site in demo mode), stop cleanly on signals. */
async function main() {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    console.error((err as Error).message)
    process.exit(1)
  }
  let running
  try {
    running = await startServer(config)
  } catch (err) {
    // Start-up refusals (unreachable database, a role that cannot be assumed, a missing secret) are
    // sentences for the operator, not stack traces.
    console.error(`Parley could not start: ${(err as Error).message}`)
    process.exit(1)
  }
  const demo = config.DEMO ? await startDemo(config, running) : undefined
  if (!demo) running.deps.log.info('listening', { url: running.url })
  let signals = 0
  const stop = async (signal: string) => {
    if (signals++) process.exit(1)
    running.deps.log.info('shutting down', { signal })
    await demo?.close()
    await running.shutdown()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
