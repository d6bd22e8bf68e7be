import { cpSync, mkdtempSync, appendFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, it } from 'vitest'
import { openDatabase } from '../../../api/src/db/database'
import { migrate, migrationsDir } from '../../../api/src/db/migrator'

it('applies every migration once, records them, and refuses a changed file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
  cpSync(migrationsDir, dir, { recursive: true })
  const db = await openDatabase('memory://')
  try {
    const first = await migrate(db.pool, dir)
    expect(first.applied.length).toBeGreaterThanOrEqual(5)
    expect((await migrate(db.pool, dir)).applied).toEqual([])
    const { rows } = await db.pool.query(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity`,
    )
    expect(rows, 'every public table has RLS enabled').toEqual([])
    appendFileSync(join(dir, first.applied[0]), '\n-- edited\n')
    await expect(migrate(db.pool, dir)).rejects.toThrow(/was changed after it was applied/)
  } finally {
    await db.close()
  }
}, 60_000)

it('rolls a failing migration back whole', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'))
  cpSync(migrationsDir, dir, { recursive: true })
  appendFileSync(
    join(dir, '99999999999999_broken.sql'),
    'create table half_done (id int);\nselect * from no_such_table;',
  )
  const db = await openDatabase('memory://')
  try {
    await expect(migrate(db.pool, dir)).rejects.toThrow(/99999999999999_broken.sql failed/)
    const { rows } = await db.pool.query(`select to_regclass('public.half_done') as t`)
    expect(rows[0].t).toBeNull()
  } finally {
    await db.close()
  }
}, 60_000)
