-- Seed 000's persona, one field each (the free-text `persona` stays as the persona's notes), and a
-- description on every prompt version so the history reads like a changelog.
alter table public.bots
  add column persona_name text not null default '' check (length(persona_name) <= 100),
  add column persona_objective text not null default '' check (length(persona_objective) <= 2000),
  add column persona_personality text not null default '' check (length(persona_personality) <= 2000),
  add column persona_style text not null default '' check (length(persona_style) <= 2000),
  add column persona_target_audience text not null default '' check (length(persona_target_audience) <= 2000);

alter table public.prompt_versions
  add column description text not null default '' check (length(description) <= 500);

-- A version belongs to its bot's tenant (a foreign key alone ignores RLS, and the tenant column is
-- what the policies read).
create or replace function public.prompt_versions_bot_guard() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if not exists (select 1 from public.bots b where b.id = new.bot_id and b.tenant_id = new.tenant_id) then
    raise exception 'bot % is not a bot of this tenant', new.bot_id using errcode = '23503';
  end if;
  return new;
end $$;
revoke all on function public.prompt_versions_bot_guard() from public;
create trigger prompt_versions_bot_guard before insert or update of bot_id, tenant_id on public.prompt_versions
  for each row execute function public.prompt_versions_bot_guard();

-- Activation (and so rollback): the one active version of a type changes under the same lock the
-- numbering trigger takes, so a concurrent insert-and-activate or a second activation waits instead
-- of tripping the one-active index. Security invoker: RLS decides whether the caller may.
create or replace function public.activate_prompt_version(p_id uuid) returns setof public.prompt_versions
language plpgsql set search_path = '' as $$
declare v public.prompt_versions;
begin
  select * into v from public.prompt_versions where id = p_id;
  if not found then return; end if;
  perform pg_advisory_xact_lock(hashtext(v.bot_id::text || v.prompt_type));
  update public.prompt_versions set is_active = false
   where bot_id = v.bot_id and prompt_type = v.prompt_type and is_active and id <> p_id;
  return query update public.prompt_versions set is_active = true where id = p_id returning *;
end $$;
revoke all on function public.activate_prompt_version(uuid) from public;
grant execute on function public.activate_prompt_version(uuid) to authenticated, service_role, parley_app;
