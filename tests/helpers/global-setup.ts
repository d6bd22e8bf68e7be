import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { openDatabase } from '../../api/src/db/database'
import { migrate } from '../../api/src/db/migrator'

declare module 'vitest' {
  export interface ProvidedContext {
    templateDataDir: string
    /** TEST_DATABASE_URL's server (a role that may create databases), or '' for embedded PGlite. */
    serverUrl: string
    /** On a server: the migrated template database each test file copies. */
    serverTemplate: string
  }
}

/** Where a database of the test server lives: TEST_DATABASE_URL with another database name. */
export function databaseUrl(serverUrl: string, name: string): string {
  const u = new URL(serverUrl)
  u.pathname = '/' + name
  return u.toString()
}

/**
 * Migrates one database and dumps it; every test file loads its own copy (far faster than migrating
 * each). With TEST_DATABASE_URL the suite runs on that PostgreSQL server too: a template database is
 * migrated once and each test file gets `create database ... template` (dropped at the end).
 */
export default async function setup(project: TestProject) {
  const db = await openDatabase('memory://')
  await migrate(db.pool)
  const dump = await db.pglite!.dumpDataDir('none')
  await db.close()
  const file = join(mkdtempSync(join(tmpdir(), 'parley-template-')), 'template.tar')
  writeFileSync(file, Buffer.from(await dump.arrayBuffer()))
  project.provide('templateDataDir', file)

  // The browser tests run the demo as it ships, on the embedded database only.
  const serverUrl = project.name === 'e2e' ? '' : (process.env.TEST_DATABASE_URL ?? '')
  project.provide('serverUrl', serverUrl)
  project.provide('serverTemplate', '')
  if (!serverUrl) return
  const prefix = `parley_test_${process.pid}`
  const template = `${prefix}_template`
  const admin = new pg.Client({ connectionString: serverUrl })
  await admin.connect()
  await admin.query(`create database ${template}`)
  const server = await openDatabase(databaseUrl(serverUrl, template))
  try {
    await migrate(server.pool)
  } finally {
    await server.close()
  }
  project.provide('serverTemplate', template)
  return async () => {
    const { rows } = await admin.query(`select datname from pg_database where datname like $1`, [
      `${prefix}%`,
    ])
    for (const r of rows) await admin.query(`drop database if exists ${r.datname} with (force)`)
    await admin.end()
  }
}
