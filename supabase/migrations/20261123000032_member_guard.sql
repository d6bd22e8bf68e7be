-- A member may change their own availability (members_self), but never their role, tenant, identity or
-- capacity: only owners and admins change those. Guarded in the database, not only by the API.
-- Security invoker on purpose: current_user must be the caller's role, not the function owner's.
create or replace function public.tenant_members_guard() returns trigger
language plpgsql set search_path = '' as $$
begin
  if current_user = 'authenticated'
     and not public.has_tenant_role(old.tenant_id, array['owner', 'admin'])
     and (new.role is distinct from old.role or new.tenant_id is distinct from old.tenant_id
          or new.user_id is distinct from old.user_id or new.capacity is distinct from old.capacity) then
    raise exception 'only owners and admins change roles and capacity' using errcode = '42501';
  end if;
  return new;
end $$;
revoke all on function public.tenant_members_guard() from public;
create trigger tenant_members_guard before update on public.tenant_members
  for each row execute function public.tenant_members_guard();

-- A source's bot must be one of its own tenant's bots (a foreign key alone ignores RLS).
create or replace function public.knowledge_sources_bot_guard() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.bot_id is not null and not exists (
       select 1 from public.bots b where b.id = new.bot_id and b.tenant_id is not distinct from new.tenant_id) then
    raise exception 'bot % is not a bot of this tenant', new.bot_id using errcode = '23503';
  end if;
  return new;
end $$;
revoke all on function public.knowledge_sources_bot_guard() from public;
create trigger knowledge_sources_bot_guard before insert or update of bot_id, tenant_id on public.knowledge_sources
  for each row execute function public.knowledge_sources_bot_guard();
