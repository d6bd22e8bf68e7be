-- The API logs in as the owner (or any member of parley_app) and works as parley_app in every
-- transaction (SET LOCAL ROLE). A superuser may switch to any role; a non-superuser owner (Supabase's
-- `postgres`) must be a member. Granted when the migrating role may; otherwise start-up refuses and
-- says which grant is missing.
do $$
begin
  if not pg_has_role(current_user, 'parley_app', 'MEMBER') then
    execute format('grant parley_app to %I', current_user);
  end if;
exception when insufficient_privilege then
  raise warning 'cannot grant parley_app to %: run "grant parley_app to %" as a superuser', current_user, current_user;
end $$;
