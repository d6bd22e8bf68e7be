import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import pg from 'pg'
let t=Date.now()
const db = new PGlite('memory://', { extensions: { vector } })
await db.waitReady
console.log('ready', Date.now()-t)
const pool = new pg.Pool(createPgConfig(db))
await pool.query('create extension if not exists vector; create role authenticated nologin; create table t(id int, v vector(3)); alter table t enable row level security; grant select on t to authenticated;')
await pool.query("insert into t values (1,'[1,2,3]')")
const c = await pool.connect()
await c.query('begin'); await c.query('set local role authenticated'); 
console.log((await c.query('select * from t')).rows, (await c.query('select current_user')).rows)
await c.query('rollback'); c.release()
console.log((await pool.query('select * from t')).rows)
await pool.query("select set_config('request.jwt.claims', $1, true)", ['{}'])
t=Date.now()
const dump = await db.dumpDataDir('none'); console.log('dump', dump.size, Date.now()-t)
t=Date.now()
const db2 = new PGlite('memory://', { extensions: { vector }, loadDataDir: dump }); await db2.waitReady
console.log('load', Date.now()-t, (await db2.query('select * from t')).rows)
const un = await db.listen('ch', (p)=>console.log('notify', p))
await db.query("select pg_notify('ch','hello')")
await new Promise(r=>setTimeout(r,100))
await pool.end(); await db.close()
