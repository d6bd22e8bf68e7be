-- The database boundary: the API runs as parley_app, a role that owns nothing and cannot bypass row
-- level security. Every table forces RLS (owners are subject to it too), and parley_app reaches rows
-- only through policies written for it. Console requests go further: each runs SET LOCAL ROLE
-- authenticated with the member's claims, so the tenant policies apply.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'parley_app') then
    create role parley_app nologin noinherit nobypassrls;
  end if;
end $$;

-- Membership only: parley_app may switch to authenticated for a member's transaction, and inherits nothing.
grant authenticated to parley_app;
grant usage on schema public, auth, app_private to parley_app;
grant select, insert, update, delete on all tables in schema public to parley_app;
grant select, insert, update, delete on app_private.rate_limits, app_private.llm_token_usage to parley_app;
-- The embedded sign-in reads users; the demo seed and tests create them.
grant select, insert, update on auth.users to parley_app;
grant execute on all functions in schema public to parley_app;
alter default privileges in schema public grant select, insert, update, delete on tables to parley_app;
-- Migration bookkeeping is the migrator's (the owner's) alone.
revoke all on app_private.schema_migrations from parley_app;

-- Every application table: RLS enabled and forced, and one explicit policy for the API's own role.
-- Widget-side requests and the background worker run as parley_app; what they may touch is decided
-- in code by the session token and job, and the tenant policies guard every member request.
do $$
declare t record;
begin
  for t in
    select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where c.relkind in ('r', 'p') and n.nspname in ('public', 'app_private') and c.relname <> 'schema_migrations'
  loop
    execute format('alter table %I.%I enable row level security', t.nspname, t.relname);
    execute format('alter table %I.%I force row level security', t.nspname, t.relname);
    execute format('create policy parley_app_all on %I.%I for all to parley_app using (true) with check (true)', t.nspname, t.relname);
  end loop;
end $$;
