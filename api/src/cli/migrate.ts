/** `npm run migrate`: applies pending migrations to DATABASE_URL and exits. */
import { loadConfig } from '../config'
import { openDatabase } from '../db/database'
import { migrate } from '../db/migrator'

const config = loadConfig()
const db = await openDatabase(config.DATABASE_URL)
try {
  const { applied, skipped } = await migrate(db.pool)
  console.log(
    applied.length ? `Applied ${applied.join(', ')}` : 'Nothing to apply.',
    `(${skipped} already applied)`,
  )
} catch (err) {
  console.error((err as Error).message)
  process.exitCode = 1
} finally {
  await db.close()
}
