import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openDatabase, type Database } from '../../../api/src/db/database'
import { withTx } from '../../../api/src/db/tx'
import { databaseUrl } from '../../helpers/global-setup'
import { admin, serverUrl } from './server'

// On a server every transaction is pipelined: `begin` (with the role switch) goes out with the first
// statement, and pool.query sends begin, statement and commit at once. A failure anywhere must still
// leave nothing half-written, surface its own error, and hand back a clean connection.
describe.skipIf(!serverUrl())('pipelined transactions on a server', () => {
  const tag = crypto.randomUUID().slice(0, 8)
  const dbName = `parley_test_pipe_${tag}`
  const role = `parley_pipe_${tag}`
  let db: Database
  let refused: Database | undefined
  beforeAll(async () => {
    await admin(`create role ${role} nologin`)
    await admin(`create database ${dbName}`)
    const setup = await openDatabase(databaseUrl(serverUrl(), dbName))
    await setup.pool.query(`create table notes (id int primary key, body text not null)`)
    await setup.pool.query(`grant select, insert on notes to ${role}`)
    await setup.close()
    // One connection: every test reuses the one a failure went through.
    db = await openDatabase(databaseUrl(serverUrl(), dbName), { role, poolSize: 1, statementTimeoutMs: 5000 })
  })
  afterAll(async () => {
    await db?.close()
    await refused?.close()
    await admin(`drop database if exists ${dbName} with (force)`)
    await admin(`drop role if exists ${role}`)
  })

  /** A transaction whose second insert fails: it throws the failure, and its first insert is gone. */
  async function expectNothingHalfWritten(on: Database, id: number) {
    await expect(
      withTx(on.pool, async (tx) => {
        await tx.query(`insert into notes (id, body) values ($1, 'first half')`, [id])
        await tx.query(`insert into notes (id, body) values ($1, 'duplicate key')`, [id])
      }),
    ).rejects.toThrow(/duplicate key/)
    expect((await on.pool.query('select count(*)::int as n from notes where id = $1', [id])).rows[0].n).toBe(
      0,
    )
  }

  it('runs a one-statement query as the app role, in a transaction that ends with it', async () => {
    const { rows } = await db.pool.query(
      `select current_user as who, current_setting('statement_timeout') as t`,
    )
    expect(rows[0]).toEqual({ who: role, t: '5s' })
    // The role was local to that transaction: a bare connection is the login role again.
    const client = await db.pool.connect()
    try {
      expect((await client.query('select current_user as who')).rows[0].who).not.toBe(role)
    } finally {
      client.release()
    }
  })

  it('a failing statement throws its own error, and the connection serves the next query', async () => {
    await expect(db.pool.query('select 1 / 0')).rejects.toThrow(/division by zero/)
    await expect(db.pool.query(`insert into notes (id, body) values (1, null)`)).rejects.toThrow(
      /null value in column "body"/,
    )
    expect(
      (await db.pool.query(`insert into notes (id, body) values (2, 'kept') returning id`)).rows,
    ).toEqual([{ id: 2 }])
    expect((await db.pool.query('select count(*)::int as n from notes')).rows[0].n).toBe(1)
  })

  it('a transaction failing half-way writes nothing, and the next one commits', async () => {
    await expectNothingHalfWritten(db, 10)
    await withTx(db.pool, async (tx) => {
      await tx.query(`insert into notes (id, body) values (11, 'a')`)
      await tx.query(`insert into notes (id, body) values (12, 'b')`)
    })
    expect((await db.pool.query('select count(*)::int as n from notes where id > 10')).rows[0].n).toBe(2)
  })

  it('with DB_PIPELINE off, the same queries and errors, one statement at a time', async () => {
    const plain = await openDatabase(databaseUrl(serverUrl(), dbName), { role, poolSize: 1, pipeline: false })
    try {
      expect((await plain.pool.query('select current_user as who')).rows[0].who).toBe(role)
      await expect(plain.pool.query('select 1 / 0')).rejects.toThrow(/division by zero/)
      await expectNothingHalfWritten(plain, 30)
    } finally {
      await plain.close()
    }
  })

  it("a refused role switch is the error thrown (not the aborted transaction's), and nothing runs", async () => {
    refused = await openDatabase(databaseUrl(serverUrl(), dbName), { role: `${role}_missing`, poolSize: 1 })
    await expect(refused.pool.query(`insert into notes (id, body) values (20, 'x')`)).rejects.toThrow(
      /role "parley_pipe_\w+_missing" does not exist/,
    )
    await expect(
      withTx(refused.pool, (tx) => tx.query(`insert into notes (id, body) values (21, 'y')`)),
    ).rejects.toThrow(/does not exist/)
    expect((await db.pool.query('select count(*)::int as n from notes where id >= 20')).rows[0].n).toBe(0)
  })
})
