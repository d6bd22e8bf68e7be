/**
 * `npm run demo`: builds the widget and the console when they are missing, then starts the API in demo
 * mode on the embedded database, with the demo shop on a second port.
 */
import { existsSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

const needed = ['dist/widget/widget.js', 'dist/widget/chat.js', 'dist/console/index.html']
if (needed.some((f) => !existsSync(f))) {
  console.log('Building the widget and the console (first run only)...')
  const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' })
  if (build.status !== 0) process.exit(build.status ?? 1)
}
process.env.DEMO ??= '1'
await import('../api/src/main')
