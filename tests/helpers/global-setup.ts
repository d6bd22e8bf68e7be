import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../../api/src/db/database'
import { migrate } from '../../api/src/db/migrator'

declare module 'vitest' {
  export interface ProvidedContext {
    templateDataDir: string
  }
}

/** Migrates one database and dumps it; every test file loads its own copy (far faster than migrating each). */
export default async function setup(project: TestProject) {
  const db = await openDatabase('memory://')
  await migrate(db.pool)
  const dump = await db.pglite!.dumpDataDir('none')
  await db.close()
  const file = join(mkdtempSync(join(tmpdir(), 'parley-template-')), 'template.tar')
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  project.provide('templateDataDir', file)
}
