import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT, createTestApp, TENANT, type TestApp } from '../helpers/app'

/**
 * Scans the catalog for the database boundary the API relies on: a breach here (a new table without
 * forced RLS, a definer function that does not check the caller, the app running as a powerful role)
 * fails the build rather than waiting for a leak.
 */
let t: TestApp
const q = async (sql: string, params: unknown[] = []) => (await t.deps.pool.query(sql, params)).rows

beforeAll(async () => {
  t = await createTestApp()
})
afterAll(() => t.close())

describe('database boundary', () => {
  it('the API works as a role that is not superuser, cannot bypass RLS and owns nothing', async () => {
    const [me] = await q(
      `select current_user as name, r.rolsuper, r.rolbypassrls from pg_roles r where r.rolname = current_user`,
    )
    expect(me).toEqual({ name: 'parley_app', rolsuper: false, rolbypassrls: false })
    const owned = await q(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relowner = (select oid from pg_roles where rolname = current_user)`,
    )
    expect(owned).toEqual([])
    const fns = await q(
      `select p.proname from pg_proc p where p.proowner = (select oid from pg_roles where rolname = current_user)`,
    )
    expect(fns).toEqual([])
  })

  it('every application table has row level security enabled and forced', async () => {
    const tables = await q(
      `select n.nspname || '.' || c.relname as name, c.relrowsecurity as enabled, c.relforcerowsecurity as forced
         from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname in ('public', 'app_private') and c.relname <> 'schema_migrations'
        order by 1`,
    )
    expect(tables.length).toBeGreaterThan(20)
    expect(tables.filter((r) => !r.enabled || !r.forced).map((r) => r.name)).toEqual([])
  })

  it('every table the members role can reach has at least one policy for it', async () => {
    const bare = await q(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind = 'r' and n.nspname = 'public' and has_table_privilege('authenticated', c.oid, 'select')
          and not exists (select 1 from pg_policies p where p.schemaname = 'public' and p.tablename = c.relname and 'authenticated' = any(p.roles))`,
    )
    expect(bare.map((r) => r.relname)).toEqual([])
  })

  it('views run with the caller’s rights (security_invoker)', async () => {
    const views = await q(
      `select c.relname, coalesce(c.reloptions::text, '') as opts from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('v', 'm') and n.nspname = 'public'`,
    )
    expect(views.filter((v) => !/security_invoker=(true|on)/.test(v.opts)).map((v) => v.relname)).toEqual([])
  })

  it('no SECURITY DEFINER function is callable by members, visitors or the app unless it checks the caller and pins search_path', async () => {
    const definers = await q(
      `select n.nspname || '.' || p.proname as name, p.prosrc as src, coalesce(array_to_string(p.proconfig, ','), '') as config,
              p.prorettype = 'trigger'::regtype as is_trigger,
              has_function_privilege('authenticated', p.oid, 'execute') or has_function_privilege('anon', p.oid, 'execute')
                or has_function_privilege('parley_app', p.oid, 'execute') as callable
         from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where p.prosecdef and n.nspname in ('public', 'app_private', 'auth')`,
    )
    expect(definers.length).toBeGreaterThan(0)
    const breaches = definers
      .filter((f) => f.callable && !f.is_trigger)
      .filter((f) => !/auth\.uid\(\)/.test(f.src) || !/search_path/.test(f.config))
      .map((f) => f.name)
    expect(breaches).toEqual([])
    // Trigger functions run only as triggers, but they must still pin search_path.
    expect(definers.filter((f) => f.is_trigger && !/search_path/.test(f.config)).map((f) => f.name)).toEqual(
      [],
    )
  })

  it('request claims live for one transaction only, never on the connection', async () => {
    const agent = await t.login(AGENT)
    expect((await t.json('GET', `/v1/tenants/${TENANT}/sessions`, undefined, agent)).status).toBe(200)
    const [after] = await q(
      `select coalesce(current_setting('request.jwt.claims', true), '') as claims, current_user as who`,
    )
    expect(after).toEqual({ claims: '', who: 'parley_app' })
  })

  it('as the members role with no claims, no tenant row is visible', async () => {
    const client = await t.deps.pool.connect()
    let rows
    try {
      await client.query('begin')
      await client.query(`set local role authenticated`)
      rows = (
        await client.query(
          `select (select count(*) from tenants)::int as tenants, (select count(*) from chatbot_conversations)::int as messages`,
        )
      ).rows[0]
    } finally {
      await client.query('rollback')
      client.release()
    }
    expect(rows).toEqual({ tenants: 0, messages: 0 })
  })
})
